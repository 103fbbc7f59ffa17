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

await startPage({ title: COPY.customer.title });
const customerId = new URLSearchParams(location.search).get("id") || "";
const root = $("#customer");
const base = `/v1/staff/customers/${encodeURIComponent(customerId)}`;

function block(id, title, ...children) {
  return h("section", { id, "aria-labelledby": `${id}-heading`, class: "margin-top-4" }, h("h2", { id: `${id}-heading` }, title), ...children);
}

function actions() {
  const items = [];
  if (allowed("payments.take")) {
    items.push(h("a", { class: "usa-button", href: `take-payment.html?customer=${encodeURIComponent(customerId)}` }, COPY.customer.takePayment));
  }
  return items.length ? h("div", { class: "button-row" }, items) : null;
}

function interactionForm() {
  if (!allowed("interactions.write")) return null;
  const form = h(
    "form",
    { id: "interaction-form", class: "usa-form maxw-none", novalidate: true },
    h("h3", {}, COPY.customer.logInteraction),
    h(
      "div",
      { class: "inline-fields" },
      h(
        "div",
        { class: "usa-form-group" },
        h("label", { class: "usa-label", for: "interaction-kind" }, COPY.customer.kind),
        h(
          "select",
          { class: "usa-select", id: "interaction-kind", name: "kind" },
          Object.entries(COPY.customer.kinds).map(([v, t]) => h("option", { value: v }, t)),
        ),
      ),
    ),
    h(
      "div",
      { class: "usa-form-group" },
      h("label", { class: "usa-label", for: "interaction-summary" }, COPY.customer.whatHappened),
      h("textarea", { class: "usa-textarea", id: "interaction-summary", name: "summary", maxlength: "4000", rows: "3" }),
    ),
    h("button", { class: "usa-button", type: "submit" }, COPY.customer.save),
  );
  // One key per interaction being written: a double click or a retry after a lost answer logs it once.
  let key = newIdempotencyKey();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!validate(form, [["interaction-summary", (v) => (v ? null : COPY.customer.writeWhat)]])) return;
    const restore = busy(form.querySelector("button[type=submit]"), COPY.customer.saving);
    const status = $("#interaction-status");
    try {
      const body = { kind: $("#interaction-kind").value, summary: $("#interaction-summary").value.trim() };
      await post(`${base}/interactions`, body, { idempotencyKey: key });
      key = newIdempotencyKey();
      form.reset();
      showAlert(status, { type: "success", slim: true, text: COPY.customer.saved });
      announce(COPY.customer.interactionSaved);
      await loadInteractions();
    } catch (error) {
      showApiError(error, { container: status, form, what: COPY.customer.logging, fieldMap: { summary: "interaction-summary", kind: "interaction-kind" } });
    } finally {
      restore();
    }
  });
  return form;
}

async function loadInteractions() {
  const container = $("#interaction-list");
  container.removeAttribute("aria-busy");
  await section(container, COPY.customer.parts.interactions, async () => {
    const page = await get(`${base}/interactions`, { query: { limit: 10 } });
    s.pagedTable(container, {
      caption: COPY.customer.interactionsNewest,
      rows: page.interactions,
      columns: s.INTERACTION_COLUMNS,
      empty: COPY.customer.noInteractions,
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
  ["figures", COPY.customer.parts.figures, "figures"],
  ["profile-body", COPY.customer.parts.profile, "profile"],
  ["accounts-body", COPY.customer.parts.accounts, "short"],
  ["departments-body", COPY.customer.parts.openBalances, "short"],
  ["open-invoices-body", COPY.customer.parts.openInvoices, "table"],
  ["credit-body", COPY.customer.parts.creditNotes, ""],
  ["schedules-body", COPY.customer.parts.schedules, ""],
];
const LIST_PARTS = [
  ["balance-list", COPY.customer.parts.balances, "short"],
  ["invoice-list", COPY.customer.parts.invoices, "list"],
  ["payment-list", COPY.customer.parts.payments, "long"],
  ["documents-body", COPY.customer.parts.documents, "list"],
  ["interaction-list", COPY.customer.parts.interactions, ""],
  ["approvals-body", COPY.customer.parts.approvals, ""],
];

let balancesAsked = false; // checked again by hand: the whole record, still on its way, must not overwrite them

/** Every section with its heading and a placeholder, before any data: the page keeps this shape as they fill. */
function frame() {
  const div = (id) => h("div", { id });
  root.replaceChildren(
    ...[actions()].filter(Boolean),
    div("figures"),
    block("profile", COPY.customer.headings.profile, div("profile-body")),
    block("accounts", COPY.customer.headings.accounts, div("accounts-body")),
    block("departments", COPY.customer.headings.departments, div("departments-body")),
    block("balances", COPY.customer.headings.balances, div("balance-list"),
      h("button", { type: "button", class: "usa-button usa-button--outline", id: "refresh-balances" }, COPY.customer.checkAgain)),
    block("open-invoices", COPY.customer.headings.openInvoices, div("open-invoices-body")),
    block("invoices", COPY.customer.headings.invoices, div("invoice-list")),
    block("payments", COPY.customer.headings.payments, div("payment-list")),
    block("credit", COPY.customer.headings.creditNotes, div("credit-body")),
    block("schedules", COPY.customer.headings.schedules, div("schedules-body")),
    block("documents", COPY.customer.headings.documents, div("documents-body")),
    block("interactions", COPY.customer.headings.interactions, h("div", { id: "interaction-status" }), interactionForm(), div("interaction-list")),
    block("approvals", COPY.customer.headings.approvals, div("approvals-body")),
    block("duplicates", COPY.customer.headings.duplicates, div("duplicate-list")),
  );
  for (const [id, what, size] of [...SUMMARY_PARTS, ...LIST_PARTS]) pending($(`#${id}`), what, size);
  pending($("#duplicate-list"), COPY.customer.headings.duplicates);
  $("#refresh-balances").addEventListener("click", async (event) => {
    balancesAsked = true;
    const restore = busy(event.currentTarget, COPY.customer.checking);
    const container = $("#balance-list");
    await section(container, COPY.customer.parts.balances, async () => {
      container.replaceChildren(...s.balances(await get(`${base}/balances`)).filter(Boolean));
      announce(COPY.customer.balancesChecked);
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
    ? [{ label: COPY.customer.action, cell: (i) => link(`adjust.html?invoice=${encodeURIComponent(i.invoice_id)}&customer=${encodeURIComponent(customerId)}&number=${encodeURIComponent(i.invoice_number)}`, COPY.customer.adjust(i.invoice_number)) }]
    : [];
  fill("figures", s.figures(record));
  fill("profile-body", s.profile(record));
  fill("accounts-body", s.accounts(record));
  fill("departments-body", s.byDepartment(record));
  fill("open-invoices-body", table({ caption: COPY.customer.headings.openInvoices, captionHidden: true, rows: record.open_invoices, columns: s.invoiceColumns(adjust), empty: COPY.customer.noOpenInvoices }));
  fill("credit-body", s.creditNotes(record));
  fill("schedules-body", s.schedules(record));
  for (const [id] of SUMMARY_PARTS) $(`#${id}`).removeAttribute("aria-busy");
}

/** The rest: the lists and the connected systems' balances, from the whole record. */
function renderLists(record) {
  if (!balancesAsked) fill("balance-list", ...s.balances(record.balances));
  fill("documents-body", s.documents(record));
  fill("approvals-body", table({ caption: COPY.customer.headings.approvals, captionHidden: true, rows: record.pending_approvals, columns: s.APPROVAL_COLUMNS, empty: COPY.customer.nothingWaiting }));
  s.pagedTable($("#invoice-list"), {
    caption: COPY.customer.invoicesNewest,
    rows: record.recent_invoices,
    columns: s.invoiceColumns(),
    empty: COPY.customer.noInvoices,
    path: `${base}/invoices`,
    key: "invoices",
    nextHref: record.links.more_invoices,
    what: "invoices",
  });
  s.pagedTable($("#payment-list"), {
    caption: COPY.customer.paymentsNewest,
    rows: record.payments,
    columns: s.PAYMENT_COLUMNS,
    empty: COPY.customer.noPayments,
    path: `${base}/payments`,
    key: "payments",
    nextHref: record.links.more_payments,
    what: "payments",
  });
  // unless an interaction logged while the record was on its way has listed them already
  if ($("#interaction-list").hasAttribute("aria-busy")) {
    s.pagedTable($("#interaction-list"), {
      caption: COPY.customer.interactionsNewest,
      rows: record.interactions,
      columns: s.INTERACTION_COLUMNS,
      empty: COPY.customer.noInteractions,
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
      alertBox({ type: error.notAvailable ? "info" : "error", heading: error.notAvailable ? COPY.customer.notAvailableYet : COPY.duplicates.notChecked, text: error.notAvailable ? COPY.duplicates.notAvailable : error.message }),
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
  showAlert($("#page-alerts"), { type: "error", heading: COPY.customer.noneChosen, text: COPY.customer.searchFirst, focus: true });
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
      showApiError(error, { container: root, what: COPY.customer.record });
    } else {
      // The first screen stays, and keeps the focus; each section still waiting says it could not load.
      const text = error.status >= 500 || !error.message ? COPY.customer.tryLater : error.message;
      for (const [id, what] of LIST_PARTS) {
        const container = $(`#${id}`);
        if (!container.hasAttribute("aria-busy")) continue;
        container.removeAttribute("aria-busy");
        container.replaceChildren(alertBox({ type: "error", heading: COPY.customer.notLoaded(what), text }));
      }
      announce(COPY.customer.partNotLoaded);
    }
  }
  // Checked once the record is drawn: the check reads the customer's recent payments again, and the local runtime
  // serves every request in one process, so asking at once would slow the record down (it is at the page's foot).
  if ($("#duplicate-list")) await loadDuplicates(get(`${base}/duplicates`));
}
