// One payment: its facts, its timeline (authorized, posted, settled, failed, refunded, voided, reversed: when and
// who), what it paid, its receipt (and sending it again), where its money went (the trail: payout, deposit, GL
// lines; ../payment-trail.js), the exceptions the role may request, and its audit trail with the hash chain's
// verification.

import { get, newIdempotencyKey, post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import * as ui from "../../../shared/js/ui.js";
import { exceptionForm } from "../exceptions.js";
import { allowed, startPage } from "../layout.js";
import { loadTrail } from "../payment-trail.js";
import { loadRepresentment, mayHaveBeenReturned } from "../representment.js";
import { customerHref, timeline } from "../views.js";

const { $, alertBox, busy, definitionList, h, link, methodLabel, money, section, showAlert, showApiError, statusTag, table } = ui;

await startPage({ title: "Payment" });
const paymentId = new URLSearchParams(location.search).get("id") || "";
const path = `/v1/staff/payments/${encodeURIComponent(paymentId)}`;

function facts(view) {
  const p = view.payment;
  return definitionList([
    ["Status", statusTag(view.status)],
    ["Amount", money(p.amount)],
    ["Convenience fee", p.fee.amount ? money(p.fee) : ""],
    ["Refunded", p.refunded.amount ? money(p.refunded) : ""],
    ["Held as credit", p.unapplied.amount ? money(p.unapplied) : ""],
    ["Method", methodLabel({ method: p.method, brand: p.brand, last4: p.last4 })],
    ["Channel", humanize(p.channel)],
    ["Terminal", p.terminal_id || ""],
    ["Taken by", p.taken_by || ""],
    ["Customer", p.customer_id ? link(customerHref(p.customer_id), p.customer_id) : "Guest"],
    ["Receipt", p.receipt_number || ""],
    ["Transaction id", p.transaction_id || ""],
    ["Processor", p.processor],
    ["Taken at", formatDateTime(p.created_at)],
  ]);
}

function milestones(m) {
  const rows = Object.entries(m)
    .filter(([, at]) => at)
    .map(([name, at]) => ({ name: humanize(name.replace(/_at$/, "")), at }));
  return table({
    caption: "Milestones",
    captionHidden: true,
    rows,
    columns: [
      { label: "Milestone", cell: (r) => r.name },
      { label: "When", cell: (r) => h("time", { datetime: r.at }, formatDateTime(r.at)) },
    ],
  });
}

function receiptBlock(view) {
  const r = view.receipt;
  if (!r) return h("p", { class: "empty-state" }, "No receipt yet.");
  const parts = [
    table({
      caption: `Receipt ${r.receipt_number}`,
      rows: r.lines,
      columns: [
        { label: "Line", cell: (l) => l.description },
        { label: "Invoice", cell: (l) => l.invoice_number || "" },
        { label: "Department", cell: (l) => humanize(l.department || "") },
        { label: "Amount", numeric: true, cell: (l) => money(l.amount) },
      ],
    }),
    definitionList([["Fee", money(r.fee)], ["Total", money(r.total)], ["Issued", formatDateTime(r.issued_at)]]),
  ];
  if (allowed("receipts.send")) parts.push(resendForm(r.receipt_number));
  return parts;
}

function resendForm(receiptNumber) {
  const result = h("div", { id: "resend-result" });
  const form = h(
    "form",
    { id: "resend-form", class: "usa-form", novalidate: true },
    h("div", { class: "usa-form-group" },
      h("label", { class: "usa-label", for: "resend-to" }, "Send to (optional)"),
      h("span", { class: "usa-hint", id: "resend-to-hint" }, "Leave empty for the email address on file"),
      h("input", { class: "usa-input", id: "resend-to", name: "to", type: "email", "aria-describedby": "resend-to-hint", autocomplete: "off" })),
    h("button", { class: "usa-button usa-button--outline", type: "submit" }, "Email the receipt"),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = $("#resend-to").value.trim();
    if (!ui.validate(form, [["resend-to", (v) => (!v ? null : ui.emailRule(v))]])) return;
    const restore = busy(form.querySelector("button[type=submit]"), "Sending…");
    try {
      await post(`/v1/staff/receipts/${encodeURIComponent(receiptNumber)}/email`, to ? { to } : {}, { idempotencyKey: newIdempotencyKey() });
      showAlert(result, { type: "success", slim: true, text: `Receipt ${receiptNumber} sent${to ? ` to ${to}` : ""}.`, focus: true });
    } catch (error) {
      showApiError(error, { container: result, form, what: "Sending the receipt", fieldMap: { to: "resend-to" } });
    } finally {
      restore();
    }
  });
  return form;
}

function actions(view) {
  const p = view.payment;
  const currency = p.amount.currency;
  const refundable = p.amount.amount - p.refunded.amount;
  const forms = [];
  // The outcome stays on screen (and focused); the facts and the timeline above it are read again.
  const reload = () => setTimeout(() => load({ keepActions: true }), 0);
  const open = !["failed", "voided", "reversed", "refunded"].includes(view.status);
  if (open && allowed("exceptions.request") && refundable > 0 && ["posted", "settled", "partially_refunded"].includes(view.status)) {
    forms.push(exceptionForm({ prefix: "refund", title: "Refund", action: "refund", path: `${path}/refunds`, currency, amountLabel: "Amount to refund", maxAmount: refundable, doneText: "The refund is recorded.", onDone: reload }));
  }
  if (open && allowed("exceptions.request") && ["pending", "authorized", "posted"].includes(view.status)) {
    forms.push(exceptionForm({ prefix: "void", title: "Void", action: "void", path: `${path}/voids`, currency, doneText: "The payment is voided.", onDone: reload }));
  }
  if (open && allowed("exceptions.request") && ["settled", "partially_refunded"].includes(view.status)) {
    forms.push(exceptionForm({ prefix: "reversal", title: "Reverse", action: "reversal", path: `${path}/reversals`, currency, doneText: "The payment is reversed.", onDone: reload }));
  }
  return forms.length ? [h("h2", {}, "Refund, void or reverse"), ...forms] : [];
}

function auditTable(entries) {
  return table({
    caption: "Audit records, oldest first",
    captionHidden: true,
    rows: entries,
    empty: "No audit records for this payment.",
    columns: [
      { label: "When", cell: (r) => formatDateTime(r.at) },
      { label: "Action", cell: (r) => humanize(r.action) },
      { label: "By", cell: (r) => r.actor },
      { label: "Reason", cell: (r) => r.reason || "" },
    ],
  });
}

/** The hash chain's verification (audit.read): whether any record was changed, removed or reordered. */
async function loadVerification(view) {
  const container = $("#audit");
  container.replaceChildren(auditTable(view.audit));
  if (!allowed("audit.read")) return;
  const status = h("div", { id: "audit-verification" });
  container.prepend(status);
  await section(status, "Verification", async () => {
    const trail = await get("/v1/staff/audit", { query: { entity: `payment:${paymentId}`, limit: 500 } });
    const v = trail.verification;
    status.replaceChildren(
      v.ok
        ? alertBox({ type: "success", slim: true, text: `The audit chain verifies (${v.records} records checked).` })
        : alertBox({ type: "error", heading: "The audit chain does not verify", children: [h("ul", {}, v.problems.map((p) => h("li", {}, p)))] }),
    );
  });
}

async function load({ keepActions = false } = {}) {
  let loaded = null;
  await section($("#payment"), "Payment", async () => {
    const view = await get(path);
    $("#title").textContent = `Payment ${view.payment.receipt_number || paymentId}`;
    $("#payment").replaceChildren(
      facts(view),
      h("h2", {}, "Timeline"),
      timeline(view.payment.history),
      milestones(view.milestones),
      h("h2", {}, "What it paid"),
      table({
        caption: "Allocations",
        captionHidden: true,
        rows: view.allocations,
        empty: "Nothing applied to invoices.",
        columns: [
          { label: "Invoice", cell: (a) => a.invoice_number },
          { label: "Account", cell: (a) => a.account_number },
          { label: "Department", cell: (a) => humanize(a.department) },
          { label: "Amount", numeric: true, cell: (a) => money(a.amount) },
        ],
      }),
      h("h2", {}, "Receipt"),
      ...[receiptBlock(view)].flat(),
    );
    if (!keepActions) $("#actions").replaceChildren(...actions(view));
    loaded = view;
  });
  if (loaded && mayHaveBeenReturned(loaded)) {
    const returned = h("div", { id: "representment-body" });
    $("#actions").append(h("h2", { id: "representment-heading" }, "Present the debit again"), returned);
    await section(returned, "Presenting again", () => loadRepresentment(returned, paymentId));
  }
  if (loaded) await Promise.all([loadVerification(loaded), section($("#trail-body"), "Trail", () => loadTrail($("#trail-body"), paymentId))]);
}

if (!/^pay_[0-9A-Za-z]{10,40}$/.test(paymentId)) {
  $("#trail").hidden = true;
  showAlert($("#page-alerts"), { type: "error", heading: "No payment chosen", text: "Open a payment from a search or a customer.", focus: true });
} else {
  await load();
}
