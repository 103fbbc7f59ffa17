// Autopay enrolments and payment plans: the current ones (with each instalment, and a cancel button), turning on
// autopay for an account, and quoting then accepting a plan for chosen bills.

import { del, get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { section, startPage } from "../layout.js";
import { addDays, formatDate, humanize, today } from "../../../shared/js/money.js";
import { $, busy, definitionList, h, methodLabel, money, showAlert, showApiError, statusTag, table, validate } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.schedules;

await startPage({ title: C.title });
let methods = [];
let unpaid = [];

function scheduleCard(s) {
  const cancel = h("button", { type: "button", class: "usa-button usa-button--secondary" }, s.kind === "plan" ? C.cancelPlan : C.turnOff);
  cancel.addEventListener("click", () => cancelSchedule(s, cancel));
  const method = methods.find((m) => m.payment_method_id === s.payment_method_id);
  return h(
    "div",
    { class: "usa-summary-box margin-bottom-2" },
    h(
      "div",
      { class: "usa-summary-box__body" },
      h("h3", { class: "usa-summary-box__heading" }, (s.kind === "plan" ? C.planFor : C.autopayFor)(s.account_number)),
      definitionList([
        [C.facts.status, statusTag(s.active ? "active" : "closed")],
        [C.facts.paysWith, method ? methodLabel(method) : s.payment_method_id ? C.savedMethod : C.payEach],
        [C.facts.when, s.kind === "autopay" ? (s.days_before_due ? C.daysBefore(s.days_before_due) : C.onDueDate) : null],
        [C.facts.setUp, formatDate(s.created_at)],
      ]),
      s.instalments.length
        ? table({
            caption: C.instalments,
            rows: s.instalments,
            columns: [
              { label: C.columns.due, cell: (i) => formatDate(i.due_date) },
              { label: C.columns.status, cell: (i) => statusTag(i.status) },
              { label: C.columns.amount, cell: (i) => money(i.amount), numeric: true },
            ],
          })
        : null,
      s.active ? cancel : null,
    ),
  );
}

async function loadSchedules() {
  await section($("#schedules"), C.section, async () => {
    const page = await get("/v1/portal/schedules", { query: { limit: 50 } });
    const active = page.schedules.filter((s) => s.active);
    $("#schedules").replaceChildren(
      ...(active.length ? active.map(scheduleCard) : [h("p", { class: "empty-state" }, C.none)]),
    );
  });
}

async function cancelSchedule(schedule, button) {
  const restore = busy(button, C.cancelling);
  try {
    await del(`/v1/portal/schedules/${encodeURIComponent(schedule.schedule_id)}`);
    showAlert($("#schedule-status"), { type: "success", text: schedule.kind === "plan" ? C.planCancelled : C.autopayOff });
    await loadSchedules();
    $("#current-heading").focus();
  } catch (error) {
    restore();
    showApiError(error, { container: $("#schedule-status"), what: C.cancellingWhat });
  }
}

function fillSelects(accounts) {
  for (const select of [$("#autopay-account"), $("#plan-account")]) {
    select.replaceChildren(...accounts.map((a) => h("option", { value: a.account_number }, C.account(a.account_number, a.description))));
  }
  const usable = methods.filter((m) => !m.expired);
  $("#autopay-method").replaceChildren(
    ...(usable.length ? usable.map((m) => h("option", { value: m.payment_method_id }, methodLabel(m))) : [h("option", { value: "" }, C.noMethods)]),
  );
  $("#plan-method").append(...usable.map((m) => h("option", { value: m.payment_method_id }, C.automaticallyWith(methodLabel(m)))));
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
            h("label", { class: "usa-checkbox__label", for: `plan-${i.invoice_id}` }, C.bill(i.invoice_number, money(i.balance), formatDate(i.due_date))),
          ),
        )
      : [h("p", { class: "empty-state", id: "plan-none" }, C.nothingUnpaid)]),
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
  const accept = h("button", { type: "button", class: "usa-button" }, C.accept);
  accept.addEventListener("click", async () => {
    const restore = busy(accept, C.settingUp);
    const method = $("#plan-method").value || null;
    try {
      const body = { kind: "plan", ...choice, payment_method_id: method, accept: true, instalments: quote.instalments };
      await post("/v1/portal/schedules", body, { idempotencyKey: key });
      $("#plan-quote").replaceChildren();
      showAlert($("#schedule-status"), { type: "success", text: C.planSetUp, focus: true });
      await loadSchedules();
    } catch (error) {
      restore();
      showApiError(error, { container: $("#plan-quote"), what: C.plans });
    }
  });
  $("#plan-quote").replaceChildren(
    h("h3", { tabindex: "-1", id: "quote-heading" }, C.yourPlan),
    definitionList([[C.facts.account, quote.account_number], [C.facts.total, money(quote.total)], [C.facts.howOften, humanize(quote.frequency)]]),
    table({
      caption: C.instalments,
      rows: quote.instalments,
      columns: [
        { label: C.columns.due, cell: (i) => formatDate(i.due_date) },
        { label: C.columns.amount, cell: (i) => money({ amount: i.amount, currency: quote.currency }), numeric: true },
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
    ["autopay-account", (v) => (v ? null : C.chooseAccount)],
    ["autopay-method", (v) => (v ? null : C.saveMethodFirst)],
    ["autopay-days", (v) => (/^\d+$/.test(v) && Number(v) <= 30 ? null : C.days)],
  ]);
  if (!ok) return;
  const restore = busy(form.querySelector("button"), C.turningOn);
  try {
    await post("/v1/portal/schedules", {
      kind: "autopay",
      account_number: $("#autopay-account").value,
      payment_method_id: $("#autopay-method").value,
      days_before_due: Number($("#autopay-days").value),
    });
    showAlert($("#schedule-status"), { type: "success", text: C.autopayOn, focus: true });
    await loadSchedules();
  } catch (error) {
    showApiError(error, { container: $("#schedule-status"), form, fieldMap: { days_before_due: "autopay-days" }, what: C.autopay });
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
    [choice.invoice_ids.length ? "plan-count" : `plan-${unpaid[0]?.invoice_id}`, () => (choice.invoice_ids.length ? null : C.chooseBill)],
    ["plan-count", (v) => (/^\d+$/.test(v) && Number(v) >= 2 && Number(v) <= 24 ? null : C.count)],
  ]);
  if (!ok) return;
  const restore = busy(form.querySelector("button"), C.workingOut);
  try {
    showQuote(choice, await post("/v1/portal/schedules:quote", { kind: "plan", ...choice }));
  } catch (error) {
    const fieldMap = { instalment_count: "plan-count", first_due_date: "plan-first", invoice_ids: "plan-count" };
    showApiError(error, { container: $("#plan-quote"), form, fieldMap, what: C.plans });
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
