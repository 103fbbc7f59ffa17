// The leadership metrics on the dashboard: each figure with its published formula (from the API's answer) and a
// drill-down to the payments behind it, a page at a time.

import { get } from "../../shared/js/api.js";
import { formatMoney, humanize } from "../../shared/js/money.js";
import { h, table } from "../../shared/js/ui.js";
import { paymentsTable } from "./views.js";

const percent = (rate) => (rate === null || rate === undefined ? "n/a" : `${(rate * 100).toFixed(1)}%`);
const days = (value) => (value === null || value === undefined ? "n/a" : `${value} banking days`);

function drillDown(query, figure, params = {}) {
  const holder = h("div", { class: "drill-down" });
  let cursor = null;
  const shown = [];
  const load = async () => {
    const answer = await get("/v1/staff/reports/metrics/payments", { query: { ...query, figure, ...params, limit: 50, ...(cursor ? { cursor } : {}) } });
    shown.push(...answer.payments);
    cursor = answer.next_cursor;
    holder.replaceChildren(
      paymentsTable(`Payments: ${humanize(figure)}`, shown, { withCustomer: true, empty: "No payments behind this figure." }),
      cursor ? h("button", { class: "usa-button usa-button--outline", type: "button", onclick: load }, "More payments") : null,
    );
  };
  const button = h("button", { class: "usa-button usa-button--outline margin-y-1", type: "button", onclick: () => { button.remove(); load(); } }, `Show the payments: ${humanize(figure)}`);
  return h("div", {}, button, holder);
}

const card = (title, value, extra) => h("div", { class: "figure" }, h("h3", {}, title), h("p", { class: "amount" }, value), h("p", {}, extra));

const formula = (text) => h("p", { class: "usa-hint formula" }, `Formula: ${text}`);

function glVariance(accuracy, f, money) {
  const gl = accuracy.gl;
  if (!gl) return [h("p", {}, "Subledger to GL variance: not available for this range."), formula(f.gl_variance)];
  const missing = gl.missing_days.length
    ? h(
        "div",
        { class: "usa-alert usa-alert--warning usa-alert--slim" },
        h("div", { class: "usa-alert__body" }, h("p", { class: "usa-alert__text" }, `Banking days without a journal (counted as nothing in the GL): ${gl.missing_days.join(", ")}.`)),
      )
    : h("p", { class: "usa-hint" }, "Every banking day of the period has its journal.");
  return [
    h("h3", {}, "Subledger and GL compared"),
    formula(f.gl_variance),
    table({
      caption: `Subledger to GL, ${gl.period_start} to ${gl.period_end} (the days the range's journals take)`,
      rows: [gl],
      columns: [
        { label: "Subledger applied", numeric: true, cell: (r) => money(r.subledger) },
        { label: "GL revenue and credit held", numeric: true, cell: (r) => money(r.gl) },
        { label: "Variance", numeric: true, cell: (r) => money(r.variance) },
        { label: "Complete", cell: () => (accuracy.gl_variance_available ? "yes" : "no: days without a journal") },
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
    h("h2", {}, "Leadership metrics"),
    h("p", { class: "usa-hint" }, `Read from ${m.days_read} daily totals, the GL journals of ${m.journal_days_read} banking days and ${m.deposits_measured} confirmed deposits: every payment taken in the range, in its latest state.`),
    h(
      "div",
      { class: "figures" },
      card("Payment success rate", percent(all.rate), `${all.succeeded} of ${all.attempted} attempts`),
      card("Success rate with retries", percent(m.success_rate_with_retries), `${all.series_succeeded} of ${all.series} series of tries`),
      card("Revenue recognition accuracy", percent(accuracy.rate), `${accuracy.first_time} of ${accuracy.receipts} receipts right the first time`),
      card("Subledger to GL variance", accuracy.gl ? money(accuracy.gl_variance) : "n/a", accuracy.gl_variance_available ? "every journal stored" : "journals missing: see below"),
    ),
    h("h3", {}, "Success rate by channel and method"),
    formula(f.success_rate),
    formula(`with retries: ${f.success_rate_with_retries}`),
    table({
      caption: "Success rate by channel and method",
      rows: m.success_rate_by_channel_method,
      empty: "No payments attempted in this range.",
      columns: [
        { label: "Channel / method", cell: (r) => r.name },
        { label: "Attempted", numeric: true, cell: (r) => String(r.attempted) },
        { label: "Succeeded", numeric: true, cell: (r) => String(r.succeeded) },
        { label: "Failed", numeric: true, cell: (r) => String(r.failed) },
        { label: "Success rate", numeric: true, cell: (r) => percent(r.rate) },
        { label: "Series", numeric: true, cell: (r) => String(r.series) },
        { label: "Series succeeded", numeric: true, cell: (r) => String(r.series_succeeded) },
        { label: "With retries", numeric: true, cell: (r) => percent(r.rate_with_retries) },
      ],
    }),
    drillDown(query, "failed"),
    drillDown(query, "series"),
    drillDown(query, "series_succeeded"),
    h("h3", {}, "Processing time per stage"),
    formula(`average = ${f.average_days}; p90 = ${f.p90_days}`),
    formula(`paid out to deposited: ${f.paid_out_to_deposited}`),
    table({
      caption: "Processing time per stage, in banking days",
      rows: m.processing_time,
      columns: [
        { label: "Stage", cell: (r) => humanize(r.stage) },
        { label: "Completed", numeric: true, cell: (r) => (r.stage === "paid_out_to_deposited" ? `${r.count} deposits` : `${r.count} payments`) },
        { label: "Average", numeric: true, cell: (r) => days(r.average_days) },
        { label: "p90", numeric: true, cell: (r) => days(r.p90_days) },
      ],
    }),
    ...m.processing_time.map((s) => drillDown(query, s.stage)),
    h("h3", {}, "Revenue recognition accuracy"),
    formula(f.recognition_accuracy),
    accuracy.gl_corrected ? h("p", {}, `${accuracy.gl_corrected} receipts were posted again by a GL correction.`) : null,
    drillDown(query, "corrected"),
    ...glVariance(accuracy, f, money),
  ];
}
