// Bank files (finance.read; importing takes finance.manage): the ACH return-rate tile against the NACHA limits, a
// file uploaded as it is (its bytes are the body, application/octet-stream, its name in X-Filename) with what
// matching made of it, the files received,
// one file's lines with their match (?file=), and the agency's bank accounts as configured.

import { get, request } from "../../../shared/js/api.js";
import { formatDate, formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, announce, definitionList, h, link, section, showApiError, showFormErrors, clearErrors, table } from "../../../shared/js/ui.js";
import { FINANCE, amount, canManage, pagedTable, params, startFinancePage, who, withButton } from "../finance.js";
import { COPY } from "../copy.js";

const C = COPY.bankFiles;

await startFinancePage(C.title);

const COUNTS = Object.entries(C.counts);
const FORMATS = { bai2: "BAI2", "camt.053": "camt.053", "camt.054": "camt.054", lockbox_csv: C.lockbox };
const formatName = (format) => FORMATS[format] || humanize(format);
const fileHref = (id) => `finance-bank-files.html?file=${encodeURIComponent(id)}`;
const queueHref = (status) => `finance-bank-lines.html?status=${status}`;

// --- return rates -----------------------------------------------------------------------------------------------

const LEVEL_CLASS = { ok: "figure--good", warning: "figure--alert", breach: "figure--alert" };
const STATES = C.states;
// A rate as a percentage, from a percentage (percent) or a fraction (rate)
const pct = (percent, fraction) => (percent ?? Number(fraction) * 100);
const percentText = (value) => C.percent(Number(value).toFixed(2));

function rateFigure(rate) {
  const level = rate.status || rate.level || "ok";
  return h(
    "div",
    { class: `figure ${LEVEL_CLASS[level] || ""}`, dataset: { category: rate.category } },
    h("h3", { class: "margin-0 font-body-sm" }, humanize(rate.category)),
    h("p", { class: "amount" }, percentText(pct(rate.percent, rate.rate))),
    h("p", {}, C.rate(rate.returns, rate.debits, percentText(pct(rate.limit_percent, rate.limit)), STATES[level] || humanize(level))),
  );
}

await section($("#return-rates"), C.returnRates, async () => {
  const answer = await get(`${FINANCE}/return-rates`);
  const rates = Array.isArray(answer.rates) ? answer.rates : Object.entries(answer.rates).map(([category, r]) => ({ category, ...r }));
  const from = answer.window_start || answer.from;
  const to = answer.window_end || answer.to || answer.as_of;
  $("#return-rates").replaceChildren(
    h("p", {}, C.window(formatDate(from), formatDate(to))),
    h("div", { class: "figures" }, rates.map(rateFigure)),
  );
});

// --- one file ---------------------------------------------------------------------------------------------------

function counts(c) {
  return COUNTS.filter(([key]) => c[key] !== undefined).map(([key, label]) => [label, String(c[key])]);
}

function matchCell(line) {
  const best = line.match?.best;
  const tag = h("span", { class: `usa-tag ${line.status === "matched" || line.status === "decided" ? "tag--success" : line.status === "ignored" ? "tag--neutral" : "tag--warning"}` }, humanize(line.status));
  if (!best) return tag;
  return [tag, h("br"), C.score(best.score, best.reasons.join("; "))];
}

const LINE_COLUMNS = [
  { label: C.columns.booked, cell: (l) => formatDate(l.booking_date) },
  { label: C.columns.amount, numeric: true, cell: (l) => amount(l.amount, l.currency) },
  { label: C.columns.kind, cell: (l) => humanize(l.kind) },
  { label: C.columns.payer, cell: (l) => l.payer_name || "" },
  { label: C.columns.remittance, cell: (l) => l.remittance || "" },
  { label: C.columns.match, cell: matchCell },
];

async function showFile(fileId) {
  $("#file-section").hidden = false;
  await section($("#file"), C.theFile, async () => {
    const file = await get(`${FINANCE}/bank-files/${encodeURIComponent(fileId)}`);
    $("#file-heading").textContent = C.fileHeading(file.filename || file.file_id);
    $("#file").replaceChildren(
      definitionList([
        [C.facts.file, h("code", { class: "secret-id" }, file.file_id)],
        [C.facts.format, formatName(file.format)],
        [C.facts.received, C.received(formatDateTime(file.received_at), who(file.received_by))],
        [C.facts.accounts, (file.accounts || []).join(", ")],
        ...counts(file.counts || file),
      ]),
      table({ caption: C.linesCaption(file.filename || file.file_id), rows: file.lines || [], columns: LINE_COLUMNS, empty: C.noLines }),
    );
  });
}

// --- the files --------------------------------------------------------------------------------------------------

const files = pagedTable($("#files"), {
  path: `${FINANCE}/bank-files`,
  key: "files",
  query: {},
  what: C.what,
  caption: C.filesCaption,
  empty: C.noFiles,
  columns: [
    { label: C.columns.received, cell: (f) => formatDateTime(f.received_at) },
    { label: C.columns.file, cell: (f) => link(fileHref(f.file_id), f.filename || f.file_id, { class: "usa-link secret-id" }) },
    { label: C.columns.format, cell: (f) => formatName(f.format) },
    { label: C.columns.lines, numeric: true, cell: (f) => String((f.counts || f).lines ?? "") },
    { label: C.columns.matched, numeric: true, cell: (f) => String((f.counts || f).matched ?? "") },
    { label: C.columns.toDecide, numeric: true, cell: (f) => String(((f.counts || f).suggested ?? 0) + ((f.counts || f).unmatched ?? 0)) },
    { label: C.columns.status, cell: (f) => humanize(f.status || "") },
  ],
});

// --- upload -----------------------------------------------------------------------------------------------------

function showImported(answer) {
  const queue = (answer.suggested || 0) + (answer.unmatched || 0);
  const box = alertBox({
    type: "success",
    heading: answer.duplicate ? C.importedBefore : C.imported,
    children: [
      h("p", { class: "usa-alert__text" }, C.fileOf(formatName(answer.format)), h("code", { class: "secret-id" }, answer.file_id)),
      definitionList(counts(answer)),
      h(
        "p",
        { class: "usa-alert__text" },
        link(fileHref(answer.file_id), C.seeLines),
        queue ? [" · ", link(queueHref(answer.suggested ? "suggested" : "unmatched"), C.openQueue(queue))] : "",
      ),
    ],
    focus: true,
  });
  $("#upload-result").replaceChildren(box);
  box.focus();
}

if (canManage()) {
  $("#upload-section").hidden = false;
  const form = $("#upload-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("#bank-file").files[0];
    if (!file) return showFormErrors(form, [{ field: "bank-file", reason: C.chooseFile }]);
    clearErrors(form);
    const answer = await withButton(
      $("#upload"),
      C.importing,
      () => request("POST", `${FINANCE}/bank-files`, { rawBody: file, headers: { "X-Filename": file.name } }),
      (error) => showApiError(error, { container: $("#upload-result"), what: C.importingWhat }),
    );
    if (!answer) return;
    showImported(answer);
    announce(C.importedAnnounce);
    await files.reload();
  });
}

await files.reload();
const picked = params().get("file");
if (picked) await showFile(picked);

await section($("#accounts"), C.accounts, async () => {
  const listed = await get(`${FINANCE}/bank-accounts`);
  $("#accounts").replaceChildren(
    table({
      caption: C.accountsCaption,
      rows: listed.accounts,
      empty: C.noAccounts,
      columns: [
        { label: C.columns.account, cell: (a) => a.account_id },
        { label: C.columns.name, cell: (a) => a.name },
        { label: C.columns.bank, cell: (a) => a.bank_name },
        { label: C.columns.routing, cell: (a) => a.routing_number },
        { label: C.columns.number, cell: (a) => a.account_number },
        { label: C.columns.receives, cell: (a) => (a.receives || []).map(humanize).join(", ") },
      ],
    }),
  );
});
