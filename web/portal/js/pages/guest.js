// A guest pays one bill: look it up (its number plus the ZIP code or the amount due), which answers a short-lived
// guest token, then pay it with "Authorization: Guest <token>" through the same checkout as the portal's.

import { get, post } from "../../../shared/js/api.js";
import { Checkout } from "../checkout.js";
import { COPY } from "../copy.js";
import { startPage } from "../layout.js";
import { formatDate, formatDateTime, formatMoney, humanize, parseAmount, toDecimal } from "../../../shared/js/money.js";
import { $, busy, definitionList, emailRule, needed, showApiError, validate } from "../../../shared/js/ui.js";

const cfg = await startPage({ title: COPY.guest.title, signedIn: false });
const LOOKUP = "arportal.guest.lookup";
const lookupForm = $("#lookup");
const chooseForm = $("#choose");
const found = () => JSON.parse(sessionStorage.getItem(LOOKUP) || "null");
const byPostal = () => lookupForm.elements.proof.value === "postal";

const checkout = new Checkout({
  storeKey: "arportal.checkout.guest",
  parts: { choose: chooseForm, details: $("#details"), fields: $("#fields"), review: $("#review"), confirmation: $("#confirmation"), alerts: $("#page-alerts") },
  quote: (amount, method) => get("/v1/public/payments:quote", { auth: "none", query: { amount, method } }),
  pay: (body, key) => post("/v1/public/payments", body, { auth: "guest", guestToken: found()?.guest_token, idempotencyKey: key }),
  receiptUrl: async (receipt) => receipt.url, // a guest has no document list: the payment's own link
  restartUrl: "guest.html",
});

function showFound(result) {
  const invoice = result.invoice;
  lookupForm.hidden = true;
  chooseForm.hidden = false;
  $("#found").replaceChildren(
    definitionList([
      [COPY.guest.bill, invoice.number],
      [COPY.guest.for, humanize(invoice.department)],
      [COPY.guest.billedTo, invoice.payee],
      [COPY.guest.due, formatDate(invoice.due_date)],
      [COPY.guest.balance, formatMoney(invoice.balance)],
      [COPY.guest.payBefore, COPY.guest.timesOut(formatDateTime(result.expires_at))],
    ]),
  );
  $("#amount").value = toDecimal(invoice.balance.amount, invoice.balance.currency);
  $("#found-heading").focus();
}

lookupForm.addEventListener("change", () => {
  $("#postal-group").hidden = !byPostal();
  $("#amount-group").hidden = byPostal();
});

lookupForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const rules = [["invoice_number", needed(COPY.guest.theBillNumber)]];
  rules.push(byPostal() ? ["postal_code", needed(COPY.guest.theZip)] : ["amount_due", (v) => (parseAmount(v, cfg.currency) !== null ? null : COPY.guest.amountDue)]);
  if (!validate(lookupForm, rules)) return;
  const body = { invoice_number: $("#invoice_number").value.trim() };
  if (byPostal()) body.postal_code = $("#postal_code").value.trim();
  else body.amount_due = parseAmount($("#amount_due").value, cfg.currency);
  const restore = busy(lookupForm.querySelector("button[type=submit]"), COPY.guest.lookingUp);
  try {
    const result = await post("/v1/public/lookup", body, { auth: "none" });
    sessionStorage.setItem(LOOKUP, JSON.stringify(result));
    showFound(result);
  } catch (error) {
    const fieldMap = { invoice_number: "invoice_number", postal_code: "postal_code", amount_due: "amount_due" };
    showApiError(error, { container: $("#page-alerts"), form: lookupForm, fieldMap, what: COPY.guest.paying });
  } finally {
    restore();
  }
});

chooseForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const invoice = found().invoice;
  const ok = validate(chooseForm, [
    ["amount", (v) => {
      const amount = parseAmount(v, invoice.balance.currency);
      if (!amount) return COPY.guest.moreThanZero;
      return amount > invoice.balance.amount ? COPY.guest.atMost(formatMoney(invoice.balance)) : null;
    }],
    ["receipt_email", (v) => (v ? emailRule(v) : null)],
  ]);
  if (!ok) return;
  const email = $("#receipt_email").value.trim();
  await checkout.start({
    amount: parseAmount($("#amount").value, invoice.balance.currency),
    currency: invoice.balance.currency,
    method: chooseForm.elements.method.value,
    extra: email ? { receipt_email: email } : {},
    lines: [[COPY.guest.bill, invoice.number], [COPY.guest.receiptTo, email || null]],
  });
});

if (await checkout.resume()) lookupForm.hidden = true;
else if (found() && new Date(found().expires_at) > new Date()) showFound(found());
