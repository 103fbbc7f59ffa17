// Pay one or several invoices (each in full or in part), or an amount (oldest bills first, or one account's).
// What is paid is chosen here; the secure details, fee, review, payment and receipt are checkout.js's.
// ?invoices=<id>,<id> or ?account=<number> preselect invoices (from the overview, the invoice list or an invoice).

import { get, post } from "../../../shared/js/api.js";
import { showBankTransfer } from "../bank-transfer.js";
import { Checkout } from "../checkout.js";
import { COPY } from "../copy.js";
import { startPage } from "../layout.js";
import { formatDate, formatMoney, parseAmount, toDecimal } from "../../../shared/js/money.js";
import { $, h, showApiError, statusTag, table, validate } from "../../../shared/js/ui.js";

const cfg = await startPage({ title: COPY.pay.title });
const currency = cfg.currency;
const params = new URLSearchParams(location.search);
const form = $("#choose");
let invoices = [];

const checkout = new Checkout({
  storeKey: "arportal.checkout.portal",
  parts: {
    choose: form,
    details: $("#details"),
    fields: $("#fields"),
    review: $("#review"),
    confirmation: $("#confirmation"),
    alerts: $("#page-alerts"),
  },
  quote: (amount, method) => get("/v1/portal/payments:quote", { query: { amount, method } }),
  pay: (body, key) => post("/v1/portal/payments", body, { idempotencyKey: key }),
  receiptUrl: async (receipt) =>
    receipt.document_id
      ? (await get(`/v1/portal/documents/${encodeURIComponent(receipt.document_id)}`)).url
      : receipt.url,
  restartUrl: "pay.html",
});
checkout.links = [h("a", { class: "usa-button usa-button--unstyled", href: "dashboard.html" }, COPY.pay.back)];

const mode = () => form.querySelector("input[name=mode]:checked").value;
const chosen = () => invoices.filter((i) => $(`#pick-${i.invoice_id}`)?.checked);

function updateTotal() {
  let total = 0;
  if (mode() === "amount") total = parseAmount($("#amount").value, currency) || 0;
  else for (const i of chosen()) total += parseAmount($(`#part-${i.invoice_id}`).value, currency) || 0;
  $("#total").textContent = formatMoney({ amount: total, currency });
  return total;
}

function switchMode() {
  const byAmount = mode() === "amount";
  $("#amount-choice").hidden = !byAmount;
  $("#invoice-choices").hidden = byAmount;
  updateTotal();
}

function invoiceTable(preselected) {
  return table({
    caption: COPY.pay.caption,
    rows: invoices,
    empty: COPY.pay.empty,
    columns: [
      {
        label: COPY.pay.pay,
        header: false,
        cell: (i) =>
          h("input", {
            type: "checkbox",
            id: `pick-${i.invoice_id}`,
            checked: preselected(i),
            "aria-label": COPY.pay.payInvoice(i.invoice_number),
          }),
      },
      { label: COPY.pay.invoice, cell: (i) => i.invoice_number },
      { label: COPY.pay.account, cell: (i) => i.account_number },
      { label: COPY.pay.due, cell: (i) => formatDate(i.due_date) },
      { label: COPY.pay.status, cell: (i) => statusTag(i.status) },
      { label: COPY.pay.balance, cell: (i) => formatMoney(i.balance), numeric: true },
      {
        label: COPY.pay.amountToPay,
        cell: (i) =>
          h("input", {
            class: "usa-input amount-input",
            id: `part-${i.invoice_id}`,
            inputmode: "decimal",
            autocomplete: "off",
            value: toDecimal(i.balance.amount, currency),
            "aria-label": COPY.pay.amountFor(i.invoice_number),
          }),
      },
    ],
  });
}

async function loadChoices() {
  const wanted = new Set((params.get("invoices") || "").split(",").filter(Boolean));
  const account = params.get("account");
  const list = await get("/v1/portal/invoices", {
    query: { status: ["open", "partially_paid", "overdue"], sort: "due_date", limit: 100 },
  });
  const accounts = await get("/v1/portal/accounts", { query: { limit: 100 } }).catch(() => ({ accounts: [] }));
  invoices = list.invoices;
  $("#invoice-choices").replaceChildren(
    invoiceTable((i) => wanted.has(i.invoice_id) || (account !== null && i.account_number === account)),
  );
  for (const a of accounts.accounts) {
    $("#apply-to").append(h("option", { value: a.account_number }, `${a.account_number} (${a.description})`));
  }
  if (!invoices.length) $("#mode-amount").checked = true;
  switchMode();
}

function contents() {
  const method = form.querySelector("input[name=method]:checked").value;
  if (mode() === "amount") {
    const account = $("#apply-to").value;
    return {
      amount: parseAmount($("#amount").value, currency),
      currency,
      method,
      extra: account ? { account_number: account } : {},
      lines: [[COPY.pay.appliedTo, account ? COPY.pay.toAccount(account) : COPY.pay.oldestFirst]],
    };
  }
  const parts = chosen().map((i) => ({ invoice: i, amount: parseAmount($(`#part-${i.invoice_id}`).value, currency) }));
  return {
    amount: parts.reduce((sum, p) => sum + p.amount, 0),
    currency,
    method,
    extra: { invoices: parts.map((p) => ({ invoice_id: p.invoice.invoice_id, amount: p.amount })) },
    lines: parts.map((p) => [COPY.pay.invoiceNumber(p.invoice.invoice_number), formatMoney({ amount: p.amount, currency })]),
  };
}

function rules() {
  if (mode() === "amount") {
    return [["amount", (v) => ((parseAmount(v, currency) || 0) > 0 ? null : COPY.pay.amountMoreThanZero)]];
  }
  if (!chosen().length) {
    return [[`pick-${invoices[0]?.invoice_id}`, () => COPY.pay.selectOne]];
  }
  return chosen().map((i) => [
    `part-${i.invoice_id}`,
    (v) => {
      const amount = parseAmount(v, currency);
      if (!amount) return COPY.pay.partMoreThanZero(i.invoice_number);
      return amount > i.balance.amount ? COPY.pay.atMostBalance(formatMoney(i.balance)) : null;
    },
  ]);
}

form.addEventListener("input", updateTotal);
form.addEventListener("change", (event) => (event.target.name === "mode" ? switchMode() : updateTotal()));
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!validate(form, rules())) return;
  await checkout.start(contents());
});

// A checkout this tab started (reloaded while paying, or already paid) is shown as it stands; the choices load
// anyway, for "use different payment details".
await checkout.resume();
try {
  await loadChoices();
} catch (error) {
  showApiError(error, { container: $("#invoice-choices"), what: COPY.pay.yourInvoices });
}
updateTotal();
await showBankTransfer($("#bank-transfer"));
