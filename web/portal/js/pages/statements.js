// Statements for a date range (and optionally one account): shown on the page, or stored as a PDF or CSV
// document and downloaded through the short-lived link the API answers with.

import { get, saveLink } from "../../../shared/js/api.js";
import { showBankTransfer } from "../bank-transfer.js";
import { section, startPage } from "../layout.js";
import { addDays, formatDate, humanize, today } from "../../../shared/js/money.js";
import { $, busy, definitionList, h, money, showAlert, showApiError, table, validate } from "../../../shared/js/ui.js";

await startPage({ title: "Statements" });
const form = $("#range");
const FIELDS = { from: "from", to: "to", account: "account" };

function period() {
  return { from: $("#from").value, to: $("#to").value, account: $("#account").value || null };
}

function checked() {
  const dateRule = (what) => (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? null : `Enter the ${what} date.`);
  return validate(form, [
    ["from", dateRule("first")],
    ["to", (value) => dateRule("last")(value) || (value > today() ? "The last day can be today at the latest." : null) || (value < $("#from").value ? "The last day must be on or after the first." : null)],
  ]);
}

function render(s) {
  const aging = s.aging;
  return [
    definitionList([
      ["Period", `${formatDate(s.from_date)} to ${formatDate(s.to_date)}`],
      ["Account", s.account_number || "All accounts"],
      ["Opening balance", money(s.opening_balance)],
      ["Billed", money(s.totals.invoiced)],
      ["Paid", money(s.totals.paid)],
      ["Credited", money(s.totals.credited)],
      ["Closing balance", h("strong", {}, money(s.closing_balance))],
    ]),
    table({
      caption: `Activity from ${formatDate(s.from_date)} to ${formatDate(s.to_date)}`,
      rows: s.lines,
      empty: "No activity in this period.",
      columns: [
        { label: "Date", cell: (l) => formatDate(l.date) },
        { label: "What", cell: (l) => [humanize(l.kind), l.pending ? " (pending)" : ""] },
        { label: "Reference", cell: (l) => l.reference },
        { label: "Description", cell: (l) => l.description },
        { label: "Amount", cell: (l) => money(l.amount), numeric: true },
        { label: "Balance", cell: (l) => money(l.balance), numeric: true },
      ],
    }),
    table({
      caption: `What is owed by age, as of ${formatDate(aging.as_of)}`,
      rows: [aging],
      columns: [
        { label: "Current", cell: (a) => money(a.current), numeric: true, header: false },
        { label: "1 to 30 days", cell: (a) => money(a.days_1_30), numeric: true },
        { label: "31 to 60 days", cell: (a) => money(a.days_31_60), numeric: true },
        { label: "61 to 90 days", cell: (a) => money(a.days_61_90), numeric: true },
        { label: "Over 90 days", cell: (a) => money(a.days_over_90), numeric: true },
        { label: "Total due", cell: (a) => money(a.total_due), numeric: true },
      ],
    }),
  ];
}

async function show() {
  await section($("#statement"), "The statement", async () => {
    const statement = await get("/v1/portal/statements", { query: period() });
    $("#statement").replaceChildren(...render(statement));
  });
}

async function downloadAs(format, button) {
  if (!checked()) return;
  const note = $("#download-status");
  const restore = busy(button, "Preparing…");
  try {
    const file = await get("/v1/portal/statements", { query: { ...period(), format } });
    saveLink(file.url, `statement-${period().from}-to-${period().to}.${format}`);
    showAlert(note, { type: "success", slim: true, text: `Your ${format.toUpperCase()} statement is downloading.` });
  } catch (error) {
    showApiError(error, { container: note, form, fieldMap: FIELDS, what: "Statement downloads" });
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
