// Autopay enrolments and payment plans: the current ones (with each instalment, and a cancel button), turning on
// autopay for an account, and quoting then accepting a plan for chosen bills.

import { del, get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { section, startPage } from "../layout.js";
import { addDays, formatDate, humanize, today } from "../../../shared/js/money.js";
import { $, busy, definitionList, h, methodLabel, money, showAlert, showApiError, statusTag, table, validate } from "../../../shared/js/ui.js";

await startPage({ title: "Autopay and payment plans" });
let methods = [];
let unpaid = [];

function scheduleCard(s) {
  const cancel = h("button", { type: "button", class: "usa-button usa-button--secondary" }, s.kind === "plan" ? "Cancel this plan" : "Turn off autopay");
  cancel.addEventListener("click", () => cancelSchedule(s, cancel));
  const method = methods.find((m) => m.payment_method_id === s.payment_method_id);
  return h(
    "div",
    { class: "usa-summary-box margin-bottom-2" },
    h(
      "div",
      { class: "usa-summary-box__body" },
      h("h3", { class: "usa-summary-box__heading" }, `${s.kind === "plan" ? "Payment plan" : "Autopay"} for account ${s.account_number}`),
      definitionList([
        ["Status", statusTag(s.active ? "active" : "closed")],
        ["Pays with", method ? methodLabel(method) : s.payment_method_id ? "A saved payment method" : "You pay each instalment"],
        ["When", s.kind === "autopay" ? (s.days_before_due ? `${s.days_before_due} days before each due date` : "On each due date") : null],
        ["Set up", formatDate(s.created_at)],
      ]),
      s.instalments.length
        ? table({
            caption: "Instalments",
            rows: s.instalments,
            columns: [
              { label: "Due", cell: (i) => formatDate(i.due_date) },
              { label: "Status", cell: (i) => statusTag(i.status) },
              { label: "Amount", cell: (i) => money(i.amount), numeric: true },
            ],
          })
        : null,
      s.active ? cancel : null,
    ),
  );
}

async function loadSchedules() {
  await section($("#schedules"), "Your autopay and plans", async () => {
    const page = await get("/v1/portal/schedules", { query: { limit: 50 } });
    const active = page.schedules.filter((s) => s.active);
    $("#schedules").replaceChildren(
      ...(active.length ? active.map(scheduleCard) : [h("p", { class: "empty-state" }, "You have no autopay or payment plans.")]),
    );
  });
}

async function cancelSchedule(schedule, button) {
  const restore = busy(button, "Cancelling…");
  try {
    await del(`/v1/portal/schedules/${encodeURIComponent(schedule.schedule_id)}`);
    showAlert($("#schedule-status"), { type: "success", text: schedule.kind === "plan" ? "The plan is cancelled." : "Autopay is off." });
    await loadSchedules();
    $("#current-heading").focus();
  } catch (error) {
    restore();
    showApiError(error, { container: $("#schedule-status"), what: "Cancelling" });
  }
}

function fillSelects(accounts) {
  for (const select of [$("#autopay-account"), $("#plan-account")]) {
    select.replaceChildren(...accounts.map((a) => h("option", { value: a.account_number }, `${a.account_number} (${a.description})`)));
  }
  const usable = methods.filter((m) => !m.expired);
  $("#autopay-method").replaceChildren(
    ...(usable.length ? usable.map((m) => h("option", { value: m.payment_method_id }, methodLabel(m))) : [h("option", { value: "" }, "No saved payment methods yet")]),
  );
  $("#plan-method").append(...usable.map((m) => h("option", { value: m.payment_method_id }, `Automatically with ${methodLabel(m)}`)));
}

function showPlanInvoices() {
  const account = $("#plan-account").value;
  const mine = unpaid.filter((i) => i.account_number === account);
  $("#plan-invoice-list").replaceChildren(
    ...(mine.length
      ? mine.map((i) =>
          h(
            "div",
            { class: "usa-checkbox" },
            h("input", { class: "usa-checkbox__input", type: "checkbox", id: `plan-${i.invoice_id}`, name: "invoice", value: i.invoice_id, checked: true }),
            h("label", { class: "usa-checkbox__label", for: `plan-${i.invoice_id}` }, `${i.invoice_number}: ${money(i.balance)} due ${formatDate(i.due_date)}`),
          ),
        )
      : [h("p", { class: "empty-state", id: "plan-none" }, "Nothing unpaid on this account.")]),
  );
}

function planChoice() {
  return {
    account_number: $("#plan-account").value,
    invoice_ids: [...document.querySelectorAll("#plan-invoice-list input:checked")].map((box) => box.value),
    instalment_count: Number($("#plan-count").value),
    frequency: $("#plan-frequency").value,
    first_due_date: $("#plan-first").value || null,
  };
}

function showQuote(choice, quote) {
  const key = newIdempotencyKey(); // one acceptance of this quote, however often the button is pressed
  const accept = h("button", { type: "button", class: "usa-button" }, "Accept this plan");
  accept.addEventListener("click", async () => {
    const restore = busy(accept, "Setting up…");
    const method = $("#plan-method").value || null;
    try {
      const body = { kind: "plan", ...choice, payment_method_id: method, accept: true, instalments: quote.instalments };
      await post("/v1/portal/schedules", body, { idempotencyKey: key });
      $("#plan-quote").replaceChildren();
      showAlert($("#schedule-status"), { type: "success", text: "Your payment plan is set up.", focus: true });
      await loadSchedules();
    } catch (error) {
      restore();
      showApiError(error, { container: $("#plan-quote"), what: "Payment plans" });
    }
  });
  $("#plan-quote").replaceChildren(
    h("h3", { tabindex: "-1", id: "quote-heading" }, "Your plan"),
    definitionList([["Account", quote.account_number], ["Total", money(quote.total)], ["How often", humanize(quote.frequency)]]),
    table({
      caption: "Instalments",
      rows: quote.instalments,
      columns: [
        { label: "Due", cell: (i) => formatDate(i.due_date) },
        { label: "Amount", cell: (i) => money({ amount: i.amount, currency: quote.currency }), numeric: true },
      ],
    }),
    h("div", { class: "button-row" }, accept),
  );
  $("#quote-heading").focus();
}

$("#autopay").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const ok = validate(form, [
    ["autopay-account", (v) => (v ? null : "Choose an account.")],
    ["autopay-method", (v) => (v ? null : "Save a payment method on your profile first.")],
    ["autopay-days", (v) => (/^\d+$/.test(v) && Number(v) <= 30 ? null : "Enter a number from 0 to 30.")],
  ]);
  if (!ok) return;
  const restore = busy(form.querySelector("button"), "Turning on…");
  try {
    await post("/v1/portal/schedules", {
      kind: "autopay",
      account_number: $("#autopay-account").value,
      payment_method_id: $("#autopay-method").value,
      days_before_due: Number($("#autopay-days").value),
    });
    showAlert($("#schedule-status"), { type: "success", text: "Autopay is on.", focus: true });
    await loadSchedules();
  } catch (error) {
    showApiError(error, { container: $("#schedule-status"), form, fieldMap: { days_before_due: "autopay-days" }, what: "Autopay" });
  } finally {
    restore();
  }
});

$("#plan-account").addEventListener("change", showPlanInvoices);
$("#plan").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const choice = planChoice();
  const ok = validate(form, [
    [choice.invoice_ids.length ? "plan-count" : `plan-${unpaid[0]?.invoice_id}`, () => (choice.invoice_ids.length ? null : "Choose at least one bill.")],
    ["plan-count", (v) => (/^\d+$/.test(v) && Number(v) >= 2 && Number(v) <= 24 ? null : "Enter a number from 2 to 24.")],
  ]);
  if (!ok) return;
  const restore = busy(form.querySelector("button"), "Working it out…");
  try {
    showQuote(choice, await post("/v1/portal/schedules:quote", { kind: "plan", ...choice }));
  } catch (error) {
    const fieldMap = { instalment_count: "plan-count", first_due_date: "plan-first", invoice_ids: "plan-count" };
    showApiError(error, { container: $("#plan-quote"), form, fieldMap, what: "Payment plans" });
  } finally {
    restore();
  }
});

$("#plan-first").min = addDays(today(), 1);
$("#plan-first").max = addDays(today(), 31);
// One request at a time, in the order the page needs them.
methods = (await get("/v1/portal/payment-methods", { query: { limit: 50 } }).catch(() => ({ items: [] }))).items;
await loadSchedules();
const accounts = (await get("/v1/portal/accounts", { query: { limit: 100 } }).catch(() => ({ accounts: [] }))).accounts;
unpaid = (
  await get("/v1/portal/invoices", { query: { status: ["open", "partially_paid", "overdue"], sort: "due_date", limit: 100 } }).catch(
    () => ({ invoices: [] }),
  )
).invoices;
fillSelects(accounts.filter((a) => a.status === "active"));
showPlanInvoices();
