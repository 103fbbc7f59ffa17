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
import { COPY } from "../copy.js";

const C = COPY.journals;

await startFinancePage(C.title);
const dayForm = $("#journal-day");
const container = $("#journals");
const result = $("#journal-result");
const byId = (id) => document.getElementById(id);
$("#date").value = params().get("date") || addDays(today(), -1);
const SOURCE_WORDS = C.sources;

function sourceCell(line) {
  const source = line.source || {};
  const parts = Object.entries(source).map(([key, id]) => {
    if (key === "payment_id") return link(paymentHref(id), C.payment(id), { class: "usa-link secret-id" });
    if (key === "payout_id") return link(`finance-payouts.html?payout=${encodeURIComponent(id)}`, C.payout(id), { class: "usa-link secret-id" });
    return h("span", { class: "secret-id" }, C.source(SOURCE_WORDS[key] || humanize(key.replace(/_id$/, "")), id));
  });
  return parts.map((part, i) => [i ? h("br") : "", part]);
}

const LINE_COLUMNS = [
  { label: C.columns.line, cell: (x) => String(x.line) },
  { label: C.columns.account, cell: (x) => x.account },
  { label: C.columns.fund, cell: (x) => x.fund },
  { label: C.columns.department, cell: (x) => (x.department ? humanize(x.department) : "") },
  { label: C.columns.debit, numeric: true, cell: (x) => (x.debit ? amount(x.debit, x.currency) : "") },
  { label: C.columns.credit, numeric: true, cell: (x) => (x.credit ? amount(x.credit, x.currency) : "") },
  { label: C.columns.memo, cell: (x) => x.memo },
  { label: C.columns.source, cell: sourceCell },
];

function totalsText(batch) {
  return batch.totals.map((t) => C.totals(t.records, amount(t.debits, t.currency), amount(t.credits, t.currency))).join("; ");
}

function actionButton(id, text, name, onclick, style = "usa-button--outline") {
  return h("button", { type: "button", class: `usa-button ${style}`, id, onclick }, text, h("span", { class: "usa-sr-only" }, C.ofBatch(name)));
}

function batchSection(batch) {
  const id = batch.batch_id;
  const buttons = [
    actionButton(`csv-${id}`, C.downloadCsv, id, (e) => save(batch, "csv", e.currentTarget)),
    actionButton(`json-${id}`, C.downloadJson, id, (e) => save(batch, "json", e.currentTarget)),
  ];
  if (canManage() && !batch.imported_at) buttons.push(actionButton(`imported-${id}`, C.markImported, id, (e) => markImported(batch, e.currentTarget)));
  if (canManage() && !batch.reverses) buttons.push(actionButton(`correct-${id}`, C.requestCorrection, id, (e) => requestCorrection(batch, e.currentTarget), "usa-button--secondary"));
  return h(
    "section",
    { class: "connected-system journal-batch", "aria-labelledby": `batch-${id}` },
    h("h2", { id: `batch-${id}`, class: "secret-id" }, id),
    definitionList([
      [C.facts.day, formatDate(batch.business_date)],
      [C.facts.reverses, batch.reverses || ""],
      [C.facts.replaces, batch.replaces || ""],
      [C.facts.built, C.at(formatDateTime(batch.created_at), who(batch.created_by))],
      [C.facts.imported, batch.imported_at ? C.at(formatDateTime(batch.imported_at), who(batch.imported_by)) : C.notYet],
      [C.facts.totals, totalsText(batch)],
      [C.facts.csv, h("code", { class: "secret-id" }, batch.csv_sha256)],
      [C.facts.json, h("code", { class: "secret-id" }, batch.json_sha256)],
    ]),
    h("div", { id: `result-${id}` }),
    h("div", { class: "button-row" }, buttons),
    table({ caption: C.linesCaption(id), rows: batch.lines, columns: LINE_COLUMNS, empty: C.noLines }),
  );
}

async function load(day) {
  const answer = await get(`${FINANCE}/journals`, { query: { date: day } });
  container.replaceChildren(
    ...(answer.batches.length
      ? answer.batches.map(batchSection)
      : [h("p", { class: "empty-state" }, C.noJournal(formatDate(day)))]),
  );
  announce(C.batches(answer.batches.length, formatDate(day)));
}

async function show() {
  const day = $("#date").value;
  const kept = params();
  kept.set("date", day);
  history.replaceState(null, "", `?${kept}`);
  await section(container, C.theJournal, () => load(day));
}

/** Rebuild the day after a change; focus goes back to the control by its id (the old one was replaced). */
async function refresh(focusId) {
  try {
    await load($("#date").value);
  } catch (error) {
    showApiError(error, { container: result, what: C.theJournal });
  }
  byId(focusId)?.focus();
}

async function save(batch, format, button) {
  const into = byId(`result-${batch.batch_id}`);
  const name = await withButton(button, C.downloading, () => download(`${FINANCE}/journals/${encodeURIComponent(batch.batch_id)}`, { format }, `${batch.batch_id}.${format}`), (error) =>
    showApiError(error, { container: into, what: C.theDownload }),
  );
  if (name) showAlert(into, { type: "success", slim: true, text: C.downloaded(name) });
}

async function markImported(batch, button) {
  const sure = await confirmDialog({
    id: "mark-imported",
    heading: C.markHeading,
    body: h("p", {}, C.markText(batch.batch_id)),
    confirm: C.markImported,
  });
  if (!sure) return button.focus();
  const into = byId(`result-${batch.batch_id}`);
  const marked = await withButton(button, C.marking, () => post(`${FINANCE}/journals/${encodeURIComponent(batch.batch_id)}/imported`), (error) =>
    showApiError(error, { container: into, what: C.markingWhat }),
  );
  if (!marked) return;
  await refresh(`csv-${batch.batch_id}`);
  showAlert(byId(`result-${batch.batch_id}`), { type: "success", slim: true, text: C.markedBy(who(marked.imported_by)) });
  announce(C.marked);
}

async function requestCorrection(batch, button) {
  const reason = await noteDialog({
    id: "correction",
    heading: C.correctHeading(batch.batch_id),
    intro: C.correctIntro,
    label: C.correctLabel,
    hint: C.correctHint,
    confirm: C.correctConfirm,
    min: 3,
  });
  if (reason === null) return button.focus();
  const into = byId(`result-${batch.batch_id}`);
  const filed = await withButton(button, C.requesting, () => post(`${FINANCE}/journals/${encodeURIComponent(batch.batch_id)}/corrections`, { reason }), (error) =>
    showApiError(error, { container: into, what: C.theCorrection }),
  );
  if (!filed) return;
  const share = `finance-journals.html?${new URLSearchParams({ date: batch.business_date, correction: filed.correction_id })}`;
  const box = alertBox({
    type: "success",
    heading: C.requested,
    children: [
      h("p", { class: "usa-alert__text" }, C.correction, h("code", { class: "secret-id" }, filed.correction_id), C.waits),
      h("p", { class: "usa-alert__text" }, link(share, C.linkToDecide), C.passItOn),
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
    return showFormErrors(decideForm, [{ field: "correction-id", reason: C.enterCorrection }]);
  }
  clearErrors(decideForm);
  const into = $("#decide-result");
  const decided = await withButton(
    button,
    decision === "approve" ? C.approving : C.rejecting,
    () => post(`${FINANCE}/journals/corrections/${encodeURIComponent(id)}/decision`, { decision }),
    (error) => {
      if (error.code === "self_approval") {
        showAlert(into, { type: "error", heading: C.ownRequest, text: capitalise(error.message), focus: true });
      } else {
        showApiError(error, { container: into, what: C.theDecision });
      }
    },
  );
  if (!decided) return;
  const text =
    decided.status === "approved" || decided.new_batch_id
      ? C.approved(decided.reversal_batch_id, decided.new_batch_id)
      : C.decided(humanize(decided.status).toLowerCase(), decided.batch_id);
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
  if (!$("#date").value) return showFormErrors(dayForm, [{ field: "date", reason: C.enterDay }]);
  clearErrors(dayForm);
  await show();
});

await show();
