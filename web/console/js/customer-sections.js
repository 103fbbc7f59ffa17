// The sections of the customer 360 page, each drawn from the record GET /v1/staff/customers/{id} answers (and
// continued page by page through the customer's list routes).

import { get } from "../../shared/js/api.js";
import { formatDate, formatDateTime, humanize } from "../../shared/js/money.js";
import { definitionList, h, link, money, moreButton, statusTag, table } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";
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
    figure(COPY.customerSections.owed, money(record.owing)),
    figure(COPY.customerSections.overdue, money(record.overdue), "", record.overdue.amount > 0 ? "alert" : "good"),
    figure(COPY.customerSections.credit, money(record.credit)),
    figure(COPY.customerSections.nextDue, record.next_due ? money(record.next_due.amount) : COPY.customerSections.nothingDue, record.next_due ? COPY.customerSections.on(formatDate(record.next_due.due_date)) : ""),
  );
}

export function profile(record) {
  const p = record.profile;
  const address = p.address ? [p.address.line1, p.address.line2, p.address.city, p.address.region, p.address.postal_code].filter(Boolean).join(", ") : "";
  return definitionList([
    [COPY.customerSections.profile.customerId, p.customer_id],
    // what the payer quotes on a wire or ACH credit (bank files match it)
    [COPY.customerSections.profile.remittanceReference, p.remittance_reference],
    [COPY.customerSections.profile.kind, humanize(p.kind)],
    [COPY.customerSections.profile.email, email(record)],
    [COPY.customerSections.profile.phone, p.phone],
    [COPY.customerSections.profile.address, address],
    [COPY.customerSections.profile.since, formatDate(record.created_at)],
    [COPY.customerSections.profile.portal, record.portal_login_linked ? COPY.customerSections.profile.linked : COPY.customerSections.profile.notLinked],
  ]);
}

/** The profile's email, and why nothing reaches it when it bounced or was reported as spam (docs/email.md). */
function email(record) {
  const p = record.profile;
  const s = record.email_suppression;
  if (!p.email || !s) return p.email;
  const why = s.reason === "complaint" ? COPY.customerSections.spam : COPY.customerSections.bounced;
  return h(
    "span",
    {},
    p.email,
    " ",
    h("span", { class: "usa-tag tag--neutral" }, COPY.customerSections.noEmailSent),
    h("span", { class: "usa-hint display-block" }, COPY.customerSections.suppressed(why, formatDate(s.since), s.detail)),
  );
}

export function accounts(record) {
  const summaries = new Map(record.account_summaries.map((s) => [s.account_number, s]));
  return table({
    caption: COPY.customerSections.accounts,
    captionHidden: true,
    rows: record.accounts,
    empty: COPY.customerSections.noAccounts,
    columns: [
      { label: COPY.customerSections.columns.account, cell: (a) => a.account_number },
      { label: COPY.customerSections.columns.department, cell: (a) => humanize(a.department) },
      { label: COPY.customerSections.columns.description, cell: (a) => a.description },
      { label: COPY.customerSections.columns.status, cell: (a) => statusTag(a.status) },
      { label: COPY.customerSections.columns.owed, numeric: true, cell: (a) => money(summaries.get(a.account_number)?.owing) },
      { label: COPY.customerSections.columns.overdue, numeric: true, cell: (a) => money(summaries.get(a.account_number)?.overdue) },
    ],
  });
}

export function byDepartment(record) {
  return table({
    caption: COPY.customerSections.byDepartment,
    captionHidden: true,
    rows: record.open_by_department,
    empty: COPY.customerSections.nothingOpen,
    columns: [
      { label: COPY.customerSections.columns.department, cell: (d) => humanize(d.department) },
      { label: COPY.customerSections.openBalance, numeric: true, cell: (d) => money(d.owing) },
    ],
  });
}

/** Balances from the connected systems: each with its freshness, or "unavailable, last known at ...". */
export function balances(summary) {
  const rows = summary.balances;
  const note = summary.complete
    ? null
    : h("p", { class: "usa-alert__text" }, COPY.customerSections.someSilent);
  return [
    definitionList([[COPY.customerSections.total, money(summary.total)]]),
    note,
    table({
      caption: COPY.customerSections.balances,
      captionHidden: true,
      rows,
      empty: COPY.customerSections.noSystems,
      columns: [
        { label: COPY.customerSections.columns.department, cell: (b) => humanize(b.department) },
        { label: COPY.customerSections.source, cell: (b) => b.source },
        { label: COPY.customerSections.columns.balance, numeric: true, cell: (b) => (b.amount ? money(b.amount) : COPY.customerSections.unknown) },
        {
          label: COPY.customerSections.freshness,
          cell: (b) => {
            if (!b.available) {
              const known = b.as_of ? COPY.customerSections.lastKnown(formatDateTime(b.as_of)) : COPY.customerSections.noneKnown;
              return h("span", { class: "source-unavailable" }, statusTag("unavailable"), COPY.customerSections.unavailable(known), b.message ? ` ${b.message}` : "");
            }
            return [statusTag(b.fresh ? "fresh" : "stale"), b.as_of ? COPY.customerSections.asOf(formatDateTime(b.as_of)) : ""];
          },
        },
        { label: COPY.customerSections.accounts, cell: (b) => b.accounts.map((a) => `${a.account_number}: ${money(a.amount)}`).join("; ") },
      ],
    }),
  ];
}

const INVOICE_COLUMNS = [
  { label: COPY.customerSections.columns.invoice, cell: (i) => i.invoice_number },
  { label: COPY.customerSections.columns.account, cell: (i) => i.account_number },
  { label: COPY.customerSections.columns.department, cell: (i) => humanize(i.department) },
  { label: COPY.customerSections.columns.due, cell: (i) => formatDate(i.due_date) },
  { label: COPY.customerSections.columns.amount, numeric: true, cell: (i) => money(i.amount) },
  { label: COPY.customerSections.columns.balance, numeric: true, cell: (i) => money(i.balance) },
  { label: COPY.customerSections.columns.status, cell: (i) => statusTag(i.overdue ? "overdue" : i.status) },
];

export function invoiceColumns(extra = []) {
  return [...INVOICE_COLUMNS, ...extra];
}

function steps(history) {
  return history.map((s) => `${humanize(s.status)} ${formatDateTime(s.at)} (${s.by})`).join(" → ");
}

export const PAYMENT_COLUMNS = [
  { label: COPY.customerSections.columns.taken, cell: (p) => link(paymentHref(p.payment_id), formatDateTime(p.created_at)) },
  { label: COPY.customerSections.columns.amount, numeric: true, cell: (p) => money(p.amount) },
  { label: COPY.customerSections.columns.status, cell: (p) => statusTag(p.status) },
  { label: COPY.customerSections.columns.timeline, cell: (p) => h("span", { class: "font-body-3xs" }, steps(p.history)) },
  { label: COPY.customerSections.columns.receipt, cell: (p) => p.receipt_number || "" },
];

export const INTERACTION_COLUMNS = [
  { label: COPY.customerSections.columns.when, cell: (i) => formatDateTime(i.at) },
  { label: COPY.customerSections.columns.kind, cell: (i) => humanize(i.kind) },
  { label: COPY.customerSections.columns.summary, cell: (i) => i.summary },
  { label: COPY.customerSections.columns.by, cell: (i) => i.staff_id || "" },
  { label: COPY.customerSections.columns.about, cell: (i) => (i.payment_id ? link(paymentHref(i.payment_id), COPY.customerSections.payment) : i.invoice_id || "") },
];

/** A table of the first page the record holds, and "Show more" through the customer's list route. */
export function pagedTable(container, { caption, rows, columns, empty, path, key, nextHref, what }) {
  let all = rows;
  const more = moreButton(COPY.customerSections.showMore(what), async (cursor) => {
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
    caption: COPY.customerSections.creditNotes,
    captionHidden: true,
    rows: record.credit_notes,
    empty: COPY.customerSections.noCreditNotes,
    columns: [
      { label: COPY.customerSections.columns.number, cell: (c) => c.number },
      { label: COPY.customerSections.columns.account, cell: (c) => c.account_number },
      { label: COPY.customerSections.columns.issued, cell: (c) => formatDate(c.issued_on) },
      { label: COPY.customerSections.columns.amount, numeric: true, cell: (c) => money(c.amount) },
      { label: COPY.customerSections.columns.remaining, numeric: true, cell: (c) => money(c.remaining) },
      { label: COPY.customerSections.columns.reason, cell: (c) => c.reason },
    ],
  });
}

export function schedules(record) {
  return table({
    caption: COPY.customerSections.schedules,
    captionHidden: true,
    rows: record.schedules,
    empty: COPY.customerSections.noSchedules,
    columns: [
      { label: COPY.customerSections.columns.kind, cell: (s) => humanize(s.kind) },
      { label: COPY.customerSections.columns.account, cell: (s) => s.account_number },
      { label: COPY.customerSections.columns.active, cell: (s) => (s.active ? COPY.customerSections.yes : COPY.customerSections.no) },
      { label: COPY.customerSections.columns.instalments, cell: (s) => s.instalments.map((i) => `${formatDate(i.due_date)} ${money(i.amount)} (${humanize(i.status)})`).join("; ") },
    ],
  });
}

export function documents(record) {
  return table({
    caption: COPY.customerSections.documents,
    captionHidden: true,
    rows: record.documents,
    empty: COPY.customerSections.noDocuments,
    columns: [
      { label: COPY.customerSections.columns.date, cell: (d) => formatDate(d.date) },
      { label: COPY.customerSections.columns.kind, cell: (d) => humanize(d.type) },
      { label: COPY.customerSections.columns.title, cell: (d) => d.title },
      { label: COPY.customerSections.columns.reference, cell: (d) => d.reference || "" },
    ],
  });
}

export const APPROVAL_COLUMNS = [
  { label: COPY.customerSections.columns.requested, cell: (a) => formatDateTime(a.created_at) },
  { label: COPY.customerSections.columns.action, cell: (a) => humanize(a.action) },
  { label: COPY.customerSections.columns.amount, numeric: true, cell: (a) => money(a.amount) },
  { label: COPY.customerSections.columns.target, cell: (a) => (a.target_id?.startsWith("pay_") ? link(paymentHref(a.target_id), a.target_id) : a.target_id) },
  { label: COPY.customerSections.columns.by, cell: (a) => a.requested_by },
  { label: COPY.customerSections.columns.reason, cell: (a) => humanize(a.reason) },
];
