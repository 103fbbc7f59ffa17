// One invoice: what it is for (its lines), what was paid and credited against it, and what is left to pay.

import { get } from "../../../shared/js/api.js";
import { showBankTransfer } from "../bank-transfer.js";
import { section, startPage } from "../layout.js";
import { formatDate, formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, definitionList, h, link, methodLabel, money, statusTag, table } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.invoice;

await startPage({ title: C.title });
const id = new URLSearchParams(location.search).get("id") || "";
const UNPAID = new Set(["open", "partially_paid", "overdue"]);

function render({ invoice, payments, credit_notes: credits }) {
  $("#title").textContent = C.heading(invoice.invoice_number);
  document.title = document.title.replace(C.title, C.heading(invoice.invoice_number));
  const period = invoice.period_start ? C.period(formatDate(invoice.period_start), formatDate(invoice.period_end)) : null;
  return [
    definitionList([
      [C.facts.status, statusTag(invoice.status)],
      [C.facts.account, invoice.account_number],
      [C.facts.department, humanize(invoice.department)],
      [C.facts.issued, formatDate(invoice.issue_date)],
      [C.facts.due, formatDate(invoice.due_date)],
      [C.facts.period, period],
      [C.facts.amount, money(invoice.amount)],
      [C.facts.paid, money(invoice.amount_paid)],
      [C.facts.credited, money(invoice.credited)],
      [C.facts.balance, h("strong", {}, money(invoice.balance))],
    ]),
    UNPAID.has(invoice.status)
      ? h(
          "div",
          { class: "button-row" },
          h("a", { class: "usa-button", href: `pay.html?invoices=${encodeURIComponent(invoice.invoice_id)}` }, C.pay),
        )
      : null,
    h("h2", {}, C.charges),
    table({
      caption: C.chargesCaption,
      captionHidden: true,
      rows: invoice.lines,
      columns: [
        { label: C.columns.description, cell: (l) => l.description },
        { label: C.columns.quantity, cell: (l) => String(l.quantity), numeric: true },
        { label: C.columns.unitPrice, cell: (l) => money(l.unit_amount), numeric: true },
        { label: C.columns.amount, cell: (l) => money(l.amount), numeric: true },
      ],
    }),
    h("h2", {}, C.payments),
    table({
      caption: C.paymentsCaption,
      captionHidden: true,
      rows: payments,
      empty: C.noPayments,
      columns: [
        { label: C.columns.date, cell: (p) => link(`payment.html?id=${encodeURIComponent(p.payment_id)}`, formatDateTime(p.applied_at)) },
        { label: C.columns.method, cell: (p) => (p.method ? methodLabel(p.method) : "—") },
        { label: C.columns.status, cell: (p) => (p.status ? statusTag(p.status) : "—") },
        { label: C.columns.receipt, cell: (p) => p.receipt_number || "—" },
        { label: C.columns.applied, cell: (p) => money(p.amount), numeric: true },
      ],
    }),
    h("h2", {}, C.credits),
    table({
      caption: C.creditsCaption,
      captionHidden: true,
      rows: credits,
      empty: C.noCredits,
      columns: [
        { label: C.columns.creditNote, cell: (c) => c.number },
        { label: C.columns.reason, cell: (c) => c.reason },
        { label: C.columns.appliedOn, cell: (c) => formatDateTime(c.applied_at) },
        { label: C.columns.amount, cell: (c) => money(c.amount), numeric: true },
      ],
    }),
    h("p", { class: "margin-top-4" }, link("invoices.html", C.back)),
  ];
}

await section($("#invoice"), C.section, async () => {
  const detail = await get(`/v1/portal/invoices/${encodeURIComponent(id)}`);
  $("#invoice").replaceChildren(...render(detail));
  if (UNPAID.has(detail.invoice.status)) await showBankTransfer($("#bank-transfer"));
});
