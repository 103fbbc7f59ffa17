// Pieces several console pages show the same way: a payment row, a status timeline, links to records.

import { formatDateTime, humanize } from "../../shared/js/money.js";
import { h, link, methodLabel, money, statusTag, table } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

const C = COPY.views;

export const customerHref = (id) => `customer.html?id=${encodeURIComponent(id)}`;
export const paymentHref = (id) => `payment.html?id=${encodeURIComponent(id)}`;

export const PAYMENT_COLUMNS = [
  { label: C.columns.taken, cell: (p) => link(paymentHref(p.payment_id), formatDateTime(p.created_at)) },
  { label: C.columns.amount, numeric: true, cell: (p) => money(p.amount) },
  { label: C.columns.status, cell: (p) => statusTag(p.status) },
  { label: C.columns.method, cell: (p) => methodLabel({ method: p.method, brand: p.brand, last4: p.last4 }) },
  { label: C.columns.channel, cell: (p) => (p.terminal_id ? C.channel(humanize(p.channel), p.terminal_id) : humanize(p.channel)) },
  { label: C.columns.receipt, cell: (p) => p.receipt_number || "" },
];

export function paymentsTable(caption, payments, { withCustomer = false, empty = C.noPayments } = {}) {
  const columns = withCustomer
    ? [
        ...PAYMENT_COLUMNS,
        { label: C.columns.customer, cell: (p) => (p.customer_id ? link(customerHref(p.customer_id), p.customer_id) : C.guest) },
      ]
    : PAYMENT_COLUMNS;
  return table({ caption, rows: payments, columns, empty });
}

/** A payment's status changes, oldest first, with when and who. */
export function timeline(history) {
  return h(
    "ol",
    { class: "usa-process-list timeline" },
    history.map((step) =>
      h(
        "li",
        { class: "usa-process-list__item" },
        h("h3", { class: "usa-process-list__heading" }, humanize(step.status)),
        h(
          "p",
          { class: "margin-top-05" },
          h("time", { datetime: step.at }, formatDateTime(step.at)),
          C.by(step.by),
          step.note ? C.note(step.note) : "",
        ),
      ),
    ),
  );
}
