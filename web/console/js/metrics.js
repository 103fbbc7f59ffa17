// The leadership metrics on the dashboard: each figure with its published formula (from the API's answer) and a
// drill-down to the payments behind it, a page at a time.

import { get } from "../../shared/js/api.js";
import { formatMoney, humanize } from "../../shared/js/money.js";
import { h, table } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";
import { paymentsTable } from "./views.js";

const percent = (rate) => (rate === null || rate === undefined ? COPY.metrics.notAvailable : `${(rate * 100).toFixed(1)}%`);
const days = (value) => (value === null || value === undefined ? COPY.metrics.notAvailable : COPY.metrics.bankingDays(value));

function drillDown(query, figure, params = {}) {
  const holder = h("div", { class: "drill-down" });
  let cursor = null;
  const shown = [];
  const load = async () => {
    const answer = await get("/v1/staff/reports/metrics/payments", { query: { ...query, figure, ...params, limit: 50, ...(cursor ? { cursor } : {}) } });
    shown.push(...answer.payments);
    cursor = answer.next_cursor;
    holder.replaceChildren(
      paymentsTable(COPY.metrics.payments(humanize(figure)), shown, { withCustomer: true, empty: COPY.metrics.noPayments }),
      cursor ? h("button", { class: "usa-button usa-button--outline", type: "button", onclick: load }, COPY.metrics.more) : null,
    );
  };
  const button = h("button", { class: "usa-button usa-button--outline margin-y-1", type: "button", onclick: () => { button.remove(); load(); } }, COPY.metrics.show(humanize(figure)));
  return h("div", {}, button, holder);
}

const card = (title, value, extra) => h("div", { class: "figure" }, h("h3", {}, title), h("p", { class: "amount" }, value), h("p", {}, extra));

const formula = (text) => h("p", { class: "usa-hint formula" }, COPY.metrics.formula(text));

function glVariance(accuracy, f, money) {
  const gl = accuracy.gl;
  if (!gl) return [h("p", {}, COPY.metrics.glNotAvailable), formula(f.gl_variance)];
  const missing = gl.missing_days.length
    ? h(
        "div",
        { class: "usa-alert usa-alert--warning usa-alert--slim" },
        h("div", { class: "usa-alert__body" }, h("p", { class: "usa-alert__text" }, COPY.metrics.missingDays(gl.missing_days.join(", ")))),
      )
    : h("p", { class: "usa-hint" }, COPY.metrics.everyDay);
  return [
    h("h3", {}, COPY.metrics.compared),
    formula(f.gl_variance),
    table({
      caption: COPY.metrics.glCaption(gl.period_start, gl.period_end),
      rows: [gl],
      columns: [
        { label: COPY.metrics.applied, numeric: true, cell: (r) => money(r.subledger) },
        { label: COPY.metrics.glHeld, numeric: true, cell: (r) => money(r.gl) },
        { label: COPY.metrics.variance, numeric: true, cell: (r) => money(r.variance) },
        { label: COPY.metrics.complete, cell: () => (accuracy.gl_variance_available ? COPY.metrics.yes : COPY.metrics.noJournal) },
      ],
    }),
    missing,
  ];
}

export function metricsSection(m, query) {
  const money = (amount) => formatMoney({ amount, currency: m.currency });
  const f = m.formulas;
  const accuracy = m.recognition_accuracy;
  const all = m.success_rate;
  return [
    h("h2", {}, COPY.metrics.heading),
    h("p", { class: "usa-hint" }, COPY.metrics.readFrom(m.days_read, m.journal_days_read, m.deposits_measured)),
    h(
      "div",
      { class: "figures" },
      card(COPY.metrics.successRate, percent(all.rate), COPY.metrics.attempts(all.succeeded, all.attempted)),
      card(COPY.metrics.withRetries, percent(m.success_rate_with_retries), COPY.metrics.series(all.series_succeeded, all.series)),
      card(COPY.metrics.accuracy, percent(accuracy.rate), COPY.metrics.firstTime(accuracy.first_time, accuracy.receipts)),
      card(COPY.metrics.glVariance, accuracy.gl ? money(accuracy.gl_variance) : COPY.metrics.notAvailable, accuracy.gl_variance_available ? COPY.metrics.everyJournal : COPY.metrics.journalsMissing),
    ),
    h("h3", {}, COPY.metrics.byChannel),
    formula(f.success_rate),
    formula(COPY.metrics.retriesFormula(f.success_rate_with_retries)),
    table({
      caption: COPY.metrics.byChannel,
      rows: m.success_rate_by_channel_method,
      empty: COPY.metrics.noAttempts,
      columns: [
        { label: COPY.metrics.columns.channel, cell: (r) => r.name },
        { label: COPY.metrics.columns.attempted, numeric: true, cell: (r) => String(r.attempted) },
        { label: COPY.metrics.columns.succeeded, numeric: true, cell: (r) => String(r.succeeded) },
        { label: COPY.metrics.columns.failed, numeric: true, cell: (r) => String(r.failed) },
        { label: COPY.metrics.columns.rate, numeric: true, cell: (r) => percent(r.rate) },
        { label: COPY.metrics.columns.series, numeric: true, cell: (r) => String(r.series) },
        { label: COPY.metrics.columns.seriesSucceeded, numeric: true, cell: (r) => String(r.series_succeeded) },
        { label: COPY.metrics.columns.withRetries, numeric: true, cell: (r) => percent(r.rate_with_retries) },
      ],
    }),
    drillDown(query, "failed"),
    drillDown(query, "series"),
    drillDown(query, "series_succeeded"),
    h("h3", {}, COPY.metrics.processing),
    formula(COPY.metrics.averageFormula(f.average_days, f.p90_days)),
    formula(COPY.metrics.depositedFormula(f.paid_out_to_deposited)),
    table({
      caption: COPY.metrics.processingCaption,
      rows: m.processing_time,
      columns: [
        { label: COPY.metrics.stage, cell: (r) => humanize(r.stage) },
        { label: COPY.metrics.completed, numeric: true, cell: (r) => (r.stage === "paid_out_to_deposited" ? COPY.metrics.deposits(r.count) : COPY.metrics.paymentsCount(r.count)) },
        { label: COPY.metrics.average, numeric: true, cell: (r) => days(r.average_days) },
        { label: COPY.metrics.p90, numeric: true, cell: (r) => days(r.p90_days) },
      ],
    }),
    ...m.processing_time.map((s) => drillDown(query, s.stage)),
    h("h3", {}, COPY.metrics.accuracy),
    formula(f.recognition_accuracy),
    accuracy.gl_corrected ? h("p", {}, COPY.metrics.corrected(accuracy.gl_corrected)) : null,
    drillDown(query, "corrected"),
    ...glVariance(accuracy, f, money),
  ];
}
