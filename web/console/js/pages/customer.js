// The customer 360: profile, accounts, balances (ours and the connected systems'), invoices, payments with their
// timelines, credit, schedules, documents, interactions (and logging one), pending approvals, likely duplicates.
// The API calls go one after another: the local gateway runs one function's requests concurrently, which the
// API's resolver does not expect.

import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { formatMoney } from "../../../shared/js/money.js";
import { $, alertBox, announce, busy, h, link, section, showAlert, showApiError, table, validate } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";
import { allowed, startPage } from "../layout.js";
import * as s from "../customer-sections.js";
import { paymentHref } from "../views.js";

await startPage({ title: "Customer" });
const customerId = new URLSearchParams(location.search).get("id") || "";
const root = $("#customer");
const base = `/v1/staff/customers/${encodeURIComponent(customerId)}`;

function block(id, title, ...children) {
  return h("section", { id, "aria-labelledby": `${id}-heading`, class: "margin-top-4" }, h("h2", { id: `${id}-heading` }, title), ...children);
}

function actions() {
  const items = [];
  if (allowed("payments.take")) {
    items.push(h("a", { class: "usa-button", href: `take-payment.html?customer=${encodeURIComponent(customerId)}` }, "Take a payment"));
  }
  return items.length ? h("div", { class: "button-row" }, items) : null;
}

function interactionForm() {
  if (!allowed("interactions.write")) return null;
  const form = h(
    "form",
    { id: "interaction-form", class: "usa-form maxw-none", novalidate: true },
    h("h3", {}, "Log an interaction"),
    h(
      "div",
      { class: "inline-fields" },
      h(
        "div",
        { class: "usa-form-group" },
        h("label", { class: "usa-label", for: "interaction-kind" }, "Kind"),
        h(
          "select",
          { class: "usa-select", id: "interaction-kind", name: "kind" },
          [["note", "Note"], ["call", "Call"], ["counter", "Counter visit"], ["email", "Email"], ["portal_request", "Portal request"]].map(([v, t]) => h("option", { value: v }, t)),
        ),
      ),
    ),
    h(
      "div",
      { class: "usa-form-group" },
      h("label", { class: "usa-label", for: "interaction-summary" }, "What happened"),
      h("textarea", { class: "usa-textarea", id: "interaction-summary", name: "summary", maxlength: "4000", rows: "3" }),
    ),
    h("button", { class: "usa-button", type: "submit" }, "Save"),
  );
  // One key per interaction being written: a double click or a retry after a lost answer logs it once.
  let key = newIdempotencyKey();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!validate(form, [["interaction-summary", (v) => (v ? null : "Write what happened.")]])) return;
    const restore = busy(form.querySelector("button[type=submit]"), "Saving…");
    const status = $("#interaction-status");
    try {
      const body = { kind: $("#interaction-kind").value, summary: $("#interaction-summary").value.trim() };
      await post(`${base}/interactions`, body, { idempotencyKey: key });
      key = newIdempotencyKey();
      form.reset();
      showAlert(status, { type: "success", slim: true, text: "Saved." });
      announce("Interaction saved.");
      await loadInteractions();
    } catch (error) {
      showApiError(error, { container: status, form, what: "Logging an interaction", fieldMap: { summary: "interaction-summary", kind: "interaction-kind" } });
    } finally {
      restore();
    }
  });
  return form;
}

async function loadInteractions() {
  const container = $("#interaction-list");
  await section(container, "Interactions", async () => {
    const page = await get(`${base}/interactions`, { query: { limit: 10 } });
    s.pagedTable(container, {
      caption: "Interactions, newest first",
      rows: page.interactions,
      columns: s.INTERACTION_COLUMNS,
      empty: "No interactions yet.",
      path: `${base}/interactions`,
      key: "interactions",
      nextHref: page.next_cursor ? `?cursor=${encodeURIComponent(page.next_cursor)}` : null,
      what: "interactions",
    });
  });
}

function render(record) {
  const name = record.profile.name || record.profile.customer_id;
  $("#title").textContent = `${name} (${record.profile.customer_id})`;
  document.title = document.title.replace(/^Customer/, name);
  const adjust = allowed("exceptions.request")
    ? [{ label: "Action", cell: (i) => link(`adjust.html?invoice=${encodeURIComponent(i.invoice_id)}&customer=${encodeURIComponent(customerId)}&number=${encodeURIComponent(i.invoice_number)}`, `Adjust ${i.invoice_number}`) }]
    : [];
  const invoiceList = h("div", { id: "invoice-list" });
  const paymentList = h("div", { id: "payment-list" });
  root.replaceChildren(
    ...[actions()].filter(Boolean),
    s.figures(record),
    block("profile", "Profile", s.profile(record)),
    block("accounts", "Accounts", s.accounts(record)),
    block("departments", "Open balance per department", s.byDepartment(record)),
    block("balances", "Balances in connected systems", h("div", { id: "balance-list" }, s.balances(record.balances)),
      h("button", { type: "button", class: "usa-button usa-button--outline", id: "refresh-balances" }, "Check the systems again")),
    block("open-invoices", "Open invoices", table({ caption: "Open invoices", captionHidden: true, rows: record.open_invoices, columns: s.invoiceColumns(adjust), empty: "No open invoices." })),
    block("invoices", "All invoices", invoiceList),
    block("payments", "Payments", paymentList),
    block("credit", "Credit notes", s.creditNotes(record)),
    block("schedules", "Autopay and payment plans", s.schedules(record)),
    block("documents", "Documents", s.documents(record)),
    block("interactions", "Interactions", h("div", { id: "interaction-status" }), interactionForm(), h("div", { id: "interaction-list" })),
    block("approvals", "Pending approvals", table({ caption: "Pending approvals", captionHidden: true, rows: record.pending_approvals, columns: s.APPROVAL_COLUMNS, empty: "Nothing waiting for approval." })),
    block("duplicates", "Likely duplicate payments", h("div", { id: "duplicate-list" })),
  );
  s.pagedTable(invoiceList, {
    caption: "Invoices, newest first",
    rows: record.recent_invoices,
    columns: s.invoiceColumns(),
    empty: "No invoices.",
    path: `${base}/invoices`,
    key: "invoices",
    nextHref: record.links.more_invoices,
    what: "invoices",
  });
  s.pagedTable(paymentList, {
    caption: "Payments, newest first",
    rows: record.payments,
    columns: s.PAYMENT_COLUMNS,
    empty: "No payments.",
    path: `${base}/payments`,
    key: "payments",
    nextHref: record.links.more_payments,
    what: "payments",
  });
  s.pagedTable($("#interaction-list"), {
    caption: "Interactions, newest first",
    rows: record.interactions,
    columns: s.INTERACTION_COLUMNS,
    empty: "No interactions yet.",
    path: `${base}/interactions`,
    key: "interactions",
    nextHref: record.links.more_interactions,
    what: "interactions",
  });
  $("#refresh-balances").addEventListener("click", async (event) => {
    const restore = busy(event.currentTarget, "Checking…");
    const container = $("#balance-list");
    await section(container, "Balances", async () => {
      container.replaceChildren(...s.balances(await get(`${base}/balances`)).filter(Boolean));
      announce("Balances checked.");
    });
    restore();
  });
}

async function loadDuplicates() {
  const container = $("#duplicate-list");
  let answer;
  try {
    answer = await get(`${base}/duplicates`);
  } catch (error) {
    // At the foot of a long page: say it there without pulling focus (and the scroll) away from the top.
    container.replaceChildren(
      alertBox({ type: error.notAvailable ? "info" : "error", heading: error.notAvailable ? "Not available yet" : COPY.duplicates.notChecked, text: error.notAvailable ? COPY.duplicates.notAvailable : error.message }),
    );
    return;
  }
  {
    const groups = answer.duplicates;
    container.replaceChildren(
      table({
        caption: COPY.duplicates.caption,
        captionHidden: true,
        rows: groups,
        empty: COPY.duplicates.empty,
        columns: [
          { label: COPY.duplicates.payment, ids: true, cell: (d) => link(paymentHref(d.payment_id), COPY.duplicates.receipt(d.receipt_number || d.payment_id)) },
          { label: COPY.duplicates.looksLike, ids: true, cell: (d) => link(paymentHref(d.likely_duplicate_of), COPY.duplicates.receipt(d.likely_duplicate_of_receipt || d.likely_duplicate_of)) },
          { label: COPY.duplicates.amount, cell: (d) => formatMoney(d.amount), numeric: true },
          { label: COPY.duplicates.why, cell: (d) => d.why },
        ],
      }),
    );
  }
}

if (!/^CUS-[0-9A-Za-z]{4,20}$/i.test(customerId)) {
  showAlert($("#page-alerts"), { type: "error", heading: "No customer chosen", text: "Find the customer with the search first.", focus: true });
} else {
  await section(root, "Customer record", async () => render(await get(base)));
  if ($("#duplicate-list")) await loadDuplicates();
}
