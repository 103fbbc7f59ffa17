// The customer 360: profile, accounts, balances (ours and the connected systems'), invoices, payments with their
// timelines, credit, schedules, documents, interactions (and logging one), pending approvals, likely duplicates.
// The page's frame, every section's heading and a placeholder (../sections.js), is drawn at once. The record comes in
// two calls: its first screen (?parts=summary: profile, accounts, figures, open items; two reads) fills those
// sections, then the whole record (the lists, the connected systems' balances) fills the rest; then the likely
// duplicates are checked.

import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { formatMoney } from "../../../shared/js/money.js";
import { $, alertBox, announce, busy, h, link, section, showAlert, showApiError, table, validate } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";
import { allowed, startPage } from "../layout.js";
import { pending } from "../sections.js";
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
  container.removeAttribute("aria-busy");
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

// [section id, what it shows (its placeholder), the room it keeps] of the record's sections, in page order:
// those its first screen (the summary) fills, then those only the whole record fills
const SUMMARY_PARTS = [
  ["figures", "Figures", "figures"],
  ["profile-body", "Profile", "profile"],
  ["accounts-body", "Accounts", "short"],
  ["departments-body", "Open balances", "short"],
  ["open-invoices-body", "Open invoices", "table"],
  ["credit-body", "Credit notes", ""],
  ["schedules-body", "Schedules", ""],
];
const LIST_PARTS = [
  ["balance-list", "Balances", "short"],
  ["invoice-list", "Invoices", "list"],
  ["payment-list", "Payments", "long"],
  ["documents-body", "Documents", "list"],
  ["interaction-list", "Interactions", ""],
  ["approvals-body", "Pending approvals", ""],
];

let balancesAsked = false; // checked again by hand: the whole record, still on its way, must not overwrite them

/** Every section with its heading and a placeholder, before any data: the page keeps this shape as they fill. */
function frame() {
  const div = (id) => h("div", { id });
  root.replaceChildren(
    ...[actions()].filter(Boolean),
    div("figures"),
    block("profile", "Profile", div("profile-body")),
    block("accounts", "Accounts", div("accounts-body")),
    block("departments", "Open balance per department", div("departments-body")),
    block("balances", "Balances in connected systems", div("balance-list"),
      h("button", { type: "button", class: "usa-button usa-button--outline", id: "refresh-balances" }, "Check the systems again")),
    block("open-invoices", "Open invoices", div("open-invoices-body")),
    block("invoices", "All invoices", div("invoice-list")),
    block("payments", "Payments", div("payment-list")),
    block("credit", "Credit notes", div("credit-body")),
    block("schedules", "Autopay and payment plans", div("schedules-body")),
    block("documents", "Documents", div("documents-body")),
    block("interactions", "Interactions", h("div", { id: "interaction-status" }), interactionForm(), div("interaction-list")),
    block("approvals", "Pending approvals", div("approvals-body")),
    block("duplicates", "Likely duplicate payments", div("duplicate-list")),
  );
  for (const [id, what, size] of [...SUMMARY_PARTS, ...LIST_PARTS]) pending($(`#${id}`), what, size);
  pending($("#duplicate-list"), "Likely duplicate payments");
  $("#refresh-balances").addEventListener("click", async (event) => {
    balancesAsked = true;
    const restore = busy(event.currentTarget, "Checking…");
    const container = $("#balance-list");
    await section(container, "Balances", async () => {
      container.replaceChildren(...s.balances(await get(`${base}/balances`)).filter(Boolean));
      announce("Balances checked.");
    });
    container.removeAttribute("aria-busy");
    restore();
  });
}

const fill = (id, ...children) => $(`#${id}`).replaceChildren(...children.filter(Boolean));

/** The first screen: what the summary holds (the whole record holds it too). */
function renderSummary(record) {
  const name = record.profile.name || record.profile.customer_id;
  $("#title").textContent = `${name} (${record.profile.customer_id})`;
  document.title = document.title.replace(/^Customer/, name);
  const adjust = allowed("exceptions.request")
    ? [{ label: "Action", cell: (i) => link(`adjust.html?invoice=${encodeURIComponent(i.invoice_id)}&customer=${encodeURIComponent(customerId)}&number=${encodeURIComponent(i.invoice_number)}`, `Adjust ${i.invoice_number}`) }]
    : [];
  fill("figures", s.figures(record));
  fill("profile-body", s.profile(record));
  fill("accounts-body", s.accounts(record));
  fill("departments-body", s.byDepartment(record));
  fill("open-invoices-body", table({ caption: "Open invoices", captionHidden: true, rows: record.open_invoices, columns: s.invoiceColumns(adjust), empty: "No open invoices." }));
  fill("credit-body", s.creditNotes(record));
  fill("schedules-body", s.schedules(record));
  for (const [id] of SUMMARY_PARTS) $(`#${id}`).removeAttribute("aria-busy");
}

/** The rest: the lists and the connected systems' balances, from the whole record. */
function renderLists(record) {
  if (!balancesAsked) fill("balance-list", ...s.balances(record.balances));
  fill("documents-body", s.documents(record));
  fill("approvals-body", table({ caption: "Pending approvals", captionHidden: true, rows: record.pending_approvals, columns: s.APPROVAL_COLUMNS, empty: "Nothing waiting for approval." }));
  s.pagedTable($("#invoice-list"), {
    caption: "Invoices, newest first",
    rows: record.recent_invoices,
    columns: s.invoiceColumns(),
    empty: "No invoices.",
    path: `${base}/invoices`,
    key: "invoices",
    nextHref: record.links.more_invoices,
    what: "invoices",
  });
  s.pagedTable($("#payment-list"), {
    caption: "Payments, newest first",
    rows: record.payments,
    columns: s.PAYMENT_COLUMNS,
    empty: "No payments.",
    path: `${base}/payments`,
    key: "payments",
    nextHref: record.links.more_payments,
    what: "payments",
  });
  // unless an interaction logged while the record was on its way has listed them already
  if ($("#interaction-list").hasAttribute("aria-busy")) {
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
  }
  for (const [id] of LIST_PARTS) $(`#${id}`).removeAttribute("aria-busy");
}

async function loadDuplicates(asked) {
  const container = $("#duplicate-list");
  let answer;
  try {
    answer = await asked;
  } catch (error) {
    container.removeAttribute("aria-busy");
    // At the foot of a long page: say it there without pulling focus (and the scroll) away from the top.
    container.replaceChildren(
      alertBox({ type: error.notAvailable ? "info" : "error", heading: error.notAvailable ? "Not available yet" : COPY.duplicates.notChecked, text: error.notAvailable ? COPY.duplicates.notAvailable : error.message }),
    );
    return;
  }
  {
    const groups = answer.duplicates;
    container.removeAttribute("aria-busy");
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
  const summary = get(base, { query: { parts: "summary" } });
  frame();
  let found = false;
  try {
    renderSummary(await summary);
    found = true;
    // Asked once the first screen is in: the local runtime reads one request at a time, so asking both at once
    // would delay the first screen by the whole record's reads.
    renderLists(await get(base));
  } catch (error) {
    if (!found) {
      // No record (an unknown id, a refusal): one message for the page, not one per section.
      showApiError(error, { container: root, what: "Customer record" });
    } else {
      // The first screen stays, and keeps the focus; each section still waiting says it could not load.
      const text = error.status >= 500 || !error.message ? "The service could not finish this. Please try again in a few minutes." : error.message;
      for (const [id, what] of LIST_PARTS) {
        const container = $(`#${id}`);
        if (!container.hasAttribute("aria-busy")) continue;
        container.removeAttribute("aria-busy");
        container.replaceChildren(alertBox({ type: "error", heading: `${what} not loaded`, text }));
      }
      announce("Part of the customer record could not be loaded.");
    }
  }
  // Checked once the record is drawn: the check reads the customer's recent payments again, and the local runtime
  // serves every request in one process, so asking at once would slow the record down (it is at the page's foot).
  if ($("#duplicate-list")) await loadDuplicates(get(`${base}/duplicates`));
}
