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
import { startPage } from "../layout.js";
import { customerHref, paymentHref } from "../views.js";

const { $, alertBox, announce, busy, h, link, money, section, showAlert, showApiError, showFormErrors, table, validate } = ui;

const cfg = await startPage({ title: "Take a payment" });
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
  if (!current) return "Working out the convenience fee…";
  if (current.fee.amount > 0) {
    const who = state.method === "card" ? "The card" : "The payer";
    return `Convenience fee ${formatMoney(current.fee)}. ${who} is charged ${formatMoney(current.total)} in all.`;
  }
  return current.staffFees ? "No convenience fee for this method." : "No convenience fee on payments staff take.";
}

function payLabel() {
  const base = `Take ${formatMoney({ amount: total(), currency })}`;
  const current = currentQuote();
  return current && current.fee.amount > 0 ? `${base} + ${formatMoney(current.fee)} fee` : base;
}

function showFee(failed = false) {
  const note = $("#cart-fee");
  if (note) note.textContent = failed ? "The convenience fee could not be worked out yet: it is asked again before the payment is taken." : feeText();
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
const amountRule = (value) => (parseAmount(value, currency) ? null : "Enter an amount, like 25.00.");

function cartTable() {
  return table({
    caption: "The cart",
    rows: state.lines,
    empty: "The cart is empty: add an invoice or a fee.",
    columns: [
      { label: "Line", cell: (l) => (l.invoice_id ? `Invoice ${l.label}` : `${l.description} (${l.fee_code})`) },
      { label: "Account", cell: (l) => l.account_number || "" },
      { label: "Amount", numeric: true, cell: (l) => formatMoney({ amount: l.amount, currency }) },
      {
        label: "Remove",
        cell: (l) =>
          h("button", { type: "button", class: "usa-button usa-button--unstyled", disabled: state.sending || null, onclick: () => removeLine(l) }, `Remove ${l.invoice_id ? l.label : l.description}`),
      },
    ],
  });
}

function removeLine(line) {
  state.lines = state.lines.filter((l) => l !== line && JSON.stringify(l) !== JSON.stringify(line));
  save();
  render();
  announce("Line removed.");
}

function invoiceForm() {
  const open = record.open_invoices;
  const form = h(
    "form",
    { id: "add-invoice", class: "usa-form maxw-none", novalidate: true },
    h("h3", {}, "Add an invoice"),
    h(
      "div",
      { class: "inline-fields" },
      field("line-invoice", "Invoice", h("select", { class: "usa-select", id: "line-invoice", name: "invoice" }, h("option", { value: "" }, "- Select -"), open.map((i) => h("option", { value: i.invoice_id }, `${i.invoice_number}: ${money(i.balance)} due ${i.due_date}`)))),
      field("line-invoice-amount", "Amount", input("line-invoice-amount", { inputmode: "decimal", class: "usa-input amount-input" })),
    ),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, "Add the invoice"),
  );
  form.querySelector("#line-invoice").addEventListener("change", (event) => {
    const chosen = open.find((i) => i.invoice_id === event.target.value);
    if (chosen) form.querySelector("#line-invoice-amount").value = toDecimal(chosen.balance.amount, currency);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!validate(form, [["line-invoice", (v) => (v ? null : "Choose an invoice.")], ["line-invoice-amount", amountRule]])) return;
    const chosen = open.find((i) => i.invoice_id === $("#line-invoice").value);
    state.lines.push({ invoice_id: chosen.invoice_id, label: chosen.invoice_number, amount: parseAmount($("#line-invoice-amount").value, currency) });
    save();
    render();
    announce(`Invoice ${chosen.invoice_number} added.`);
  });
  return form;
}

function feeForm() {
  const accounts = record.accounts.filter((a) => a.status === "active");
  const form = h(
    "form",
    { id: "add-fee", class: "usa-form maxw-none", novalidate: true },
    h("h3", {}, "Add a fee"),
    h(
      "div",
      { class: "inline-fields" },
      field("fee-account", "Account", h("select", { class: "usa-select", id: "fee-account", name: "account" }, h("option", { value: "" }, "- Select -"), accounts.map((a) => h("option", { value: a.account_number }, `${a.account_number} (${humanize(a.department)})`)))),
      field("fee-code", "Fee code", input("fee-code", { maxlength: "32", "aria-describedby": "fee-code-hint", spellcheck: "false" }), "Capitals, digits and _, e.g. PERMIT_FEE"),
      field("fee-description", "Description", input("fee-description", { maxlength: "200" })),
      field("fee-amount", "Amount", input("fee-amount", { inputmode: "decimal", class: "usa-input amount-input" })),
    ),
    h("button", { type: "submit", class: "usa-button usa-button--outline" }, "Add the fee"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const rules = [
      ["fee-account", (v) => (v ? null : "Choose the account the fee is for.")],
      ["fee-code", (v) => (/^[A-Z0-9_]{2,32}$/.test(v) ? null : "Enter a fee code of 2 to 32 capitals, digits or _.")],
      ["fee-description", (v) => (v ? null : "Describe the fee.")],
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
    announce("Fee added.");
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
  const methods = state.channel === "phone" ? [["card", "Card (read out by the caller)"]] : [["card", "Card"], ["cash", "Cash"], ["cheque", "Cheque"]];
  if (!methods.some(([m]) => m === state.method)) state.method = "card";
  const counter = state.channel === "counter";
  const keep = (name) => (event) => {
    state[name] = event.target.value.trim();
    save();
  };
  return h(
    "form",
    { id: "method-form", class: "usa-form maxw-none", novalidate: true },
    h("h2", {}, "How they pay"),
    radios("channel", "Where", [["phone", "On the phone"], ["counter", "At the counter"]], state.channel, (v) => { state.channel = v; save(); render(); }),
    radios("method", "Method", methods, state.method, (v) => { state.method = v; save(); render(); }),
    counter
      ? h(
          "div",
          { class: "inline-fields" },
          field("terminal", "Terminal", input("terminal", { value: state.terminal, onchange: keep("terminal") })),
          state.method === "card" ? null : field("drawer", "Cash drawer", input("drawer", { value: state.drawer, onchange: keep("drawer") })),
          state.method === "cheque" ? field("cheque", "Cheque number", input("cheque", { value: state.cheque, onchange: keep("cheque") })) : null,
        )
      : null,
    state.method === "card"
      ? h("div", {}, h("h3", {}, "Card details"), state.card ? h("p", { id: "card-chosen" }, `${humanize(state.card.brand || "card")} ending ${state.card.last4}. `, h("button", { type: "button", class: "usa-button usa-button--unstyled", onclick: () => { state.card = null; save(); render(); } }, "Use another card")) : h("div", { id: "fields", class: "secure-fields" }))
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
  if (!state.lines.length) problems.push({ reason: "Add at least one invoice or fee to the cart." });
  if (state.method === "card" && !state.card) problems.push({ reason: "Enter the card details and press “Use this card”." });
  if (state.channel === "counter" && state.method !== "card") {
    if (!state.terminal) problems.push({ field: "terminal", reason: "Enter the terminal." });
    if (!state.drawer) problems.push({ field: "drawer", reason: "Enter the cash drawer." });
  }
  if (state.method === "cheque" && !/^[0-9A-Za-z-]{1,32}$/.test(state.cheque)) problems.push({ field: "cheque", reason: "Enter the cheque number." });
  if (problems.length) return showFormErrors(form, problems, "The payment is not ready");
  // The agent confirms the amount the payer is charged: the fee is on the button before the payment is taken.
  const shown = $("#pay-button")?.textContent;
  try {
    await loadQuote();
  } catch (error) {
    return showApiError(error, { container: status, what: "The convenience fee" });
  }
  if (!state.sending && shown !== payLabel()) {
    showFee();
    announce(`${feeText()} Press “${payLabel()}” to take the payment.`);
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
  const restore = button ? busy(button, "Taking the payment…") : () => {};
  announce("Taking the payment.");
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
        announce("The card's bank asks the payer to confirm the payment.");
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
        alertBox({ type: "warning", heading: "We could not confirm the payment yet", text: "Check it before taking it again: checking sends the same request, so it is never charged twice.", focus: true }),
        h("button", { type: "button", class: "usa-button", onclick: () => send(status) }, "Check the payment"),
      );
      status.firstChild.focus();
    } else {
      showApiError(error, { container: status, what: "The payment" });
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
  return ` Charged ${formatMoney({ amount: amount + fee, currency })}, with a ${formatMoney({ amount: fee, currency })} convenience fee.`;
}

function receipt(result) {
  const payment = result.payment || {};
  const receiptNumber = result.receipt?.receipt_number || payment.receipt_number || result.receipt_number || "";
  const paymentId = payment.payment_id || result.payment_id || "";
  const duplicate = result.likely_duplicate_of;
  const parts = [
    alertBox({ type: "success", heading: "Payment taken", text: `Receipt ${receiptNumber} for ${formatMoney(payment.amount?.amount !== undefined ? payment.amount : { amount: state.body.amount, currency })}.${charged(payment)}`, focus: true }),
  ];
  if (duplicate) {
    parts.push(alertBox({ type: "warning", heading: "This may be a duplicate", children: [h("p", { class: "usa-alert__text" }, "A payment of the same amount for the same invoices was taken a few minutes ago: ", link(paymentHref(duplicate), duplicate), ". Check with the customer, and refund one if they paid twice.")] }));
  }
  if (result.receipt?.lines) {
    parts.push(table({ caption: `Receipt ${receiptNumber}`, rows: result.receipt.lines, columns: [{ label: "Line", cell: (l) => l.description }, { label: "Amount", numeric: true, cell: (l) => money(l.amount) }] }));
  }
  parts.push(
    h(
      "div",
      { class: "button-row" },
      paymentId ? h("a", { class: "usa-button", href: paymentHref(paymentId) }, "Open the payment") : null,
      h("a", { class: "usa-button usa-button--outline", href: customerHref(customerId) }, "Back to the customer"),
      h("button", { type: "button", class: "usa-button usa-button--outline", onclick: () => { state = fresh(); save(); render(); } }, "Take another payment"),
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
    h("p", {}, "For ", link(customerHref(customerId), `${record.profile.name} (${customerId})`), "."),
    h("section", { "aria-labelledby": "cart-heading" }, h("h2", { id: "cart-heading" }, "The cart"), cartTable(), h("p", { class: "text-bold", id: "cart-total" }, `Total ${formatMoney({ amount: total(), currency })}`), h("p", { id: "cart-fee", "aria-live": "polite" }, feeText())),
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
        announce(`Card ending ${card.last4} ready.`);
      },
      onError: () => announce("The card details need attention."),
    }).then(
      (mounted) => (fieldsMounted = mounted),
      (error) => showApiError(error, { container, what: "Card payments" }),
    );
  }
}

if (!/^CUS-[0-9A-Za-z]{4,20}$/i.test(customerId)) {
  showAlert($("#page-alerts"), { type: "error", heading: "No customer chosen", text: "Open the customer first, then “Take a payment”.", focus: true });
} else {
  await section($("#checkout"), "Customer", async () => {
    record = await get(`/v1/staff/customers/${encodeURIComponent(customerId)}`);
    render();
  });
  // A reload while the request was out: send the same body with the same key (the API answers the first outcome).
  if (record && state.sending && state.body && state.key) await send($("#pay-status"));
}
