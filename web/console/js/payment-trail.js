// The trail of one payment (GET /v1/staff/payments/{id}/trail): authorized, posted, settled, paid out, deposited,
// in the GL, bank line; each stage done, pending or not applicable, with who and when, its amounts and the records
// it drills down to (the payout on the finance payouts page, the journal batch as its stored CSV). Links to the
// finance pages are shown only to a role with finance.read: the others see the ids.

import { download, get } from "../../shared/js/api.js";
import { formatDate, formatDateTime, formatMoney, humanize } from "../../shared/js/money.js";
import * as ui from "../../shared/js/ui.js";
import { allowed } from "./layout.js";
import { COPY } from "./copy.js";

const C = COPY.paymentTrail;

const { h, link, showAlert, showApiError, table } = ui;

const STAGES = C.stages;
const STATUS = {
  done: [C.status.done, "tag--success"],
  pending: [C.status.pending, "tag--warning"],
  not_applicable: [C.status.not_applicable, "tag--neutral"],
};
const REFERENCES = C.references;

function statusTag(status) {
  const [text, colour] = STATUS[status] || [humanize(status), "tag--neutral"];
  return h("span", { class: `usa-tag ${colour} margin-left-1` }, text);
}

function reference(ref) {
  const label = C.reference(REFERENCES[ref.kind] || humanize(ref.kind));
  if (!allowed("finance.read")) return [label, h("code", {}, ref.id)];
  // A counter deposit is listed with the processors' payouts, under the same id.
  if (ref.kind === "payout" || ref.kind === "deposit") {
    return [label, link(`finance-payouts.html?${new URLSearchParams({ payout: ref.id })}`, ref.id)];
  }
  if (ref.kind === "journal_batch") return [label, h("a", { class: "usa-link", href: `#batch-${ref.id}` }, ref.id)];
  return [label, h("code", {}, ref.id)];
}

function when(stage) {
  const parts = [];
  if (stage.at) parts.push(h("time", { datetime: stage.at }, formatDateTime(stage.at)));
  else if (stage.on) parts.push(h("time", { datetime: stage.on }, formatDate(stage.on)));
  if (stage.by) parts.push(C.by(stage.by));
  return parts.length ? h("p", { class: "margin-y-05" }, ...parts) : null;
}

function stageItem(stage, currency) {
  // Audit records are many and long: they are counted here and listed in the audit trail below.
  const audits = stage.references.filter((r) => r.kind === "audit").length;
  const refs = stage.references.filter((r) => r.kind !== "audit");
  const amounts = Object.entries(stage.amounts).filter(([, amount]) => amount !== 0); // a zero says nothing here
  return h(
    "li",
    { class: "usa-process-list__item", "data-stage": stage.stage, "data-status": stage.status },
    h("h3", { class: "usa-process-list__heading" }, STAGES[stage.stage] || humanize(stage.stage), statusTag(stage.status)),
    when(stage),
    stage.note ? h("p", { class: "margin-y-05" }, stage.note) : null,
    amounts.length
      ? h("ul", { class: "usa-list margin-y-05", "aria-label": C.amounts },
          amounts.map(([name, amount]) => h("li", {}, C.amount(humanize(name), formatMoney({ amount, currency })))))
      : null,
    refs.length || audits
      ? h("ul", { class: "usa-list margin-y-05", "aria-label": C.records },
          refs.map((r) => h("li", {}, ...reference(r))),
          audits ? h("li", {}, C.audits(audits)) : null)
      : null,
  );
}

function money(minor, currency) {
  return minor ? formatMoney({ amount: minor, currency }) : "";
}

function batchBlock(batch) {
  const heading = h("h4", { id: `batch-${batch.batch_id}`, tabindex: "-1" }, C.batch(batch.batch_id));
  const facts = ui.definitionList([
    [C.businessDay, formatDate(batch.business_date)],
    [C.built, C.at(formatDateTime(batch.created_at), batch.created_by)],
    [C.reverses, batch.reverses || ""],
    [C.replaces, batch.replaces || ""],
    [C.imported, batch.imported_at ? C.at(formatDateTime(batch.imported_at), batch.imported_by) : C.notYet],
  ]);
  const lines = table({
    caption: C.linesCaption(batch.batch_id),
    rows: batch.lines,
    columns: [
      { label: C.columns.line, cell: (x) => String(x.line) },
      { label: C.columns.kind, cell: (x) => humanize(x.kind) },
      { label: C.columns.fund, cell: (x) => x.fund },
      { label: C.columns.department, cell: (x) => humanize(x.department || "") },
      { label: C.columns.account, cell: (x) => x.account },
      { label: C.columns.debit, numeric: true, cell: (x) => money(x.debit, x.currency) },
      { label: C.columns.credit, numeric: true, cell: (x) => money(x.credit, x.currency) },
    ],
  });
  const parts = [heading, facts, lines];
  if (allowed("finance.read")) {
    const result = h("div", { class: "batch-download-result" });
    const button = h("button", { type: "button", class: "usa-button usa-button--outline" }, C.download(batch.batch_id));
    button.addEventListener("click", async () => {
      const restore = ui.busy(button, C.downloading);
      try {
        const name = await download(`/v1/staff/finance/journals/${encodeURIComponent(batch.batch_id)}`, { format: "csv" }, `${batch.batch_id}.csv`);
        showAlert(result, { type: "success", slim: true, text: C.downloaded(name) });
      } catch (error) {
        showApiError(error, { container: result, what: C.theDownload });
      } finally {
        restore();
      }
    });
    parts.push(button, result);
  }
  return parts;
}

function moneyBack(trail) {
  return table({
    caption: C.moneyBack,
    captionHidden: true,
    rows: trail.money_back,
    columns: [
      { label: C.columns.what, cell: (m) => humanize(m.status) },
      { label: C.columns.when, cell: (m) => h("time", { datetime: m.at }, formatDateTime(m.at)) },
      { label: C.columns.by, cell: (m) => m.by },
      { label: C.columns.amount, numeric: true, cell: (m) => (m.amount ? formatMoney(m.amount) : "") },
    ],
  });
}

/** Load the trail of ``paymentId`` into ``container``. */
export async function loadTrail(container, paymentId) {
  container.style.overflowWrap = "anywhere"; // long ids (payouts, batches) wrap on a phone
  const trail = await get(`/v1/staff/payments/${encodeURIComponent(paymentId)}/trail`);
  const currency = trail.amount.currency;
  const parts = [
    h("ol", { class: "usa-process-list payment-trail", "aria-label": C.stagesLabel },
      trail.stages.map((s) => stageItem(s, currency))),
  ];
  if (trail.money_back.length) parts.push(h("h3", {}, C.moneyBack), moneyBack(trail));
  parts.push(h("h3", {}, C.glLines));
  if (!trail.gl_batches.length) parts.push(h("p", { class: "empty-state" }, C.noJournal));
  for (const batch of trail.gl_batches) parts.push(...batchBlock(batch));
  container.replaceChildren(...parts);
}
