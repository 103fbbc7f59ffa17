// Statements for a date range (and optionally one account): shown on the page, or stored as a PDF or CSV
// document and downloaded through the short-lived link the API answers with.

import { get, saveLink } from "../../../shared/js/api.js";
import { showBankTransfer } from "../bank-transfer.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { addDays, formatDate, humanize, today } from "../../../shared/js/money.js";
import { $, busy, definitionList, h, money, showAlert, showApiError, table, validate } from "../../../shared/js/ui.js";

await startPage({ title: COPY.statements.title });
const form = $("#range");
const FIELDS = { from: "from", to: "to", account: "account" };

function period() {
  return { from: $("#from").value, to: $("#to").value, account: $("#account").value || null };
}

function checked() {
  const dateRule = (what) => (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? null : COPY.statements.enterDate(what));
  return validate(form, [
    ["from", dateRule(COPY.statements.first)],
    ["to", (value) => dateRule(COPY.statements.last)(value) || (value > today() ? COPY.statements.notFuture : null) || (value < $("#from").value ? COPY.statements.notBefore : null)],
  ]);
}

function render(s) {
  const aging = s.aging;
  return [
    definitionList([
      [COPY.statements.period, COPY.statements.range(formatDate(s.from_date), formatDate(s.to_date))],
      [COPY.statements.account, s.account_number || COPY.statements.allAccounts],
      [COPY.statements.opening, money(s.opening_balance)],
      [COPY.statements.billed, money(s.totals.invoiced)],
      [COPY.statements.paid, money(s.totals.paid)],
      [COPY.statements.credited, money(s.totals.credited)],
      [COPY.statements.closing, h("strong", {}, money(s.closing_balance))],
    ]),
    table({
      caption: COPY.statements.activity(formatDate(s.from_date), formatDate(s.to_date)),
      rows: s.lines,
      empty: COPY.statements.noActivity,
      columns: [
        { label: COPY.statements.columns.date, cell: (l) => formatDate(l.date) },
        { label: COPY.statements.columns.what, cell: (l) => [humanize(l.kind), l.pending ? COPY.statements.columns.pending : ""] },
        { label: COPY.statements.columns.reference, cell: (l) => l.reference },
        { label: COPY.statements.columns.description, cell: (l) => l.description },
        { label: COPY.statements.columns.amount, cell: (l) => money(l.amount), numeric: true },
        { label: COPY.statements.columns.balance, cell: (l) => money(l.balance), numeric: true },
      ],
    }),
    table({
      caption: COPY.statements.aging(formatDate(aging.as_of)),
      rows: [aging],
      columns: [
        { label: COPY.statements.ages.current, cell: (a) => money(a.current), numeric: true, header: false },
        { label: COPY.statements.ages.days1to30, cell: (a) => money(a.days_1_30), numeric: true },
        { label: COPY.statements.ages.days31to60, cell: (a) => money(a.days_31_60), numeric: true },
        { label: COPY.statements.ages.days61to90, cell: (a) => money(a.days_61_90), numeric: true },
        { label: COPY.statements.ages.over90, cell: (a) => money(a.days_over_90), numeric: true },
        { label: COPY.statements.ages.totalDue, cell: (a) => money(a.total_due), numeric: true },
      ],
    }),
  ];
}

async function show() {
  await section($("#statement"), COPY.statements.theStatement, async () => {
    const statement = await get("/v1/portal/statements", { query: period() });
    $("#statement").replaceChildren(...render(statement));
  });
}

async function downloadAs(format, button) {
  if (!checked()) return;
  const note = $("#download-status");
  const restore = busy(button, COPY.statements.preparing);
  try {
    const file = await get("/v1/portal/statements", { query: { ...period(), format } });
    saveLink(file.url, `statement-${period().from}-to-${period().to}.${format}`);
    showAlert(note, { type: "success", slim: true, text: COPY.statements.downloading(format.toUpperCase()) });
  } catch (error) {
    showApiError(error, { container: note, form, fieldMap: FIELDS, what: COPY.statements.downloads });
  } finally {
    restore();
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!checked()) return;
  await show();
  $("#statement-heading").focus();
});
$("#pdf").addEventListener("click", (event) => downloadAs("pdf", event.currentTarget));
$("#csv").addEventListener("click", (event) => downloadAs("csv", event.currentTarget));

// The last three months by default.
$("#to").value = today();
$("#from").value = addDays(today(), -90);
$("#to").max = today();
const accounts = await get("/v1/portal/accounts", { query: { limit: 100 } }).catch(() => ({ accounts: [] }));
for (const a of accounts.accounts) $("#account").append(h("option", { value: a.account_number }, `${a.account_number} (${a.description})`));
await show();
await showBankTransfer($("#bank-transfer"));
