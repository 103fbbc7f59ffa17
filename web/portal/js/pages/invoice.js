// One invoice: what it is for (its lines), what was paid and credited against it, and what is left to pay.

import { get } from "../../../shared/js/api.js";
import { showBankTransfer } from "../bank-transfer.js";
import { section, startPage } from "../layout.js";
import { formatDate, formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, definitionList, h, link, methodLabel, money, statusTag, table } from "../../../shared/js/ui.js";

await startPage({ title: "Invoice" });
const id = new URLSearchParams(location.search).get("id") || "";
const UNPAID = new Set(["open", "partially_paid", "overdue"]);

function render({ invoice, payments, credit_notes: credits }) {
  $("#title").textContent = `Invoice ${invoice.invoice_number}`;
  document.title = document.title.replace(/^Invoice/, `Invoice ${invoice.invoice_number}`);
  const period = invoice.period_start ? `${formatDate(invoice.period_start)} to ${formatDate(invoice.period_end)}` : null;
  return [
    definitionList([
      ["Status", statusTag(invoice.status)],
      ["Account", invoice.account_number],
      ["Department", humanize(invoice.department)],
      ["Issued", formatDate(invoice.issue_date)],
      ["Due", formatDate(invoice.due_date)],
      ["Service period", period],
      ["Amount", money(invoice.amount)],
      ["Paid", money(invoice.amount_paid)],
      ["Credited", money(invoice.credited)],
      ["Balance", h("strong", {}, money(invoice.balance))],
    ]),
    UNPAID.has(invoice.status)
      ? h(
          "div",
          { class: "button-row" },
          h("a", { class: "usa-button", href: `pay.html?invoices=${encodeURIComponent(invoice.invoice_id)}` }, "Pay this invoice"),
        )
      : null,
    h("h2", {}, "Charges"),
    table({
      caption: "Charges on this invoice",
      captionHidden: true,
      rows: invoice.lines,
      columns: [
        { label: "Description", cell: (l) => l.description },
        { label: "Quantity", cell: (l) => String(l.quantity), numeric: true },
        { label: "Unit price", cell: (l) => money(l.unit_amount), numeric: true },
        { label: "Amount", cell: (l) => money(l.amount), numeric: true },
      ],
    }),
    h("h2", {}, "Payments"),
    table({
      caption: "Payments applied to this invoice",
      captionHidden: true,
      rows: payments,
      empty: "No payments yet.",
      columns: [
        { label: "Date", cell: (p) => link(`payment.html?id=${encodeURIComponent(p.payment_id)}`, formatDateTime(p.applied_at)) },
        { label: "Method", cell: (p) => (p.method ? methodLabel(p.method) : "—") },
        { label: "Status", cell: (p) => (p.status ? statusTag(p.status) : "—") },
        { label: "Receipt", cell: (p) => p.receipt_number || "—" },
        { label: "Applied", cell: (p) => money(p.amount), numeric: true },
      ],
    }),
    h("h2", {}, "Credits"),
    table({
      caption: "Credit notes applied to this invoice",
      captionHidden: true,
      rows: credits,
      empty: "No credits applied.",
      columns: [
        { label: "Credit note", cell: (c) => c.number },
        { label: "Reason", cell: (c) => c.reason },
        { label: "Applied on", cell: (c) => formatDateTime(c.applied_at) },
        { label: "Amount", cell: (c) => money(c.amount), numeric: true },
      ],
    }),
    h("p", { class: "margin-top-4" }, link("invoices.html", "Back to your invoices")),
  ];
}

await section($("#invoice"), "This invoice", async () => {
  const detail = await get(`/v1/portal/invoices/${encodeURIComponent(id)}`);
  $("#invoice").replaceChildren(...render(detail));
  if (UNPAID.has(detail.invoice.status)) await showBankTransfer($("#bank-transfer"));
});
