// Take a payment during a call or at the counter: a cart of invoice lines and new fees, ONE payment and ONE
// receipt for all of it. Card details go into the processor's frame (this page sees only the token); cash and
// cheques name their terminal and drawer. The checkout (lines, method, the request body and ONE Idempotency-Key)
// is kept in sessionStorage before the request is sent, so a double click, a reload or a retry after a lost answer
// sends the same body with the same key, and the API answers with the first outcome: it never pays twice.
// The convenience fee the payment carries comes from the staff API's quote (GET /v1/staff/payments:quote: the fee
// the charge itself will use) and is shown beside the total and on the button before the agent confirms.

import { get, newIdempotencyKey, request } from "../../../shared/js/api.js";
import { completeAction, mountFields } from "../../../shared/js/fields.js";
import { formatMoney, humanize, parseAmount, toDecimal } from "../../../shared/js/money.js";
import * as ui from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";
import { startPage } from "../layout.js";
import { customerHref, paymentHref } from "../views.js";

const { $, alertBox, announce, busy, h, link, money, section, showAlert, showApiError, showFormErrors, table, validate } = ui;

const cfg = await startPage({ title: COPY.takePayment.title });
const customerId = new URLSearchParams(location.search).get("customer") || "";
const STORE = `arportal.console.checkout.${customerId}`;
const currency = cfg.currency;
let record = null;
let state = load() || fresh();

function fresh() {
  return { lines: [], channel: "phone", method: "card", card: null, terminal: "", drawer: "", cheque: "", key: null, body: null, sending: false, result: null };
}
function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}
function save() {
  sessionStorage.setItem(STORE, JSON.stringify(state));
}

const total = () => state.lines.reduce((sum, line) => sum + line.amount, 0);

// The quote for the cart and method as they are now: { key, fee, total, staffFees }. Kept out of sessionStorage:
// it is asked again after a reload, so it is never older than the page.
let quote = null;
let quoting = null;
const quoteMethod = () => (state.method === "card" ? state.card?.method || "card" : state.method);
const quoteKey = () => `${quoteMethod()}:${total()}`;
const currentQuote = () => (quote && quote.key === quoteKey() ? quote : null);

function loadQuote() {
  const key = quoteKey();
  if (currentQuote()) return Promise.resolve(quote);
  if (quoting && quoting.key === key) return quoting.promise;
  const query = new URLSearchParams({ amount: String(total()), method: quoteMethod() });
  const promise = get(`/v1/staff/payments:quote?${query}`)
    .then((answer) => {
      quote = { key, fee: answer.fee, total: answer.total, staffFees: answer.staff_fees };
      return quote;
    })
    .finally(() => {
      if (quoting && quoting.key === key) quoting = null;
    });
  quoting = { key, promise };
  return promise;
}

function feeText() {
  if (!state.lines.length) return "";
  const current = currentQuote();
  if (!current) return COPY.takePayment.workingOutFee;
  if (current.fee.amount > 0) {
    const who = state.method === "card" ? COPY.takePayment.theCard : COPY.takePayment.thePayer;
    return COPY.takePayment.feeCharged(formatMoney(current.fee), who, formatMoney(current.total));
  }
  return current.staffFees ? COPY.takePayment.noFeeForMethod : COPY.takePayment.noStaffFee;
}

function payLabel() {
  const base = COPY.takePayment.take(formatMoney({ amount: total(), currency }));
  const current = currentQuote();
  return current && current.fee.amount > 0 ? COPY.takePayment.plusFee(base, formatMoney(current.fee)) : base;
}

function showFee(failed = false) {
  const note = $("#cart-fee");
  if (note) note.textContent = failed ? COPY.takePayment.feeNotYet : feeText();
  const button = $("#pay-button");
  if (button && !state.sending && !button.disabled) button.textContent = payLabel();
}

function refreshQuote() {
  if (!state.lines.length || state.result || currentQuote()) return;
  const key = quoteKey();
  loadQuote().then(
    () => quoteKey() === key && showFee(),
    () => quoteKey() === key && showFee(true),
  );
}

function field(id, label, control, hint = "") {
  return h("div", { class: "usa-form-group" }, h("label", { class: "usa-label", for: id }, label), hint ? h("span", { class: "usa-hint", id: `${id}-hint` }, hint) : null, control);
}
const input = (id, attributes = {}) => h("input", { class: "usa-input", id, name: id, autocomplete: "off", ...attributes });
const amountRule = (value) => (parseAmount(value, currency) ? null : COPY.takePayment.amountLike);

function cartTable() {
  return table({
    caption: COPY.takePayment.theCart,
    rows: state.lines,
    empty: COPY.takePayment.cartEmpty,
    columns: [
      { label: COPY.takePayment.line, cell: (l) => (l.invoice_id ? COPY.takePayment.invoiceLine(l.label) : `${l.description} (${l.fee_code})`) },
      { label: COPY.takePayment.account, cell: (l) => l.account_number || "" },
      { label: COPY.takePayment.amount, numeric: true, cell: (l) => formatMoney({ amount: l.amount, currency }) },
      {
        label: COPY.takePayment.remove,
        cell: (l) =>
          h("button", { type: "button", class: "usa-button usa-button--unstyled", disabled: state.sending || null, onclick: () => removeLine(l) }, COPY.takePayment.removeLine(l.invoice_id ? l.label : l.description)),
      },
    ],
  });
}

function removeLine(line) {
  state.lines = state.lines.filter((l) => l !== line && JSON.stringify(l) !== JSON.stringify(line));
  save();
  render();
  announce(COPY.takePayment.lineRemoved);
}

function invoiceForm() {
  const open = record.open_invoices;
  const form = h(
    "form",
    { id: "add-invoice", class: "usa-form maxw-none", novalidate: true },
    h("h3", {}, COPY.takePayment.addInvoice),
    h(
      "div",
      { class: "inline-fields" },
      field("line-invoice", COPY.takePayment.invoice, h("select", { class: "usa-select", id: "line-invoice", name: "invoice" }, h("option", { value: "" }, COPY.takePayment.select), open.map((i) => h("option", { value: i.invoice_id }, COPY.takePayment.invoiceOption(i.invoice_number, money(i.balance), i.due_date))))),
      field("line-invoice-amount", COPY.takePayment.amount, input("line-invoice-amount", { inputmode: "decimal", class: "usa-input amount-input" })),
    ),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, COPY.takePayment.addTheInvoice),
  );
  form.querySelector("#line-invoice").addEventListener("change", (event) => {
    const chosen = open.find((i) => i.invoice_id === event.target.value);
    if (chosen) form.querySelector("#line-invoice-amount").value = toDecimal(chosen.balance.amount, currency);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!validate(form, [["line-invoice", (v) => (v ? null : COPY.takePayment.chooseInvoice)], ["line-invoice-amount", amountRule]])) return;
    const chosen = open.find((i) => i.invoice_id === $("#line-invoice").value);
    state.lines.push({ invoice_id: chosen.invoice_id, label: chosen.invoice_number, amount: parseAmount($("#line-invoice-amount").value, currency) });
    save();
    render();
    announce(COPY.takePayment.invoiceAdded(chosen.invoice_number));
  });
  return form;
}

function feeForm() {
  const accounts = record.accounts.filter((a) => a.status === "active");
  const form = h(
    "form",
    { id: "add-fee", class: "usa-form maxw-none", novalidate: true },
    h("h3", {}, COPY.takePayment.addFee),
    h(
      "div",
      { class: "inline-fields" },
      field("fee-account", COPY.takePayment.account, h("select", { class: "usa-select", id: "fee-account", name: "account" }, h("option", { value: "" }, COPY.takePayment.select), accounts.map((a) => h("option", { value: a.account_number }, `${a.account_number} (${humanize(a.department)})`)))),
      field("fee-code", COPY.takePayment.feeCode, input("fee-code", { maxlength: "32", "aria-describedby": "fee-code-hint", spellcheck: "false" }), COPY.takePayment.feeCodeHint),
      field("fee-description", COPY.takePayment.description, input("fee-description", { maxlength: "200" })),
      field("fee-amount", COPY.takePayment.amount, input("fee-amount", { inputmode: "decimal", class: "usa-input amount-input" })),
    ),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, COPY.takePayment.addTheFee),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const rules = [
      ["fee-account", (v) => (v ? null : COPY.takePayment.chooseAccount)],
      ["fee-code", (v) => (/^[A-Z0-9_]{2,32}$/.test(v) ? null : COPY.takePayment.feeCodeRule)],
      ["fee-description", (v) => (v ? null : COPY.takePayment.describeFee)],
      ["fee-amount", amountRule],
    ];
    if (!validate(form, rules)) return;
    const account = accounts.find((a) => a.account_number === $("#fee-account").value);
    state.lines.push({
      department: account.department,
      fee_code: $("#fee-code").value.trim(),
      description: $("#fee-description").value.trim(),
      amount: parseAmount($("#fee-amount").value, currency),
      account_number: account.account_number,
    });
    save();
    render();
    announce(COPY.takePayment.feeAdded);
  });
  return form;
}

function radios(name, legend, options, current, onChange) {
  return h(
    "fieldset",
    { class: "usa-fieldset" },
    h("legend", { class: "usa-legend" }, legend),
    options.map(([value, text]) =>
      h(
        "div",
        { class: "usa-radio" },
        h("input", { class: "usa-radio__input", type: "radio", id: `${name}-${value}`, name, value, checked: current === value || null, onchange: () => onChange(value) }),
        h("label", { class: "usa-radio__label", for: `${name}-${value}` }, text),
      ),
    ),
  );
}

function methodSection() {
  const methods = state.channel === "phone" ? [["card", COPY.takePayment.cardByCaller]] : [["card", COPY.takePayment.card], ["cash", COPY.takePayment.cash], ["cheque", COPY.takePayment.cheque]];
  if (!methods.some(([m]) => m === state.method)) state.method = "card";
  const counter = state.channel === "counter";
  const keep = (name) => (event) => {
    state[name] = event.target.value.trim();
    save();
  };
  return h(
    "form",
    { id: "method-form", class: "usa-form maxw-none", novalidate: true },
    h("h2", {}, COPY.takePayment.howTheyPay),
    radios("channel", COPY.takePayment.where, [["phone", COPY.takePayment.onThePhone], ["counter", COPY.takePayment.atTheCounter]], state.channel, (v) => { state.channel = v; save(); render(); }),
    radios("method", COPY.takePayment.method, methods, state.method, (v) => { state.method = v; save(); render(); }),
    counter
      ? h(
          "div",
          { class: "inline-fields" },
          field("terminal", COPY.takePayment.terminal, input("terminal", { value: state.terminal, onchange: keep("terminal") })),
          state.method === "card" ? null : field("drawer", COPY.takePayment.drawer, input("drawer", { value: state.drawer, onchange: keep("drawer") })),
          state.method === "cheque" ? field("cheque", COPY.takePayment.chequeNumber, input("cheque", { value: state.cheque, onchange: keep("cheque") })) : null,
        )
      : null,
    state.method === "card"
      ? h("div", {}, h("h3", {}, COPY.takePayment.cardDetails), state.card ? h("p", { id: "card-chosen" }, COPY.takePayment.cardEnding(humanize(state.card.brand || "card"), state.card.last4), h("button", { type: "button", class: "usa-button usa-button--unstyled", onclick: () => { state.card = null; save(); render(); } }, COPY.takePayment.anotherCard)) : h("div", { id: "fields", class: "secure-fields" }))
      : null,
  );
}

function body() {
  const b = {
    customer_id: record.profile.customer_id,
    amount: total(),
    currency,
    method: state.method === "card" ? state.card?.method || "card" : state.method,
    channel: state.channel,
    lines: state.lines.map(({ label, ...line }) => line),
  };
  if (state.method === "card") b.token = state.card?.token;
  if (state.channel === "counter" && state.terminal) b.terminal_id = state.terminal;
  if (state.channel === "counter" && state.method !== "card") b.drawer_id = state.drawer;
  if (state.method === "cheque") b.cheque_number = state.cheque;
  return b;
}

async function pay() {
  const status = $("#pay-status");
  const form = $("#method-form");
  const problems = [];
  if (!state.lines.length) problems.push({ reason: COPY.takePayment.addToCart });
  if (state.method === "card" && !state.card) problems.push({ reason: COPY.takePayment.enterCard });
  if (state.channel === "counter" && state.method !== "card") {
    if (!state.terminal) problems.push({ field: "terminal", reason: COPY.takePayment.enterTerminal });
    if (!state.drawer) problems.push({ field: "drawer", reason: COPY.takePayment.enterDrawer });
  }
  if (state.method === "cheque" && !/^[0-9A-Za-z-]{1,32}$/.test(state.cheque)) problems.push({ field: "cheque", reason: COPY.takePayment.enterCheque });
  if (problems.length) return showFormErrors(form, problems, COPY.takePayment.notReady);
  // The agent confirms the amount the payer is charged: the fee is on the button before the payment is taken.
  const shown = $("#pay-button")?.textContent;
  try {
    await loadQuote();
  } catch (error) {
    return showApiError(error, { container: status, what: COPY.takePayment.theFee });
  }
  if (!state.sending && shown !== payLabel()) {
    showFee();
    announce(COPY.takePayment.pressToTake(feeText(), payLabel()));
    return;
  }
  const next = body();
  // The key belongs to this exact request: a different cart, card or method is a different payment.
  if (!state.key || JSON.stringify(state.body) !== JSON.stringify(next)) state.key = newIdempotencyKey();
  state.body = next;
  state.sending = true;
  save();
  await send(status);
}

let acting = false; // the bank's confirmation is asked for once per press of Pay

// The session expired before the request left the browser: after signing in again the agent takes it with the
// same body and key (both kept). Once it has left, the return asks for its outcome with that key (the end of file).
addEventListener("arportal:sign-in-needed", ({ detail }) => {
  if (!detail.sent && state.sending && detail.key === state.key) {
    state.sending = false;
    save();
  }
});

async function send(status) {
  const button = $("#pay-button");
  const restore = button ? busy(button, COPY.takePayment.taking) : () => {};
  announce(COPY.takePayment.takingNow);
  try {
    const response = await request("POST", "/v1/staff/payments", { body: state.body, idempotencyKey: state.key, raw: true });
    state.result = await response.json();
    state.sending = false;
    save();
    render();
  } catch (error) {
    if (error.code === "action_required" && !acting) {
      // The card's bank asks the payer to confirm (3-D Secure): on their phone or in this window. Nothing is
      // recorded until then; the same request with the same key then finishes it.
      acting = true;
      try {
        announce(COPY.takePayment.bankConfirms);
        await completeAction(error.details);
        restore();
        return await send(status);
      } finally {
        acting = false;
      }
    }
    state.sending = error.status === 0 || error.status >= 500 || error.code === "request_in_progress";
    if (error.code === "payment_declined") state.card = null; // a new card, a new key
    save();
    if (state.sending) {
      status.replaceChildren(
        alertBox({ type: "warning", heading: COPY.takePayment.notConfirmed, text: COPY.takePayment.notConfirmedText, focus: true }),
        h("button", { type: "button", class: "usa-button", onclick: () => send(status) }, COPY.takePayment.checkPayment),
      );
      status.firstChild.focus();
    } else {
      showApiError(error, { container: status, what: COPY.takePayment.thePayment });
      render(false);
    }
  } finally {
    restore();
  }
}

function charged(payment) {
  const fee = typeof payment.fee_amount === "number" ? payment.fee_amount : 0;
  const amount = typeof payment.amount === "number" ? payment.amount : null;
  if (!fee || amount === null) return "";
  return COPY.takePayment.charged(formatMoney({ amount: amount + fee, currency }), formatMoney({ amount: fee, currency }));
}

function receipt(result) {
  const payment = result.payment || {};
  const receiptNumber = result.receipt?.receipt_number || payment.receipt_number || result.receipt_number || "";
  const paymentId = payment.payment_id || result.payment_id || "";
  const duplicate = result.likely_duplicate_of;
  const parts = [
    alertBox({ type: "success", heading: COPY.takePayment.taken, text: COPY.takePayment.receiptFor(receiptNumber, formatMoney(payment.amount?.amount !== undefined ? payment.amount : { amount: state.body.amount, currency }), charged(payment)), focus: true }),
  ];
  if (duplicate) {
    parts.push(alertBox({ type: "warning", heading: COPY.takePayment.maybeDuplicate, children: [h("p", { class: "usa-alert__text" }, COPY.takePayment.duplicateBefore, link(paymentHref(duplicate), duplicate), COPY.takePayment.duplicateAfter)] }));
  }
  if (result.receipt?.lines) {
    parts.push(table({ caption: COPY.takePayment.receipt(receiptNumber), rows: result.receipt.lines, columns: [{ label: COPY.takePayment.line, cell: (l) => l.description }, { label: COPY.takePayment.amount, numeric: true, cell: (l) => money(l.amount) }] }));
  }
  parts.push(
    h(
      "div",
      { class: "button-row" },
      paymentId ? h("a", { class: "usa-button", href: paymentHref(paymentId) }, COPY.takePayment.openPayment) : null,
      h("a", { class: "usa-button usa-button--outline", href: customerHref(customerId) }, COPY.takePayment.backToCustomer),
      h("button", { type: "button", class: "usa-button usa-button--outline", onclick: () => { state = fresh(); save(); render(); } }, COPY.takePayment.another),
    ),
  );
  return parts;
}

let fieldsMounted = null;

function render(clearStatus = true) {
  fieldsMounted?.destroy?.();
  fieldsMounted = null;
  const root = $("#checkout");
  if (state.result) {
    root.replaceChildren(...receipt(state.result));
    root.querySelector(".usa-alert").focus();
    return;
  }
  const status = clearStatus ? h("div", { id: "pay-status" }) : $("#pay-status") || h("div", { id: "pay-status" });
  const parts = [
    h("p", {}, COPY.takePayment.for, link(customerHref(customerId), `${record.profile.name} (${customerId})`), "."),
    h("section", { "aria-labelledby": "cart-heading" }, h("h2", { id: "cart-heading" }, COPY.takePayment.theCart), cartTable(), h("p", { class: "text-bold", id: "cart-total" }, COPY.takePayment.total(formatMoney({ amount: total(), currency }))), h("p", { id: "cart-fee", "aria-live": "polite" }, feeText())),
    state.sending ? null : h("div", { class: "grid-row grid-gap-lg" }, h("div", { class: "tablet:grid-col-6" }, invoiceForm()), h("div", { class: "tablet:grid-col-6" }, feeForm())),
    methodSection(),
    status,
    h("div", { class: "button-row" }, h("button", { type: "button", class: "usa-button usa-button--big", id: "pay-button", onclick: () => pay() }, payLabel())),
  ];
  root.replaceChildren(...parts.filter(Boolean));
  refreshQuote();
  const container = $("#fields");
  if (container) {
    mountFields(container, {
      kind: "card",
      amount: total(),
      currency,
      onToken: (card) => {
        state.card = { token: card.token, brand: card.brand, last4: card.last4, method: card.method === "debit" ? "debit" : "card" };
        save();
        render();
        announce(COPY.takePayment.cardReady(card.last4));
      },
      onError: () => announce(COPY.takePayment.cardAttention),
    }).then(
      (mounted) => (fieldsMounted = mounted),
      (error) => showApiError(error, { container, what: COPY.takePayment.cardPayments }),
    );
  }
}

if (!/^CUS-[0-9A-Za-z]{4,20}$/i.test(customerId)) {
  showAlert($("#page-alerts"), { type: "error", heading: COPY.takePayment.noneChosen, text: COPY.takePayment.openCustomerFirst, focus: true });
} else {
  await section($("#checkout"), COPY.takePayment.customer, async () => {
    record = await get(`/v1/staff/customers/${encodeURIComponent(customerId)}`);
    render();
  });
  // A reload while the request was out: send the same body with the same key (the API answers the first outcome).
  if (record && state.sending && state.body && state.key) await send($("#pay-status"));
}
