// GL journals (finance.read; marking imported and corrections take finance.manage): a banking day's batches with
// their lines and source records, the stored files as downloads (byte for byte: the API checks their hash), the
// "imported into the ERP" mark, and corrections. A correction is maker-checker: the API refuses the requester's own
// decision (403 self_approval), and the page shows that refusal rather than guessing who may decide.

import { download, get, post } from "../../../shared/js/api.js";
import { addDays, formatDate, formatDateTime, humanize, today } from "../../../shared/js/money.js";
import { $, alertBox, announce, capitalise, clearErrors, definitionList, h, link, section, showAlert, showApiError, showFormErrors, table } from "../../../shared/js/ui.js";
import { confirmDialog } from "../dialogs.js";
import { FINANCE, amount, canManage, noteDialog, params, startFinancePage, who, withButton } from "../finance.js";
import { paymentHref } from "../views.js";

await startFinancePage("GL journals");
const dayForm = $("#journal-day");
const container = $("#journals");
const result = $("#journal-result");
const byId = (id) => document.getElementById(id);
$("#date").value = params().get("date") || addDays(today(), -1);
const SOURCE_WORDS = { invoice_id: "invoice", refund_id: "refund", adjustment_id: "adjustment", application_id: "credit applied", credit_note_id: "credit note", payout_id: "payout" };

function sourceCell(line) {
  const source = line.source || {};
  const parts = Object.entries(source).map(([key, id]) => {
    if (key === "payment_id") return link(paymentHref(id), `payment ${id}`, { class: "usa-link secret-id" });
    if (key === "payout_id") return link(`finance-payouts.html?payout=${encodeURIComponent(id)}`, `payout ${id}`, { class: "usa-link secret-id" });
    return h("span", { class: "secret-id" }, `${SOURCE_WORDS[key] || humanize(key.replace(/_id$/, ""))} ${id}`);
  });
  return parts.map((part, i) => [i ? h("br") : "", part]);
}

const LINE_COLUMNS = [
  { label: "Line", cell: (x) => String(x.line) },
  { label: "Account", cell: (x) => x.account },
  { label: "Fund", cell: (x) => x.fund },
  { label: "Department", cell: (x) => (x.department ? humanize(x.department) : "") },
  { label: "Debit", numeric: true, cell: (x) => (x.debit ? amount(x.debit, x.currency) : "") },
  { label: "Credit", numeric: true, cell: (x) => (x.credit ? amount(x.credit, x.currency) : "") },
  { label: "Memo", cell: (x) => x.memo },
  { label: "Source", cell: sourceCell },
];

function totalsText(batch) {
  return batch.totals.map((t) => `${t.records} lines, debits ${amount(t.debits, t.currency)}, credits ${amount(t.credits, t.currency)}`).join("; ");
}

function actionButton(id, text, name, onclick, style = "usa-button--outline") {
  return h("button", { type: "button", class: `usa-button ${style}`, id, onclick }, text, h("span", { class: "usa-sr-only" }, ` of batch ${name}`));
}

function batchSection(batch) {
  const id = batch.batch_id;
  const buttons = [
    actionButton(`csv-${id}`, "Download CSV", id, (e) => save(batch, "csv", e.currentTarget)),
    actionButton(`json-${id}`, "Download JSON", id, (e) => save(batch, "json", e.currentTarget)),
  ];
  if (canManage() && !batch.imported_at) buttons.push(actionButton(`imported-${id}`, "Mark imported", id, (e) => markImported(batch, e.currentTarget)));
  if (canManage() && !batch.reverses) buttons.push(actionButton(`correct-${id}`, "Request a correction", id, (e) => requestCorrection(batch, e.currentTarget), "usa-button--secondary"));
  return h(
    "section",
    { class: "connected-system journal-batch", "aria-labelledby": `batch-${id}` },
    h("h2", { id: `batch-${id}`, class: "secret-id" }, id),
    definitionList([
      ["Banking day", formatDate(batch.business_date)],
      ["Reverses", batch.reverses || ""],
      ["Replaces", batch.replaces || ""],
      ["Built", `${formatDateTime(batch.created_at)} by ${who(batch.created_by)}`],
      ["Imported into the ERP", batch.imported_at ? `${formatDateTime(batch.imported_at)} by ${who(batch.imported_by)}` : "Not yet"],
      ["Control totals", totalsText(batch)],
      ["CSV SHA-256", h("code", { class: "secret-id" }, batch.csv_sha256)],
      ["JSON SHA-256", h("code", { class: "secret-id" }, batch.json_sha256)],
    ]),
    h("div", { id: `result-${id}` }),
    h("div", { class: "button-row" }, buttons),
    table({ caption: `Lines of batch ${id}`, rows: batch.lines, columns: LINE_COLUMNS, empty: "No lines: nothing moved on the days it takes." }),
  );
}

async function load(day) {
  const answer = await get(`${FINANCE}/journals`, { query: { date: day } });
  container.replaceChildren(
    ...(answer.batches.length
      ? answer.batches.map(batchSection)
      : [h("p", { class: "empty-state" }, `No journal for ${formatDate(day)} yet: the daily job builds it on the next banking day.`)]),
  );
  announce(`${answer.batches.length} batch${answer.batches.length === 1 ? "" : "es"} for ${formatDate(day)}.`);
}

async function show() {
  const day = $("#date").value;
  const kept = params();
  kept.set("date", day);
  history.replaceState(null, "", `?${kept}`);
  await section(container, "The journal", () => load(day));
}

/** Rebuild the day after a change; focus goes back to the control by its id (the old one was replaced). */
async function refresh(focusId) {
  try {
    await load($("#date").value);
  } catch (error) {
    showApiError(error, { container: result, what: "The journal" });
  }
  byId(focusId)?.focus();
}

async function save(batch, format, button) {
  const into = byId(`result-${batch.batch_id}`);
  const name = await withButton(button, "Downloading…", () => download(`${FINANCE}/journals/${encodeURIComponent(batch.batch_id)}`, { format }, `${batch.batch_id}.${format}`), (error) =>
    showApiError(error, { container: into, what: "The download" }),
  );
  if (name) showAlert(into, { type: "success", slim: true, text: `${name} downloaded.` });
}

async function markImported(batch, button) {
  const sure = await confirmDialog({
    id: "mark-imported",
    heading: "Mark this batch imported?",
    body: h("p", {}, `Say that batch ${batch.batch_id} is in the ERP. The first mark stands: it cannot be taken back.`),
    confirm: "Mark imported",
  });
  if (!sure) return button.focus();
  const into = byId(`result-${batch.batch_id}`);
  const marked = await withButton(button, "Marking…", () => post(`${FINANCE}/journals/${encodeURIComponent(batch.batch_id)}/imported`), (error) =>
    showApiError(error, { container: into, what: "Marking the batch imported" }),
  );
  if (!marked) return;
  await refresh(`csv-${batch.batch_id}`);
  showAlert(byId(`result-${batch.batch_id}`), { type: "success", slim: true, text: `Marked imported by ${who(marked.imported_by)}.` });
  announce("Marked imported.");
}

async function requestCorrection(batch, button) {
  const reason = await noteDialog({
    id: "correction",
    heading: `Correct batch ${batch.batch_id}?`,
    intro: "Another finance user decides. Approved, a batch reversing this one and a new batch built from the ledger as it stands are stored; this one is never changed.",
    label: "Why it needs correcting",
    hint: "At least 3 characters; the decider reads it.",
    confirm: "Request the correction",
    min: 3,
  });
  if (reason === null) return button.focus();
  const into = byId(`result-${batch.batch_id}`);
  const filed = await withButton(button, "Requesting…", () => post(`${FINANCE}/journals/${encodeURIComponent(batch.batch_id)}/corrections`, { reason }), (error) =>
    showApiError(error, { container: into, what: "The correction" }),
  );
  if (!filed) return;
  const share = `finance-journals.html?${new URLSearchParams({ date: batch.business_date, correction: filed.correction_id })}`;
  const box = alertBox({
    type: "success",
    heading: "Correction requested",
    children: [
      h("p", { class: "usa-alert__text" }, "Correction ", h("code", { class: "secret-id" }, filed.correction_id), " waits for another finance user to decide it."),
      h("p", { class: "usa-alert__text" }, link(share, "Link to decide it"), " (pass it on)."),
    ],
    focus: true,
  });
  into.replaceChildren(box);
  box.focus();
}

// --- deciding a correction --------------------------------------------------------------------------------------

const decideForm = $("#decide-form");
async function decide(decision, button) {
  const id = $("#correction-id").value.trim();
  if (!/^jfx_[0-9A-Za-z]{10,40}$/.test(id)) {
    return showFormErrors(decideForm, [{ field: "correction-id", reason: "Enter the correction's id: jfx_ and letters and digits." }]);
  }
  clearErrors(decideForm);
  const into = $("#decide-result");
  const decided = await withButton(
    button,
    decision === "approve" ? "Approving…" : "Rejecting…",
    () => post(`${FINANCE}/journals/corrections/${encodeURIComponent(id)}/decision`, { decision }),
    (error) => {
      if (error.code === "self_approval") {
        showAlert(into, { type: "error", heading: "You cannot decide your own request", text: capitalise(error.message), focus: true });
      } else {
        showApiError(error, { container: into, what: "The decision" });
      }
    },
  );
  if (!decided) return;
  const text =
    decided.status === "approved" || decided.new_batch_id
      ? `Approved: reversal ${decided.reversal_batch_id} and new batch ${decided.new_batch_id} are stored.`
      : `Correction ${humanize(decided.status).toLowerCase()}: batch ${decided.batch_id} stands as it is.`;
  await refresh(decision === "approve" ? "approve-correction" : "reject-correction");
  showAlert(into, { type: "success", text, focus: true });
  announce(text);
}

if (canManage()) {
  $("#decide-section").hidden = false;
  $("#correction-id").value = params().get("correction") || "";
  decideForm.addEventListener("submit", (event) => {
    event.preventDefault();
    decide("approve", $("#approve-correction"));
  });
  $("#reject-correction").addEventListener("click", (event) => decide("reject", event.currentTarget));
}

dayForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!$("#date").value) return showFormErrors(dayForm, [{ field: "date", reason: "Enter a banking day." }]);
  clearErrors(dayForm);
  await show();
});

await show();
