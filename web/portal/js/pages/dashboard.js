// The overview: what is owed and overdue, what is due next, credit, each account, recent and upcoming payments.
// One API call (GET /v1/portal/dashboard), which the API answers in two DynamoDB round trips.

import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { formatDate, formatDateTime } from "../../../shared/js/money.js";
import { $, h, link, methodLabel, money, showAlert, statusTag, table } from "../../../shared/js/ui.js";

await startPage({ title: "Overview" });

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
  if (applicable >= board.credit.amount) return "You can apply it to your open invoices.";
  if (applicable > 0) return `You can apply ${money({ amount: applicable, currency: board.credit.currency })} of it to your open invoices now.`;
  return "It pays invoices of the account that holds it, and none of them is open now.";
}

function totals(board, applicable) {
  const overdue = board.overdue.amount > 0;
  const next = board.next_due;
  return [
    h(
      "div",
      { class: "figures" },
      figure("Total owed", money(board.owing), `As of ${formatDate(board.as_of)}`),
      figure("Overdue", money(board.overdue), overdue ? "Please pay this as soon as you can." : "Nothing overdue.", overdue ? "alert" : "good"),
      figure("Next due", next ? money(next.amount) : "Nothing", next ? `Due ${formatDate(next.due_date)}` : "No upcoming due date."),
      figure("Credit on account", money(board.credit), creditNote(board, applicable)),
    ),
    h(
      "div",
      { class: "button-row" },
      board.owing.amount > 0 ? h("a", { class: "usa-button", href: "pay.html" }, "Make a payment") : null,
      applicable > 0
        ? h("button", { type: "button", class: "usa-button usa-button--outline", id: "apply-credit", onclick: applyCredit }, COPY.credit.apply)
        : null,
      h("a", { class: "usa-button usa-button--outline", href: "invoices.html" }, "See all invoices"),
    ),
  ];
}

function accounts(rows) {
  return table({
    caption: "Balance of each account",
    captionHidden: true,
    rows,
    empty: "No accounts are linked to this sign-in yet.",
    columns: [
      { label: "Account", cell: (a) => [h("span", { class: "text-bold" }, a.account_number), h("br"), a.description] },
      { label: "Owed", cell: (a) => money(a.owing), numeric: true },
      { label: "Overdue", cell: (a) => money(a.overdue), numeric: true },
      { label: "Open invoices", cell: (a) => String(a.open_invoices), numeric: true },
      { label: "Next due", cell: (a) => (a.next_due ? `${money(a.next_due.amount)} on ${formatDate(a.next_due.due_date)}` : "—") },
      { label: "Unread notices", cell: (a) => String(a.unread_notices.count), numeric: true },
      {
        label: "Action",
        cell: (a) =>
          a.owing.amount > 0
            ? link(`pay.html?account=${encodeURIComponent(a.account_number)}`, [
                "Pay this account",
                h("span", { class: "usa-sr-only" }, ` (${a.account_number})`),
              ])
            : "Nothing to pay",
      },
    ],
  });
}

function openInvoices(rows) {
  return table({
    caption: "Open invoices",
    captionHidden: true,
    rows,
    empty: "You have no open invoices.",
    columns: [
      { label: "Invoice", cell: (i) => link(`invoice.html?id=${encodeURIComponent(i.invoice_id)}`, i.invoice_number) },
      { label: "Account", cell: (i) => i.account_number },
      { label: "Due", cell: (i) => formatDate(i.due_date) },
      { label: "Status", cell: (i) => statusTag(i.overdue ? "overdue" : i.status) },
      { label: "Balance", cell: (i) => money(i.balance), numeric: true },
      {
        label: "Action",
        cell: (i) =>
          link(`pay.html?invoices=${encodeURIComponent(i.invoice_id)}`, "Pay", {
            "aria-label": `Pay invoice ${i.invoice_number}`,
          }),
      },
    ],
  });
}

function upcoming(rows) {
  return table({
    caption: "Upcoming scheduled payments",
    captionHidden: true,
    rows,
    empty: "No scheduled payments. You can set up autopay or a payment plan.",
    columns: [
      { label: "Date", cell: (u) => formatDate(u.due_date) },
      { label: "Kind", cell: (u) => (u.kind === "plan" ? "Payment plan instalment" : "Autopay") },
      { label: "Amount", cell: (u) => money(u.amount), numeric: true },
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
      ? "You have no unread notices."
      : `You have ${unread.count} unread ${unread.count === 1 ? "notice" : "notices"}.`,
  );
  if (unread.count === 0) return [intro];
  return [
    intro,
    table({
      caption: "Latest unread notices",
      captionHidden: true,
      rows: unread.latest,
      empty: "You have no unread notices.",
      columns: [
        { label: "Notice", cell: (n) => link("documents.html", n.title) },
        { label: "Account", cell: (n) => n.account_number || "All accounts" },
        { label: "Date", cell: (n) => formatDate(n.date) },
      ],
    }),
  ];
}

function recent(rows) {
  return table({
    caption: "Recent payments",
    captionHidden: true,
    rows,
    empty: "No payments yet.",
    columns: [
      { label: "Date", cell: (p) => link(`payment.html?id=${encodeURIComponent(p.payment_id)}`, formatDateTime(p.created_at)) },
      { label: "Method", cell: (p) => methodLabel(p) },
      { label: "Status", cell: (p) => statusTag(p.status) },
      { label: "Receipt", cell: (p) => p.receipt_number || "—" },
      { label: "Amount", cell: (p) => money(p.amount), numeric: true },
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

await section($("#totals"), "Your balances", load);
