// The overview: what is owed and overdue, what is due next, credit, each account, recent and upcoming payments.
// One API call (GET /v1/portal/dashboard), which the API answers in two DynamoDB round trips.

import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { formatDate, formatDateTime } from "../../../shared/js/money.js";
import { $, h, link, methodLabel, money, showAlert, statusTag, table } from "../../../shared/js/ui.js";

const C = COPY.dashboard;

await startPage({ title: C.title });

function figure(title, amount, note, tone = "") {
  return h(
    "div",
    { class: `figure${tone ? ` figure--${tone}` : ""}` },
    h("h2", {}, title),
    h("p", { class: "amount" }, amount),
    note ? h("p", {}, note) : null,
  );
}

function creditNote(board, applicable) {
  if (board.credit.amount <= 0) return "";
  if (applicable >= board.credit.amount) return C.creditAll;
  if (applicable > 0) return C.creditPart(money({ amount: applicable, currency: board.credit.currency }));
  return C.creditNone;
}

function totals(board, applicable) {
  const overdue = board.overdue.amount > 0;
  const next = board.next_due;
  return [
    h(
      "div",
      { class: "figures" },
      figure(C.totalOwed, money(board.owing), C.asOf(formatDate(board.as_of))),
      figure(C.overdue, money(board.overdue), overdue ? C.payOverdue : C.nothingOverdue, overdue ? "alert" : "good"),
      figure(C.nextDue, next ? money(next.amount) : C.nothing, next ? C.due(formatDate(next.due_date)) : C.noNextDue),
      figure(C.credit, money(board.credit), creditNote(board, applicable)),
    ),
    h(
      "div",
      { class: "button-row" },
      board.owing.amount > 0 ? h("a", { class: "usa-button", href: "pay.html" }, C.makePayment) : null,
      applicable > 0
        ? h("button", { type: "button", class: "usa-button usa-button--outline", id: "apply-credit", onclick: applyCredit }, COPY.credit.apply)
        : null,
      h("a", { class: "usa-button usa-button--outline", href: "invoices.html" }, C.allInvoices),
    ),
  ];
}

function accounts(rows) {
  return table({
    caption: C.accountsCaption,
    captionHidden: true,
    rows,
    empty: C.noAccounts,
    columns: [
      { label: C.columns.account, cell: (a) => [h("span", { class: "text-bold" }, a.account_number), h("br"), a.description] },
      { label: C.columns.owed, cell: (a) => money(a.owing), numeric: true },
      { label: C.columns.overdue, cell: (a) => money(a.overdue), numeric: true },
      { label: C.columns.openInvoices, cell: (a) => String(a.open_invoices), numeric: true },
      { label: C.columns.nextDue, cell: (a) => (a.next_due ? C.nextDueOn(money(a.next_due.amount), formatDate(a.next_due.due_date)) : "—") },
      { label: C.columns.unread, cell: (a) => String(a.unread_notices.count), numeric: true },
      {
        label: C.columns.action,
        cell: (a) =>
          a.owing.amount > 0
            ? link(`pay.html?account=${encodeURIComponent(a.account_number)}`, [
                C.payAccount,
                h("span", { class: "usa-sr-only" }, ` (${a.account_number})`),
              ])
            : C.nothingToPay,
      },
    ],
  });
}

function openInvoices(rows) {
  return table({
    caption: C.openCaption,
    captionHidden: true,
    rows,
    empty: C.noOpen,
    columns: [
      { label: C.columns.invoice, cell: (i) => link(`invoice.html?id=${encodeURIComponent(i.invoice_id)}`, i.invoice_number) },
      { label: C.columns.account, cell: (i) => i.account_number },
      { label: C.columns.due, cell: (i) => formatDate(i.due_date) },
      { label: C.columns.status, cell: (i) => statusTag(i.overdue ? "overdue" : i.status) },
      { label: C.columns.balance, cell: (i) => money(i.balance), numeric: true },
      {
        label: C.columns.action,
        cell: (i) =>
          link(`pay.html?invoices=${encodeURIComponent(i.invoice_id)}`, C.pay, {
            "aria-label": C.payInvoice(i.invoice_number),
          }),
      },
    ],
  });
}

function upcoming(rows) {
  return table({
    caption: C.upcomingCaption,
    captionHidden: true,
    rows,
    empty: C.noUpcoming,
    columns: [
      { label: C.columns.date, cell: (u) => formatDate(u.due_date) },
      { label: C.columns.kind, cell: (u) => (u.kind === "plan" ? C.instalment : C.autopay) },
      { label: C.columns.amount, cell: (u) => money(u.amount), numeric: true },
    ],
  });
}

// The API sends the count and the latest few; the whole list (and the downloads that mark them read) is on
// the documents page.
function notices(unread) {
  const intro = h(
    "p",
    { id: "notices-count" },
    unread.count === 0
      ? C.noUnread
      : C.unread(unread.count),
  );
  if (unread.count === 0) return [intro];
  return [
    intro,
    table({
      caption: C.unreadCaption,
      captionHidden: true,
      rows: unread.latest,
      empty: C.noUnread,
      columns: [
        { label: C.columns.notice, cell: (n) => link("documents.html", n.title) },
        { label: C.columns.account, cell: (n) => n.account_number || C.allAccounts },
        { label: C.columns.date, cell: (n) => formatDate(n.date) },
      ],
    }),
  ];
}

function recent(rows) {
  return table({
    caption: C.recentCaption,
    captionHidden: true,
    rows,
    empty: C.noPayments,
    columns: [
      { label: C.columns.date, cell: (p) => link(`payment.html?id=${encodeURIComponent(p.payment_id)}`, formatDateTime(p.created_at)) },
      { label: C.columns.method, cell: (p) => methodLabel(p) },
      { label: C.columns.status, cell: (p) => statusTag(p.status) },
      { label: C.columns.receipt, cell: (p) => p.receipt_number || "—" },
      { label: C.columns.amount, cell: (p) => money(p.amount), numeric: true },
    ],
  });
}

// One key per click: a retry of the same click (a lost answer) replays it instead of applying twice.
async function applyCredit(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const done = await post("/v1/portal/credit-applications", {}, { idempotencyKey: newIdempotencyKey() });
    const paid = done.invoices.map((i) => `${i.invoice_number} (${money(i.applied)})`).join(", ");
    showAlert($("#page-alerts"), {
      type: "success",
      heading: COPY.credit.applied(money(done.applied)),
      text: COPY.credit.appliedTo(paid, money(done.credit_left)),
      focus: true,
    });
    await load();
  } catch (error) {
    showAlert($("#page-alerts"), { type: "error", heading: COPY.credit.notApplied, text: error.message, focus: true });
    button.disabled = false;
  }
}

// Credit stays on its account (an account is one department's, and moving money between departments is a transfer
// between funds), so what applying it would do is, per account, the lesser of its credit and what it owes: the
// API's rule (domain/credit.py). "Apply my credit" is offered only when that comes to something.
async function applicableCredit(board) {
  if (board.credit.amount <= 0 || board.owing.amount <= 0) return 0;
  const held = new Map();
  let cursor = null;
  do {
    const page = await get("/v1/portal/credit-notes", { query: { limit: 100, cursor } });
    for (const note of page.credit_notes) {
      if (note.remaining.currency !== board.credit.currency) continue;
      held.set(note.account_number, (held.get(note.account_number) || 0) + note.remaining.amount);
    }
    cursor = page.next_cursor;
  } while (cursor);
  return board.accounts.reduce((sum, a) => sum + Math.min(held.get(a.account_number) || 0, a.owing.amount), 0);
}

async function load() {
  const board = await get("/v1/portal/dashboard");
  const applicable = await applicableCredit(board);
  $("#totals").replaceChildren(...totals(board, applicable));
  $("#accounts").replaceChildren(accounts(board.accounts));
  $("#open-invoices").replaceChildren(openInvoices(board.open_invoices));
  $("#notices").replaceChildren(...notices(board.unread_notices));
  $("#upcoming").replaceChildren(upcoming(board.upcoming_payments));
  $("#recent").replaceChildren(recent(board.recent_payments));
}

await section($("#totals"), C.section, load);
