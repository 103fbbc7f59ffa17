// The leadership metrics on the dashboard: each figure with its published formula (from the API's answer) and a
// drill-down to the payments behind it, a page at a time.

import { get } from "../../shared/js/api.js";
import { humanize } from "../../shared/js/money.js";
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

export function metricsSection(m, query) {
  const f = m.formulas;
  const accuracy = m.recognition_accuracy;
  return [
    h("h2", {}, "Leadership metrics"),
    h("p", { class: "usa-hint" }, `Read from ${m.days_read} daily totals: every payment taken in the range, in its latest state.`),
    h(
      "div",
      { class: "figures" },
      card("Payment success rate", percent(m.success_rate.rate), `${m.success_rate.succeeded} of ${m.success_rate.attempted} attempts`),
      card("Revenue recognition accuracy", percent(accuracy.rate), `${accuracy.first_time} of ${accuracy.receipts} receipts right the first time`),
    ),
    h("h3", {}, "Success rate by channel and method"),
    formula(f.success_rate),
    h("p", { class: "usa-hint" }, `With retries: ${f.success_rate_with_retries}.`),
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
      ],
    }),
    drillDown(query, "failed"),
    h("h3", {}, "Processing time per stage"),
    formula(`average = ${f.average_days}; p90 = ${f.p90_days}`),
    table({
      caption: "Processing time per stage, in banking days",
      rows: m.processing_time,
      columns: [
        { label: "Stage", cell: (r) => humanize(r.stage) },
        { label: "Payments", numeric: true, cell: (r) => String(r.count) },
        { label: "Average", numeric: true, cell: (r) => days(r.average_days) },
        { label: "p90", numeric: true, cell: (r) => days(r.p90_days) },
      ],
    }),
    ...m.processing_time.map((s) => drillDown(query, s.stage)),
    h("h3", {}, "Revenue recognition accuracy"),
    formula(f.recognition_accuracy),
    drillDown(query, "corrected"),
    h("p", {}, accuracy.gl_variance_available ? `Subledger to GL variance: ${accuracy.gl_variance}` : "Subledger to GL variance: not available."),
    formula(f.gl_variance),
  ];
}
