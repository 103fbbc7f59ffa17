// Bulk imports for administrators (integrations.manage): choose the kind and the file, and the page creates the
// import, PUTs the file from the browser straight to the presigned upload URL the API answers (the file never
// passes through the API), starts it and polls its progress until it is completed or failed, with a link to the
// error report. ?id=<import id> shows an import again (a reload while it runs keeps following it).

import { download, get, post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, announce, busy, definitionList, h, showAlert, showApiError, showFormErrors, clearErrors, statusTag } from "../../../shared/js/ui.js";
import { allowed, startPage } from "../layout.js";

const BASE = "/v1/staff/integrations/imports";
const POLL_MS = 2000;
const FORMATS = { csv: "csv", ndjson: "ndjson", jsonl: "ndjson" };

const form = $("#import-form");
const progress = $("#import-progress");
const result = $("#import-result");
let following = null; // the import id whose progress is on screen

function formatOf(file) {
  const extension = (file?.name.split(".").pop() || "").toLowerCase();
  return FORMATS[extension] || null;
}

function counts(job) {
  const c = job.counts;
  return definitionList([
    ["Records in the file", job.chunks.total ? String(c.records) : "Not read yet"],
    ["Created", String(c.created)],
    ["Updated", String(c.updated)],
    ["Unchanged", String(c.unchanged)],
    ["Rejected", String(c.rejected)],
  ]);
}

function chunkBar(job) {
  const { total, done } = job.chunks;
  if (!total) return null;
  return h(
    "div",
    { class: "margin-y-2" },
    h("label", { for: "import-chunks" }, `Chunks loaded: ${done} of ${total}`),
    h("progress", { id: "import-chunks", max: String(total), value: String(done), class: "display-block width-full" }),
  );
}

function outcome(job) {
  if (job.status === "failed") {
    return alertBox({
      type: "error",
      heading: job.failure?.code === "interrupted" ? "The import stopped" : "The file could not be imported",
      text: job.failure?.message || "The import failed.",
      children:
        job.failure?.code === "interrupted"
          ? [h("button", { type: "button", class: "usa-button margin-top-1", id: "import-resume", onclick: () => resume(job.import_id) }, "Resume the import")]
          : [],
    });
  }
  if (job.status !== "completed") return null;
  const rejected = job.counts.rejected;
  return alertBox({
    type: rejected ? "warning" : "success",
    heading: job.dry_run ? "Checked: nothing was loaded" : "Import completed",
    text: rejected ? `${rejected} record${rejected === 1 ? " was" : "s were"} rejected: the error report lists each with its line and reason.` : "Every record was accepted.",
    children: job.error_report
      ? [h("p", { class: "usa-alert__text" }, h("a", { class: "usa-link", href: job.error_report.url, id: "import-report", download: `import-${job.import_id}-errors.csv` }, "Download the error report (CSV)"))]
      : [],
  });
}

function render(job) {
  progress.hidden = false;
  result.replaceChildren(
    h("p", {}, statusTag(job.status), ` ${humanize(job.kind)} · ${job.format.toUpperCase()}${job.dry_run ? " · check only" : ""}`),
    definitionList([
      ["Import", h("code", {}, job.import_id)],
      ["Started", formatDateTime(job.started_at)],
      ["Finished", formatDateTime(job.finished_at)],
    ]),
    chunkBar(job),
    counts(job),
    outcome(job),
  );
}

async function follow(importId) {
  following = importId;
  let last = null;
  while (following === importId) {
    let job;
    try {
      job = await get(`${BASE}/${encodeURIComponent(importId)}`);
    } catch (error) {
      showApiError(error, { container: $("#page-alerts"), what: "The import" });
      return;
    }
    render(job);
    if (job.status !== last) announce(`Import ${humanize(job.status).toLowerCase()}.`);
    last = job.status;
    if (job.status === "completed" || job.status === "failed") {
      result.querySelector(".usa-alert")?.setAttribute("tabindex", "-1");
      result.querySelector(".usa-alert")?.focus();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function resume(importId) {
  const button = $("#import-resume");
  const restore = button ? busy(button, "Resuming…") : () => {};
  try {
    await post(`${BASE}/${encodeURIComponent(importId)}:start`);
    await follow(importId);
  } catch (error) {
    restore();
    showApiError(error, { container: $("#page-alerts"), what: "Resuming the import" });
  }
}

async function upload(created, file) {
  let response;
  try {
    response = await fetch(created.upload.url, { method: created.upload.method, headers: created.upload.headers, body: file, credentials: "omit" });
  } catch {
    throw new Error("The file could not be sent. Check your connection and try again.");
  }
  if (!response.ok) throw new Error(`The file could not be stored (HTTP ${response.status}). Try again.`);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  $("#page-alerts").replaceChildren();
  const file = $("#import-file").files[0];
  const fileFormat = formatOf(file);
  if (!file || !fileFormat) {
    showFormErrors(form, [{ field: "import-file", reason: file ? "Choose a .csv or .ndjson file." : "Choose the file to import." }]);
    return;
  }
  clearErrors(form);
  const restore = busy($("#import-start"), "Uploading…");
  try {
    const created = await post(BASE, { kind: $("#import-kind").value, format: fileFormat, dry_run: $("#import-dry-run").checked });
    history.replaceState(null, "", `?id=${encodeURIComponent(created.import_id)}`);
    await upload(created, file);
    $("#import-start").textContent = "Starting…";
    await post(`${BASE}/${encodeURIComponent(created.import_id)}:start`);
    restore();
    await follow(created.import_id);
  } catch (error) {
    restore();
    if (error.status !== undefined) showApiError(error, { container: $("#page-alerts"), form, what: "The import" });
    else showAlert($("#page-alerts"), { type: "error", heading: "Upload failed", text: error.message, focus: true });
  }
});

$("#template-download").addEventListener("click", async (event) => {
  const kind = $("#import-kind").value;
  const restore = busy(event.currentTarget, "Downloading…");
  try {
    await download(`${BASE}/templates/${kind}.csv`, {}, `${kind}-import-template.csv`);
    announce("Template downloaded.");
  } catch (error) {
    showApiError(error, { container: $("#page-alerts"), what: "The template" });
  } finally {
    restore();
  }
});

// The form's button stays disabled (in the HTML) until the page handles it: it never posts the page itself.
$("#import-start").disabled = false;
await startPage({ title: "Imports" });
if (!allowed("integrations.manage")) {
  form.hidden = true;
  showAlert($("#page-alerts"), { type: "error", heading: "Not allowed", text: "Imports are for administrators.", focus: true });
} else {
  const shown = new URLSearchParams(location.search).get("id");
  if (shown && /^imp_[0-9A-Za-z]{10,40}$/.test(shown)) await follow(shown);
}
