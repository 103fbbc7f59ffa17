// Bank files (finance.read; importing takes finance.manage): the ACH return-rate tile against the NACHA limits, a
// file uploaded as it is (its bytes are the body, application/octet-stream, its name in X-Filename) with what
// matching made of it, the files received,
// one file's lines with their match (?file=), and the agency's bank accounts as configured.

import { get, request } from "../../../shared/js/api.js";
import { formatDate, formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, announce, definitionList, h, link, section, showApiError, showFormErrors, clearErrors, table } from "../../../shared/js/ui.js";
import { FINANCE, amount, canManage, pagedTable, params, startFinancePage, who, withButton } from "../finance.js";

await startFinancePage("Bank files");

const COUNTS = [
  ["lines", "Lines"],
  ["matched", "Matched and applied"],
  ["suggested", "Suggested (to confirm)"],
  ["unmatched", "Unmatched"],
  ["ignored", "Not receivables"],
  ["already_seen", "Seen in an earlier file"],
];
const FORMATS = { bai2: "BAI2", "camt.053": "camt.053", "camt.054": "camt.054", lockbox_csv: "Lockbox CSV" };
const formatName = (format) => FORMATS[format] || humanize(format);
const fileHref = (id) => `finance-bank-files.html?file=${encodeURIComponent(id)}`;
const queueHref = (status) => `finance-bank-lines.html?status=${status}`;

// --- return rates -----------------------------------------------------------------------------------------------

const LEVEL_CLASS = { ok: "figure--good", warning: "figure--alert", breach: "figure--alert" };
const STATES = { ok: "Within the limit", warning: "Close to the limit", breach: "Over the limit" };
// A rate as a percentage, from a percentage (percent) or a fraction (rate)
const pct = (percent, fraction) => (percent ?? Number(fraction) * 100);
const percentText = (value) => `${Number(value).toFixed(2)} %`;

function rateFigure(rate) {
  const level = rate.status || rate.level || "ok";
  return h(
    "div",
    { class: `figure ${LEVEL_CLASS[level] || ""}`, dataset: { category: rate.category } },
    h("h3", { class: "margin-0 font-body-sm" }, humanize(rate.category)),
    h("p", { class: "amount" }, percentText(pct(rate.percent, rate.rate))),
    h("p", {}, `${rate.returns} returned of ${rate.debits} debits; limit ${percentText(pct(rate.limit_percent, rate.limit))}. ${STATES[level] || humanize(level)}.`),
  );
}

await section($("#return-rates"), "ACH return rates", async () => {
  const answer = await get(`${FINANCE}/return-rates`);
  const rates = Array.isArray(answer.rates) ? answer.rates : Object.entries(answer.rates).map(([category, r]) => ({ category, ...r }));
  const from = answer.window_start || answer.from;
  const to = answer.window_end || answer.to || answer.as_of;
  $("#return-rates").replaceChildren(
    h("p", {}, `Returns of ACH debits from ${formatDate(from)} to ${formatDate(to)} (rolling 60 days), against the NACHA limits.`),
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
  return [tag, h("br"), `Score ${best.score}: ${best.reasons.join("; ")}`];
}

const LINE_COLUMNS = [
  { label: "Booked", cell: (l) => formatDate(l.booking_date) },
  { label: "Amount", numeric: true, cell: (l) => amount(l.amount, l.currency) },
  { label: "Kind", cell: (l) => humanize(l.kind) },
  { label: "Payer", cell: (l) => l.payer_name || "" },
  { label: "Remittance", cell: (l) => l.remittance || "" },
  { label: "Match", cell: matchCell },
];

async function showFile(fileId) {
  $("#file-section").hidden = false;
  await section($("#file"), "The file", async () => {
    const file = await get(`${FINANCE}/bank-files/${encodeURIComponent(fileId)}`);
    $("#file-heading").textContent = `File ${file.filename || file.file_id}`;
    $("#file").replaceChildren(
      definitionList([
        ["File", h("code", { class: "secret-id" }, file.file_id)],
        ["Format", formatName(file.format)],
        ["Received", `${formatDateTime(file.received_at)} by ${who(file.received_by)}`],
        ["Accounts", (file.accounts || []).join(", ")],
        ...counts(file.counts || file),
      ]),
      table({ caption: `Lines of file ${file.filename || file.file_id} with their match`, rows: file.lines || [], columns: LINE_COLUMNS, empty: "No lines." }),
    );
  });
}

// --- the files --------------------------------------------------------------------------------------------------

const files = pagedTable($("#files"), {
  path: `${FINANCE}/bank-files`,
  key: "files",
  query: {},
  what: "Files",
  caption: "Bank files received, latest first",
  empty: "No bank file yet.",
  columns: [
    { label: "Received", cell: (f) => formatDateTime(f.received_at) },
    { label: "File", cell: (f) => link(fileHref(f.file_id), f.filename || f.file_id, { class: "usa-link secret-id" }) },
    { label: "Format", cell: (f) => formatName(f.format) },
    { label: "Lines", numeric: true, cell: (f) => String((f.counts || f).lines ?? "") },
    { label: "Matched", numeric: true, cell: (f) => String((f.counts || f).matched ?? "") },
    { label: "To decide", numeric: true, cell: (f) => String(((f.counts || f).suggested ?? 0) + ((f.counts || f).unmatched ?? 0)) },
    { label: "Status", cell: (f) => humanize(f.status || "") },
  ],
});

// --- upload -----------------------------------------------------------------------------------------------------

function showImported(answer) {
  const queue = (answer.suggested || 0) + (answer.unmatched || 0);
  const box = alertBox({
    type: "success",
    heading: answer.duplicate ? "This file was imported before" : "File imported",
    children: [
      h("p", { class: "usa-alert__text" }, `${formatName(answer.format)} file `, h("code", { class: "secret-id" }, answer.file_id)),
      definitionList(counts(answer)),
      h(
        "p",
        { class: "usa-alert__text" },
        link(fileHref(answer.file_id), "See its lines"),
        queue ? [" · ", link(queueHref(answer.suggested ? "suggested" : "unmatched"), `Open the unmatched queue (${queue} to decide)`)] : "",
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
    if (!file) return showFormErrors(form, [{ field: "bank-file", reason: "Choose the bank file to import." }]);
    clearErrors(form);
    const answer = await withButton(
      $("#upload"),
      "Importing…",
      () => request("POST", `${FINANCE}/bank-files`, { rawBody: file, headers: { "X-Filename": file.name } }),
      (error) => showApiError(error, { container: $("#upload-result"), what: "Importing the file" }),
    );
    if (!answer) return;
    showImported(answer);
    announce("File imported.");
    await files.reload();
  });
}

await files.reload();
const picked = params().get("file");
if (picked) await showFile(picked);

await section($("#accounts"), "Bank accounts", async () => {
  const listed = await get(`${FINANCE}/bank-accounts`);
  $("#accounts").replaceChildren(
    table({
      caption: "Bank accounts from the deployment config (bankAccounts)",
      rows: listed.accounts,
      empty: "No bank account is configured: every bank file is refused.",
      columns: [
        { label: "Account", cell: (a) => a.account_id },
        { label: "Name", cell: (a) => a.name },
        { label: "Bank", cell: (a) => a.bank_name },
        { label: "Routing", cell: (a) => a.routing_number },
        { label: "Number", cell: (a) => a.account_number },
        { label: "Receives", cell: (a) => (a.receives || []).map(humanize).join(", ") },
      ],
    }),
  );
});
