// Deposits (finance.read; confirming takes finance.manage): every processor payout and every drawer close is a
// deposit expected on the bank account; a finance user confirms it against the bank statement. Closing a drawer
// takes drawer.close, which cashiers hold without finance.read: for them the page is the close-out form alone.
// The drawer close-out sends what was counted, in minor units parsed from the typed dollars and cents (strings to
// integers, never through a float), and shows what the drawer should have held, the over or short per method, the
// payments taken and the deposit it made, with its slip.

import { newIdempotencyKey, post } from "../../../shared/js/api.js";
import { formatDate, formatDateTime, humanize, parseAmount } from "../../../shared/js/money.js";
import { $, alertBox, announce, capitalise, clearErrors, definitionList, h, link, showAlert, showApiError, showFormErrors, table } from "../../../shared/js/ui.js";
import { confirmDialog } from "../dialogs.js";
import { allowed } from "../layout.js";
import { FINANCE, amount, canManage, dateFilter, downloadSlip, pagedTable, rangeErrors, startFinancePage, who, withButton } from "../finance.js";
import { paymentHref } from "../views.js";
import { COPY } from "../copy.js";

const C = COPY.deposits;

const cfg = await startFinancePage(C.title);
const reader = allowed("finance.read");
if (!reader) {
  // A cashier: only the close-out (the list of deposits is finance's, and the API would refuse it).
  for (const id of ["finance-nav", "deposits-intro", "deposits-filter", "deposits-section"]) $(`#${id}`).hidden = true;
  $("h1").textContent = C.closeOut;
  document.title = document.title.replace(C.title, C.closeOut);
}
const filter = $("#deposits-filter");
const readFilter = dateFilter(filter);
const statusFilter = new URLSearchParams(location.search).get("status");
if (statusFilter) $("#status").value = statusFilter;
const payoutHref = (d) => `finance-payouts.html?${new URLSearchParams({ payout: d.payout_id, from: d.arrival_date, to: d.arrival_date })}`;

function statusCell(d) {
  const tag = h("span", { class: `usa-tag ${d.deposit_status === "deposited" ? "tag--success" : "tag--info"}` }, humanize(d.deposit_status));
  // Short lines: the cells of a scrolling table do not wrap
  return d.deposited_at ? [tag, h("br"), C.by(who(d.deposited_by)), h("br"), formatDateTime(d.deposited_at)] : tag;
}

function actionCell(d) {
  const buttons = [];
  if (d.deposit_status === "expected" && canManage()) {
    buttons.push(
      h(
        "button",
        { type: "button", class: "usa-button usa-button--outline", id: `confirm-${d.payout_id}`, onclick: (event) => confirmDeposit(d, event.currentTarget) },
        C.confirm,
        h("span", { class: "usa-sr-only" }, C.depositOf(d.payout_id)),
      ),
    );
  }
  if (d.processor === "counter" && allowed("drawer.close")) {
    const slip = h("button", { type: "button", class: "usa-button usa-button--unstyled" }, C.slip, h("span", { class: "usa-sr-only" }, C.slipOf(d.payout_id)));
    slip.addEventListener("click", () => downloadSlip(d.payout_id, slip, $("#deposit-result")));
    buttons.push(slip);
  }
  return buttons.length ? h("div", { class: "button-row" }, buttons) : "";
}

const COLUMNS = [
  { label: C.columns.deposit, cell: (d) => (d.processor === "counter" ? d.payout_id : link(payoutHref(d), d.payout_id)) },
  { label: C.columns.arrives, cell: (d) => formatDate(d.arrival_date) },
  { label: C.columns.amount, numeric: true, cell: (d) => amount(d.amount, d.currency) },
  { label: C.columns.from, cell: (d) => humanize(d.processor) },
  { label: C.columns.trace, cell: (d) => d.bank_trace_id || "" },
  { label: C.columns.status, cell: statusCell },
  { label: C.columns.action, cell: actionCell },
];

let list;
async function show() {
  const query = readFilter();
  list = pagedTable($("#deposits"), {
    path: `${FINANCE}/deposits`,
    key: "deposits",
    query,
    what: C.what,
    caption: C.caption(formatDate(query.from), formatDate(query.to), query.status),
    columns: COLUMNS,
    empty: C.empty,
  });
  await list.reload();
}

async function confirmDeposit(deposit, button) {
  const sure = await confirmDialog({
    id: "confirm-deposit",
    heading: C.confirmHeading,
    body: [
      h("p", {}, C.confirmText(amount(deposit.amount, deposit.currency), humanize(deposit.processor), formatDate(deposit.arrival_date))),
      definitionList([[C.facts.deposit, h("code", { class: "secret-id" }, deposit.payout_id)], [C.facts.trace, deposit.bank_trace_id || C.noTrace]]),
    ],
    confirm: C.confirmButton,
  });
  if (!sure) return button.focus();
  const result = $("#deposit-result");
  const done = await withButton(
    button,
    C.confirming,
    () => post(`${FINANCE}/deposits/${encodeURIComponent(deposit.payout_id)}/confirm`),
    (error) => showApiError(error, { container: result, what: C.confirmingWhat }),
  );
  if (!done) return;
  await list.reload();
  const text = C.confirmed(done.payout_id, who(done.deposited_by));
  showAlert(result, { type: "success", slim: true, text, focus: true });
  announce(text);
}

filter.addEventListener("submit", async (event) => {
  event.preventDefault();
  const errors = rangeErrors(Object.fromEntries(new FormData(filter)));
  if (errors.length) return showFormErrors(filter, errors);
  clearErrors(filter);
  await show();
});

// --- drawer close-out -------------------------------------------------------------------------------------------

const drawer = $("#drawer-form");
const DRAWER_FIELDS = { "counted.cash": "drawer-cash", "counted.cheque": "drawer-cheque", note: "drawer-note", drawer_id: "drawer-id", currency: "drawer-currency", terminal: "drawer-terminal" };
let chequeRows = 0;

function addChequeRow() {
  chequeRows += 1;
  const n = chequeRows;
  const row = h(
    "div",
    { class: "inline-fields cheque-row", id: `cheque-${n}` },
    h("div", { class: "usa-form-group" }, h("label", { class: "usa-label", for: `cheque-${n}-number` }, C.chequeNumber(n)), h("input", { class: "usa-input", id: `cheque-${n}-number`, type: "text", maxlength: "32", autocomplete: "off", spellcheck: "false" })),
    h("div", { class: "usa-form-group" }, h("label", { class: "usa-label", for: `cheque-${n}-amount` }, C.chequeAmount(n)), h("input", { class: "usa-input", id: `cheque-${n}-amount`, type: "text", inputmode: "decimal", autocomplete: "off" })),
    h(
      "div",
      { class: "usa-form-group" },
      h("button", { type: "button", class: "usa-button usa-button--unstyled margin-top-4", onclick: () => { row.remove(); $("#add-cheque").focus(); } }, C.removeCheque(n)),
    ),
  );
  $("#cheque-rows").append(row);
  $(`#cheque-${n}-number`).focus();
}

/** The count as the API takes it, or null after showing what is wrong. Amounts: typed text -> integer minor units. */
function readCount() {
  const errors = [];
  const value = (id) => $(`#${id}`).value.trim();
  const currency = value("drawer-currency").toUpperCase();
  for (const [id, what] of [["drawer-terminal", C.terminal], ["drawer-id", C.drawer]]) {
    if (!value(id)) errors.push({ field: id, reason: C.enter(what) });
  }
  const known = /^[A-Z]{3}$/.test(currency);
  if (!known) errors.push({ field: "drawer-currency", reason: C.enterCurrency });
  // Typed text to minor units by parseAmount (digits joined as a string, then one integer): never a float
  const money = (id, what) => {
    const parsed = known ? parseAmount(value(id), currency) : null;
    if (parsed === null && known) errors.push({ field: id, reason: C.enterMoney(what) });
    return parsed;
  };
  const cash = money("drawer-cash", C.cash);
  const cheque = money("drawer-cheque", C.chequesTotal);
  const cheques = [...drawer.querySelectorAll(".cheque-row")].map((row) => {
    const [number, sum] = row.querySelectorAll("input");
    if (!/^[0-9A-Za-z-]{1,32}$/.test(number.value.trim())) errors.push({ field: number.id, reason: C.enterCheque });
    return { number: number.value.trim(), amount: money(sum.id, C.chequeSum) };
  });
  const listed = cheques.reduce((total, c) => total + (c.amount ?? 0), 0);
  if (cheques.length && cheque !== null && cheques.every((c) => c.amount !== null) && listed !== cheque) {
    errors.push({ field: "drawer-cheque", reason: C.chequesMismatch(amount(listed, currency)) });
  }
  if (errors.length) {
    showFormErrors(drawer, errors);
    return null;
  }
  clearErrors(drawer);
  const body = { drawer_id: value("drawer-id"), currency, counted: { cash, cheque } };
  if (cheques.length) body.cheques = cheques;
  if (value("drawer-note")) body.note = value("drawer-note");
  return { terminal: value("drawer-terminal"), body };
}

function overShort(value, currency) {
  if (!value) return C.even;
  return value > 0 ? C.over(amount(value, currency)) : C.short(amount(-value, currency));
}

function showClose(close) {
  const currency = close.currency;
  const slip = h("button", { type: "button", class: "usa-button", id: "download-slip" }, C.downloadSlip);
  slip.addEventListener("click", () => downloadSlip(close.deposit_id, slip, $("#slip-result")));
  const box = alertBox({
    type: "success",
    heading: close.replayed ? C.closedAlready(close.drawer_id) : C.closed(close.drawer_id),
    text: C.expectedOn(close.deposit_id, amount(close.counted.total, currency), formatDate(close.business_date)),
    focus: true,
  });
  $("#drawer-result").replaceChildren(
    box,
    table({
      caption: C.countCaption(close.drawer_id, close.terminal_id),
      rows: ["cash", "cheque", "total"],
      columns: [
        { label: C.columns.method, cell: (m) => humanize(m) },
        { label: C.columns.expected, numeric: true, cell: (m) => amount(close.expected[m], currency) },
        { label: C.columns.counted, numeric: true, cell: (m) => amount(close.counted[m], currency) },
        { label: C.columns.overShort, numeric: true, cell: (m) => overShort(close.over_short[m], currency) },
      ],
    }),
    definitionList([
      [C.facts.deposit, h("code", { class: "secret-id" }, close.deposit_id)],
      [C.facts.period, C.period(close.period_from ? formatDateTime(close.period_from) : C.firstClose, formatDateTime(close.through))],
      [C.facts.closed, C.at(formatDateTime(close.closed_at), who(close.closed_by))],
      [C.facts.note, close.note || ""],
    ]),
    table({
      caption: C.paymentsCaption(close.payment_count),
      rows: close.payments,
      empty: C.noPayments,
      columns: [
        { label: C.columns.payment, cell: (p) => link(paymentHref(p.payment_id), p.payment_id, { class: "usa-link secret-id" }) },
        { label: C.columns.method, cell: (p) => (p.cheque_number ? C.cheque(humanize(p.method), p.cheque_number) : humanize(p.method)) },
        { label: C.columns.inDrawer, numeric: true, cell: (p) => amount(p.amount, currency) },
      ],
    }),
    h("div", { class: "button-row" }, slip),
    h("div", { id: "slip-result" }),
  );
  box.focus();
}

/** The API's refusals that belong to one field of the form (over/short needs a note; the cheques must add up). */
function drawerRefusal(error) {
  const field = { note_required: "drawer-note", cheque_list_mismatch: "drawer-cheque" }[error.code];
  if (!field) return false;
  showFormErrors(drawer, [{ field, reason: capitalise(error.message) }], C.notClosed);
  return true;
}

if (allowed("drawer.close")) {
  $("#drawer-section").hidden = false;
  $("#drawer-currency").value = cfg.currency || "USD";
  $("#add-cheque").addEventListener("click", addChequeRow);
  let key = null; // one per count: a retry of the same count after a lost answer is the same request
  let sent = "";
  drawer.addEventListener("submit", async (event) => {
    event.preventDefault();
    const count = readCount();
    if (!count) return;
    const path = `${FINANCE}/drawers/${encodeURIComponent(count.terminal)}/close`;
    const signature = JSON.stringify([path, count.body]);
    if (signature !== sent) [key, sent] = [newIdempotencyKey(), signature];
    const closed = await withButton(
      $("#close-drawer"),
      C.closing,
      () => post(path, count.body, { idempotencyKey: key }),
      (error) => drawerRefusal(error) || showApiError(error, { container: $("#drawer-result"), form: drawer, what: C.closingWhat, fieldMap: DRAWER_FIELDS }),
    );
    if (!closed) return;
    sent = "";
    showClose(closed);
    announce(C.closedAnnounce);
    if (reader) await list.reload();
  });
  $("#close-drawer").disabled = false;
}

if (reader) await show();
