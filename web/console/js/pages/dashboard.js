// The leadership dashboard: collections by day, department and channel (charts with their tables), what is
// pending or failed, approvals waiting, interactions handled; the leadership metrics with their formulas
// (../metrics.js). Collections and metrics take any range up to five years, read from the daily totals (one item
// a day); the exceptions list the range's last 92 days at most. Each section shows as soon as its answer is in
// (../sections.js), each with its placeholder meanwhile.

import { get } from "../../../shared/js/api.js";
import { addDays, formatDate, humanize, today } from "../../../shared/js/money.js";
import { $, h, money, showFormErrors, table } from "../../../shared/js/ui.js";
import { barChart } from "../charts.js";
import { metricsSection } from "../metrics.js";
import { APPROVAL_COLUMNS } from "../customer-sections.js";
import { COPY } from "../copy.js";
import { startPage } from "../layout.js";
import { stream } from "../sections.js";
import { paymentsTable } from "../views.js";

const cfg = await startPage({ title: COPY.dashboard.title });
$("#to").value = today();
$("#from").value = addDays(today(), -29);

const figure = (title, value, extra = "", tone = "") =>
  h("div", { class: `figure${tone ? ` figure--${tone}` : ""}` }, h("h3", {}, title), h("p", { class: "amount" }, value), extra ? h("p", {}, extra) : null);

const named = (tallies) => tallies.map((t) => ({ label: humanize(t.name), amount: t.amount.amount, count: t.count }));

function collections(report) {
  const currency = report.total.amount.currency || cfg.currency;
  const days = report.days.map((d) => ({ label: formatDate(d.day).replace(/, \d{4}$/, ""), amount: d.total.amount.amount, count: d.total.count }));
  return [
    h("h2", {}, COPY.dashboard.collections),
    h("p", { class: "usa-hint" }, COPY.dashboard.basis(formatDate(report.start), formatDate(report.end), report.basis)),
    report.complete === false
      ? h("p", { class: "usa-alert__text" }, COPY.dashboard.incomplete((report.discrepancies || []).join("; ")))
      : null,
    h(
      "div",
      { class: "figures" },
      figure(COPY.dashboard.collected, money(report.total.amount), COPY.dashboard.payments(report.total.count), "good"),
      figure(COPY.dashboard.fees, money(report.fees)),
      figure(COPY.dashboard.refunded, money(report.refunded)),
    ),
    barChart({ title: COPY.dashboard.byDay, rows: days, currency, labelHeader: COPY.dashboard.day }),
    barChart({ title: COPY.dashboard.byDepartment, rows: named(report.by_department), currency, horizontal: true, labelHeader: COPY.dashboard.department }),
    barChart({ title: COPY.dashboard.byChannel, rows: named(report.by_channel), currency, horizontal: true, labelHeader: COPY.dashboard.channel }),
  ];
}

function exceptions(report) {
  const interactions = {};
  for (const day of report.days) {
    for (const [kind, count] of Object.entries(day.interactions || {})) interactions[kind] = (interactions[kind] || 0) + count;
  }
  return [
    h("h2", {}, COPY.dashboard.exceptionsHeading),
    h(
      "div",
      { class: "figures" },
      figure(COPY.dashboard.pending, String(report.pending.count), money(report.pending.amount), report.pending.count ? "alert" : ""),
      figure(COPY.dashboard.failed, String(report.failed.count), money(report.failed.amount), report.failed.count ? "alert" : ""),
      figure(COPY.dashboard.approvals, String(report.approvals_waiting.length)),
      figure(COPY.dashboard.interactions, String(report.interactions_handled)),
    ),
    table({
      caption: COPY.dashboard.interactionsByKind,
      rows: Object.entries(interactions).map(([kind, count]) => ({ kind, count })),
      empty: COPY.dashboard.noInteractions,
      columns: [
        { label: COPY.dashboard.kind, cell: (r) => humanize(r.kind) },
        { label: COPY.dashboard.handled, numeric: true, cell: (r) => String(r.count) },
      ],
    }),
    h("h3", {}, COPY.dashboard.pending),
    paymentsTable(COPY.dashboard.pending, report.pending_payments, { withCustomer: true, empty: COPY.dashboard.nothingPending }),
    h("h3", {}, COPY.dashboard.failed),
    paymentsTable(COPY.dashboard.failed, report.failed_payments, { withCustomer: true, empty: COPY.dashboard.nothingFailed }),
    report.listed_all ? null : h("p", { class: "usa-hint" }, COPY.dashboard.firstOnly),
    h("h3", {}, COPY.dashboard.approvals),
    table({ caption: COPY.dashboard.approvals, captionHidden: true, rows: report.approvals_waiting, columns: APPROVAL_COLUMNS, empty: COPY.dashboard.noApprovals }),
  ];
}

function show() {
  const query = { from: $("#from").value, to: $("#to").value };
  // The exceptions list payments: at most 92 days, so a longer range shows its last 92.
  const recent = { ...query, from: query.from < addDays(query.to, -91) ? addDays(query.to, -91) : query.from };
  let drawn;
  const firstDrawn = new Promise((resolve) => (drawn = resolve));
  // The collections (one daily totals item a day) come first; once they are drawn, the metrics and the exceptions
  // are asked for together. The local runtime serves every request in one process, so a read asked for beside the
  // first would slow it down; the exceptions, which read each day's payments, are the costliest.
  const answers = {
    collections: get("/v1/staff/reports/collections", { query }),
    metrics: firstDrawn.then(() => get("/v1/staff/reports/metrics", { query })),
    exceptions: firstDrawn.then(() => get("/v1/staff/reports/exceptions", { query: recent })),
  };
  for (const answer of Object.values(answers)) answer.catch(() => {}); // each is shown (or its error) by its section
  const fill = (id, draw) => async (current) => {
    const answer = await answers[id.slice(1)];
    if (current()) $(id).replaceChildren(...draw(answer).filter(Boolean));
  };
  const first = stream($("#collections"), COPY.dashboard.collections, fill("#collections", collections), "collections");
  first.then(drawn);
  return Promise.all([
    first,
    stream($("#metrics"), COPY.dashboard.metrics, fill("#metrics", (m) => metricsSection(m, query)), "metrics"),
    stream($("#exceptions"), COPY.dashboard.exceptions, fill("#exceptions", exceptions), "exceptions"),
  ]);
}

$("#range").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!$("#from").value || !$("#to").value || $("#from").value > $("#to").value) {
    showFormErrors(form, [{ field: "from", reason: COPY.dashboard.range }]);
    return;
  }
  form.querySelector(".form-error-summary")?.remove();
  await show();
});

await show();
