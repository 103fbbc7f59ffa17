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
import { COPY } from "../copy.js";

const C = COPY.payment;

const { $, alertBox, busy, definitionList, h, link, methodLabel, money, section, showAlert, showApiError, statusTag, table } = ui;

await startPage({ title: C.title });
const paymentId = new URLSearchParams(location.search).get("id") || "";
const path = `/v1/staff/payments/${encodeURIComponent(paymentId)}`;

function facts(view) {
  const p = view.payment;
  return definitionList([
    [C.facts.status, statusTag(view.status)],
    [C.facts.amount, money(p.amount)],
    [C.facts.fee, p.fee.amount ? money(p.fee) : ""],
    [C.facts.refunded, p.refunded.amount ? money(p.refunded) : ""],
    [C.facts.credit, p.unapplied.amount ? money(p.unapplied) : ""],
    [C.facts.method, methodLabel({ method: p.method, brand: p.brand, last4: p.last4 })],
    [C.facts.channel, humanize(p.channel)],
    [C.facts.terminal, p.terminal_id || ""],
    [C.facts.takenBy, p.taken_by || ""],
    [C.facts.customer, p.customer_id ? link(customerHref(p.customer_id), p.customer_id) : C.guest],
    [C.facts.receipt, p.receipt_number || ""],
    [C.facts.transaction, p.transaction_id || ""],
    [C.facts.processor, p.processor],
    [C.facts.takenAt, formatDateTime(p.created_at)],
  ]);
}

function milestones(m) {
  const rows = Object.entries(m)
    .filter(([, at]) => at)
    .map(([name, at]) => ({ name: humanize(name.replace(/_at$/, "")), at }));
  return table({
    caption: C.milestones,
    captionHidden: true,
    rows,
    columns: [
      { label: C.columns.milestone, cell: (r) => r.name },
      { label: C.columns.when, cell: (r) => h("time", { datetime: r.at }, formatDateTime(r.at)) },
    ],
  });
}

function receiptBlock(view) {
  const r = view.receipt;
  if (!r) return h("p", { class: "empty-state" }, C.noReceipt);
  const parts = [
    table({
      caption: C.receiptCaption(r.receipt_number),
      rows: r.lines,
      columns: [
        { label: C.columns.line, cell: (l) => l.description },
        { label: C.columns.invoice, cell: (l) => l.invoice_number || "" },
        { label: C.columns.department, cell: (l) => humanize(l.department || "") },
        { label: C.columns.amount, numeric: true, cell: (l) => money(l.amount) },
      ],
    }),
    definitionList([[C.facts.fee, money(r.fee)], [C.facts.total, money(r.total)], [C.facts.issued, formatDateTime(r.issued_at)]]),
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
      h("label", { class: "usa-label", for: "resend-to" }, C.sendTo),
      h("span", { class: "usa-hint", id: "resend-to-hint" }, C.sendToHint),
      h("input", { class: "usa-input", id: "resend-to", name: "to", type: "email", "aria-describedby": "resend-to-hint", autocomplete: "off" })),
    h("button", { class: "usa-button usa-button--outline", type: "submit" }, C.email),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = $("#resend-to").value.trim();
    if (!ui.validate(form, [["resend-to", (v) => (!v ? null : ui.emailRule(v))]])) return;
    const restore = busy(form.querySelector("button[type=submit]"), C.sending);
    try {
      await post(`/v1/staff/receipts/${encodeURIComponent(receiptNumber)}/email`, to ? { to } : {}, { idempotencyKey: newIdempotencyKey() });
      showAlert(result, { type: "success", slim: true, text: C.sent(receiptNumber, to), focus: true });
    } catch (error) {
      showApiError(error, { container: result, form, what: C.sendingWhat, fieldMap: { to: "resend-to" } });
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
    forms.push(exceptionForm({ prefix: "refund", title: C.refund, action: "refund", path: `${path}/refunds`, currency, amountLabel: C.refundAmount, maxAmount: refundable, doneText: C.refunded, onDone: reload }));
  }
  if (open && allowed("exceptions.request") && ["pending", "authorized", "posted"].includes(view.status)) {
    forms.push(exceptionForm({ prefix: "void", title: C.void, action: "void", path: `${path}/voids`, currency, doneText: C.voided, onDone: reload }));
  }
  if (open && allowed("exceptions.request") && ["settled", "partially_refunded"].includes(view.status)) {
    forms.push(exceptionForm({ prefix: "reversal", title: C.reverse, action: "reversal", path: `${path}/reversals`, currency, doneText: C.reversed, onDone: reload }));
  }
  return forms.length ? [h("h2", {}, C.exceptions), ...forms] : [];
}

function auditTable(entries) {
  return table({
    caption: C.auditCaption,
    captionHidden: true,
    rows: entries,
    empty: C.noAudit,
    columns: [
      { label: C.columns.when, cell: (r) => formatDateTime(r.at) },
      { label: C.columns.action, cell: (r) => humanize(r.action) },
      { label: C.columns.by, cell: (r) => r.actor },
      { label: C.columns.reason, cell: (r) => r.reason || "" },
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
  await section(status, C.verification, async () => {
    const trail = await get("/v1/staff/audit", { query: { entity: `payment:${paymentId}`, limit: 500 } });
    const v = trail.verification;
    status.replaceChildren(
      v.ok
        ? alertBox({ type: "success", slim: true, text: C.verifies(v.records) })
        : alertBox({ type: "error", heading: C.doesNotVerify, children: [h("ul", {}, v.problems.map((p) => h("li", {}, p)))] }),
    );
  });
}

async function load({ keepActions = false } = {}) {
  let loaded = null;
  await section($("#payment"), C.section, async () => {
    const view = await get(path);
    $("#title").textContent = C.heading(view.payment.receipt_number || paymentId);
    $("#payment").replaceChildren(
      facts(view),
      h("h2", {}, C.timeline),
      timeline(view.payment.history),
      milestones(view.milestones),
      h("h2", {}, C.whatItPaid),
      table({
        caption: C.allocations,
        captionHidden: true,
        rows: view.allocations,
        empty: C.nothingApplied,
        columns: [
          { label: C.columns.invoice, cell: (a) => a.invoice_number },
          { label: C.columns.account, cell: (a) => a.account_number },
          { label: C.columns.department, cell: (a) => humanize(a.department) },
          { label: C.columns.amount, numeric: true, cell: (a) => money(a.amount) },
        ],
      }),
      h("h2", {}, C.receipt),
      ...[receiptBlock(view)].flat(),
    );
    if (!keepActions) $("#actions").replaceChildren(...actions(view));
    loaded = view;
  });
  if (loaded && mayHaveBeenReturned(loaded)) {
    const returned = h("div", { id: "representment-body" });
    $("#actions").append(h("h2", { id: "representment-heading" }, C.presentAgain), returned);
    await section(returned, C.presenting, () => loadRepresentment(returned, paymentId));
  }
  if (loaded) await Promise.all([loadVerification(loaded), section($("#trail-body"), C.trail, () => loadTrail($("#trail-body"), paymentId))]);
}

if (!/^pay_[0-9A-Za-z]{10,40}$/.test(paymentId)) {
  $("#trail").hidden = true;
  showAlert($("#page-alerts"), { type: "error", heading: C.noPayment, text: C.noPaymentText, focus: true });
} else {
  await load();
}
