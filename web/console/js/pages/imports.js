// Bulk imports for administrators (integrations.manage): choose the kind and the file, and the page creates the
// import, PUTs the file from the browser straight to the presigned upload URL the API answers (the file never
// passes through the API), starts it and polls its progress until it is completed or failed, with a link to the
// error report. ?id=<import id> shows an import again (a reload while it runs keeps following it).

import { download, get, post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, announce, busy, definitionList, h, showAlert, showApiError, showFormErrors, clearErrors, statusTag } from "../../../shared/js/ui.js";
import { allowed, startPage } from "../layout.js";
import { COPY } from "../copy.js";

const C = COPY.imports;

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
    [C.records, job.chunks.total ? String(c.records) : C.notRead],
    [C.created, String(c.created)],
    [C.updated, String(c.updated)],
    [C.unchanged, String(c.unchanged)],
    [C.rejected, String(c.rejected)],
  ]);
}

function chunkBar(job) {
  const { total, done } = job.chunks;
  if (!total) return null;
  return h(
    "div",
    { class: "margin-y-2" },
    h("label", { for: "import-chunks" }, C.chunks(done, total)),
    h("progress", { id: "import-chunks", max: String(total), value: String(done), class: "display-block width-full" }),
  );
}

function outcome(job) {
  if (job.status === "failed") {
    return alertBox({
      type: "error",
      heading: job.failure?.code === "interrupted" ? C.stopped : C.notImported,
      text: job.failure?.message || C.failed,
      children:
        job.failure?.code === "interrupted"
          ? [h("button", { type: "button", class: "usa-button margin-top-1", id: "import-resume", onclick: () => resume(job.import_id) }, C.resume)]
          : [],
    });
  }
  if (job.status !== "completed") return null;
  const rejected = job.counts.rejected;
  return alertBox({
    type: rejected ? "warning" : "success",
    heading: job.dry_run ? C.checked : C.completed,
    text: rejected ? C.rejectedCount(rejected) : C.allAccepted,
    children: job.error_report
      ? [h("p", { class: "usa-alert__text" }, h("a", { class: "usa-link", href: job.error_report.url, id: "import-report", download: `import-${job.import_id}-errors.csv` }, C.report))]
      : [],
  });
}

function render(job) {
  progress.hidden = false;
  result.replaceChildren(
    h("p", {}, statusTag(job.status), C.summary(humanize(job.kind), job.format.toUpperCase(), job.dry_run)),
    definitionList([
      [C.import, h("code", {}, job.import_id)],
      [C.started, formatDateTime(job.started_at)],
      [C.finished, formatDateTime(job.finished_at)],
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
      showApiError(error, { container: $("#page-alerts"), what: C.theImport });
      return;
    }
    render(job);
    if (job.status !== last) announce(C.status(humanize(job.status).toLowerCase()));
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
  const restore = button ? busy(button, C.resuming) : () => {};
  try {
    await post(`${BASE}/${encodeURIComponent(importId)}:start`);
    await follow(importId);
  } catch (error) {
    restore();
    showApiError(error, { container: $("#page-alerts"), what: C.resumingWhat });
  }
}

async function upload(created, file) {
  let response;
  try {
    response = await fetch(created.upload.url, { method: created.upload.method, headers: created.upload.headers, body: file, credentials: "omit" });
  } catch {
    throw new Error(C.notSent);
  }
  if (!response.ok) throw new Error(C.notStored(response.status));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  $("#page-alerts").replaceChildren();
  const file = $("#import-file").files[0];
  const fileFormat = formatOf(file);
  if (!file || !fileFormat) {
    showFormErrors(form, [{ field: "import-file", reason: file ? C.chooseFormat : C.chooseFile }]);
    return;
  }
  clearErrors(form);
  const restore = busy($("#import-start"), C.uploading);
  try {
    const created = await post(BASE, { kind: $("#import-kind").value, format: fileFormat, dry_run: $("#import-dry-run").checked });
    history.replaceState(null, "", `?id=${encodeURIComponent(created.import_id)}`);
    await upload(created, file);
    $("#import-start").textContent = C.starting;
    await post(`${BASE}/${encodeURIComponent(created.import_id)}:start`);
    restore();
    await follow(created.import_id);
  } catch (error) {
    restore();
    if (error.status !== undefined) showApiError(error, { container: $("#page-alerts"), form, what: C.theImport });
    else showAlert($("#page-alerts"), { type: "error", heading: C.uploadFailed, text: error.message, focus: true });
  }
});

$("#template-download").addEventListener("click", async (event) => {
  const kind = $("#import-kind").value;
  const restore = busy(event.currentTarget, C.downloading);
  try {
    await download(`${BASE}/templates/${kind}.csv`, {}, `${kind}-import-template.csv`);
    announce(C.templateDownloaded);
  } catch (error) {
    showApiError(error, { container: $("#page-alerts"), what: C.theTemplate });
  } finally {
    restore();
  }
});

// The form's button stays disabled (in the HTML) until the page handles it: it never posts the page itself.
$("#import-start").disabled = false;
await startPage({ title: C.title });
if (!allowed("integrations.manage")) {
  form.hidden = true;
  showAlert($("#page-alerts"), { type: "error", heading: C.notAllowed, text: C.adminsOnly, focus: true });
} else {
  const shown = new URLSearchParams(location.search).get("id");
  if (shown && /^imp_[0-9A-Za-z]{10,40}$/.test(shown)) await follow(shown);
}
