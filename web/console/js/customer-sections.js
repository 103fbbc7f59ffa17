// The sections of the customer 360 page, each drawn from the record GET /v1/staff/customers/{id} answers (and
// continued page by page through the customer's list routes).

import { get } from "../../shared/js/api.js";
import { formatDate, formatDateTime, humanize } from "../../shared/js/money.js";
import { definitionList, h, link, money, moreButton, statusTag, table } from "../../shared/js/ui.js";
import { paymentHref } from "./views.js";

/** The cursor of a "more" link the record gives (/v1/staff/customers/X/payments?cursor=...). */
export function cursorOf(href) {
  return href ? new URL(href, location.origin).searchParams.get("cursor") : null;
}

export function figures(record) {
  const figure = (title, value, extra = "", tone = "") =>
    h("div", { class: `figure${tone ? ` figure--${tone}` : ""}` }, h("h2", {}, title), h("p", { class: "amount" }, value), extra ? h("p", {}, extra) : null);
  return h(
    "div",
    { class: "figures" },
    figure("Owed", money(record.owing)),
    figure("Overdue", money(record.overdue), "", record.overdue.amount > 0 ? "alert" : "good"),
    figure("Credit", money(record.credit)),
    figure("Next due", record.next_due ? money(record.next_due.amount) : "Nothing due", record.next_due ? `on ${formatDate(record.next_due.due_date)}` : ""),
  );
}

export function profile(record) {
  const p = record.profile;
  const address = p.address ? [p.address.line1, p.address.line2, p.address.city, p.address.region, p.address.postal_code].filter(Boolean).join(", ") : "";
  return definitionList([
    ["Customer id", p.customer_id],
    // what the payer quotes on a wire or ACH credit (bank files match it)
    ["Remittance reference", p.remittance_reference],
    ["Kind", humanize(p.kind)],
    ["Email", email(record)],
    ["Phone", p.phone],
    ["Address", address],
    ["Customer since", formatDate(record.created_at)],
    ["Portal sign-in", record.portal_login_linked ? "Linked" : "Not linked"],
  ]);
}

/** The profile's email, and why nothing reaches it when it bounced or was reported as spam (docs/email.md). */
function email(record) {
  const p = record.profile;
  const s = record.email_suppression;
  if (!p.email || !s) return p.email;
  const why = s.reason === "complaint" ? "reported our email as spam" : "bounced";
  return h(
    "span",
    {},
    p.email,
    " ",
    h("span", { class: "usa-tag tag--neutral" }, "No email sent"),
    h("span", { class: "usa-hint display-block" }, `This address ${why} on ${formatDate(s.since)} (${s.detail}). Ask the customer for a working one.`),
  );
}

export function accounts(record) {
  const summaries = new Map(record.account_summaries.map((s) => [s.account_number, s]));
  return table({
    caption: "Accounts",
    captionHidden: true,
    rows: record.accounts,
    empty: "No accounts.",
    columns: [
      { label: "Account", cell: (a) => a.account_number },
      { label: "Department", cell: (a) => humanize(a.department) },
      { label: "Description", cell: (a) => a.description },
      { label: "Status", cell: (a) => statusTag(a.status) },
      { label: "Owed", numeric: true, cell: (a) => money(summaries.get(a.account_number)?.owing) },
      { label: "Overdue", numeric: true, cell: (a) => money(summaries.get(a.account_number)?.overdue) },
    ],
  });
}

export function byDepartment(record) {
  return table({
    caption: "Open balance per department",
    captionHidden: true,
    rows: record.open_by_department,
    empty: "Nothing open.",
    columns: [
      { label: "Department", cell: (d) => humanize(d.department) },
      { label: "Open balance", numeric: true, cell: (d) => money(d.owing) },
    ],
  });
}

/** Balances from the connected systems: each with its freshness, or "unavailable, last known at ...". */
export function balances(summary) {
  const rows = summary.balances;
  const note = summary.complete
    ? null
    : h("p", { class: "usa-alert__text" }, "Some systems did not answer: the total counts their last known balance, if any.");
  return [
    definitionList([["Total", money(summary.total)]]),
    note,
    table({
      caption: "Balances from connected systems",
      captionHidden: true,
      rows,
      empty: "No connected systems.",
      columns: [
        { label: "Department", cell: (b) => humanize(b.department) },
        { label: "Source", cell: (b) => b.source },
        { label: "Balance", numeric: true, cell: (b) => (b.amount ? money(b.amount) : "Unknown") },
        {
          label: "Freshness",
          cell: (b) => {
            if (!b.available) {
              const known = b.as_of ? `last known at ${formatDateTime(b.as_of)}` : "no balance known";
              return h("span", { class: "source-unavailable" }, statusTag("unavailable"), ` Source unavailable, ${known}.`, b.message ? ` ${b.message}` : "");
            }
            return [statusTag(b.fresh ? "fresh" : "stale"), b.as_of ? ` as of ${formatDateTime(b.as_of)}` : ""];
          },
        },
        { label: "Accounts", cell: (b) => b.accounts.map((a) => `${a.account_number}: ${money(a.amount)}`).join("; ") },
      ],
    }),
  ];
}

const INVOICE_COLUMNS = [
  { label: "Invoice", cell: (i) => i.invoice_number },
  { label: "Account", cell: (i) => i.account_number },
  { label: "Department", cell: (i) => humanize(i.department) },
  { label: "Due", cell: (i) => formatDate(i.due_date) },
  { label: "Amount", numeric: true, cell: (i) => money(i.amount) },
  { label: "Balance", numeric: true, cell: (i) => money(i.balance) },
  { label: "Status", cell: (i) => statusTag(i.overdue ? "overdue" : i.status) },
];

export function invoiceColumns(extra = []) {
  return [...INVOICE_COLUMNS, ...extra];
}

function steps(history) {
  return history.map((s) => `${humanize(s.status)} ${formatDateTime(s.at)} (${s.by})`).join(" → ");
}

export const PAYMENT_COLUMNS = [
  { label: "Taken", cell: (p) => link(paymentHref(p.payment_id), formatDateTime(p.created_at)) },
  { label: "Amount", numeric: true, cell: (p) => money(p.amount) },
  { label: "Status", cell: (p) => statusTag(p.status) },
  { label: "Timeline", cell: (p) => h("span", { class: "font-body-3xs" }, steps(p.history)) },
  { label: "Receipt", cell: (p) => p.receipt_number || "" },
];

export const INTERACTION_COLUMNS = [
  { label: "When", cell: (i) => formatDateTime(i.at) },
  { label: "Kind", cell: (i) => humanize(i.kind) },
  { label: "Summary", cell: (i) => i.summary },
  { label: "By", cell: (i) => i.staff_id || "" },
  { label: "About", cell: (i) => (i.payment_id ? link(paymentHref(i.payment_id), "Payment") : i.invoice_id || "") },
];

/** A table of the first page the record holds, and "Show more" through the customer's list route. */
export function pagedTable(container, { caption, rows, columns, empty, path, key, nextHref, what }) {
  let all = rows;
  const more = moreButton(`Show more ${what}`, async (cursor) => {
    const page = await get(path, { query: { cursor, limit: 25 } });
    all = all.concat(page[key]);
    more.update(page.next_cursor);
    render();
  });
  const render = () => container.replaceChildren(table({ caption, captionHidden: true, rows: all, columns, empty }), more.element);
  more.update(cursorOf(nextHref));
  render();
}

export function creditNotes(record) {
  return table({
    caption: "Credit notes",
    captionHidden: true,
    rows: record.credit_notes,
    empty: "No credit notes.",
    columns: [
      { label: "Number", cell: (c) => c.number },
      { label: "Account", cell: (c) => c.account_number },
      { label: "Issued", cell: (c) => formatDate(c.issued_on) },
      { label: "Amount", numeric: true, cell: (c) => money(c.amount) },
      { label: "Remaining", numeric: true, cell: (c) => money(c.remaining) },
      { label: "Reason", cell: (c) => c.reason },
    ],
  });
}

export function schedules(record) {
  return table({
    caption: "Autopay and payment plans",
    captionHidden: true,
    rows: record.schedules,
    empty: "No autopay or payment plan.",
    columns: [
      { label: "Kind", cell: (s) => humanize(s.kind) },
      { label: "Account", cell: (s) => s.account_number },
      { label: "Active", cell: (s) => (s.active ? "Yes" : "No") },
      { label: "Instalments", cell: (s) => s.instalments.map((i) => `${formatDate(i.due_date)} ${money(i.amount)} (${humanize(i.status)})`).join("; ") },
    ],
  });
}

export function documents(record) {
  return table({
    caption: "Documents",
    captionHidden: true,
    rows: record.documents,
    empty: "No documents.",
    columns: [
      { label: "Date", cell: (d) => formatDate(d.date) },
      { label: "Kind", cell: (d) => humanize(d.type) },
      { label: "Title", cell: (d) => d.title },
      { label: "Reference", cell: (d) => d.reference || "" },
    ],
  });
}

export const APPROVAL_COLUMNS = [
  { label: "Requested", cell: (a) => formatDateTime(a.created_at) },
  { label: "Action", cell: (a) => humanize(a.action) },
  { label: "Amount", numeric: true, cell: (a) => money(a.amount) },
  { label: "Target", cell: (a) => (a.target_id?.startsWith("pay_") ? link(paymentHref(a.target_id), a.target_id) : a.target_id) },
  { label: "By", cell: (a) => a.requested_by },
  { label: "Reason", cell: (a) => humanize(a.reason) },
];
