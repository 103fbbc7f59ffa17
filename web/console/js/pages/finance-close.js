// Daily close (finance.read; closing takes finance.manage): a banking day's closes (the agency's and any
// department's) as they were frozen: the control totals per currency, subledger against GL, the money given back,
// the deposits, every variance with its reason, the journal batches it read and the document's SHA-256 in the audit
// chain. A day not closed yet (404) offers "Close the day"; the API decides what a close is and refuses what it must
// (not a banking day, an unmapped code), and the page shows its reason.

import { get, post } from "../../../shared/js/api.js";
import { addDays, formatDate, formatDateTime, humanize, today } from "../../../shared/js/money.js";
import { $, announce, clearErrors, definitionList, h, link, section, showAlert, showApiError, showFormErrors, table } from "../../../shared/js/ui.js";
import { confirmDialog } from "../dialogs.js";
import { FINANCE, amount, canManage, params, startFinancePage, who, withButton } from "../finance.js";
import { COPY } from "../copy.js";

const C = COPY.close;

await startFinancePage(C.title);
const form = $("#close-day");
const container = $("#close");
const result = $("#close-result");
$("#date").value = params().get("date") || addDays(today(), -1);
/** The agency's departments by name; one asked for in the address that is not among them is kept by its code. */
async function fillDepartments(wanted) {
  const select = $("#department");
  const departments = await get("/v1/staff/departments").then((r) => r.departments, () => []);
  select.append(...departments.map((d) => h("option", { value: d.code }, d.name)));
  if (wanted && !departments.some((d) => d.code === wanted)) select.append(h("option", { value: wanted }, humanize(wanted)));
  select.value = wanted;
}
await fillDepartments(params().get("department") || "");
const scopeName = (department) => (department ? C.department(humanize(department).toLowerCase()) : C.wholeAgency);

function difference(sub, gl, currency) {
  const gap = sub - gl;
  return gap ? h("strong", {}, amount(gap, currency)) : C.none;
}

function currencySection(c, close) {
  const cur = c.currency;
  const rows = [{ what: C.collected, ...c.collected }];
  for (const d of c.by_department) rows.push({ what: d.department === "unallocated" ? C.heldAsCredit : humanize(d.department), subledger: d.subledger, gl: d.gl });
  if (c.convenience_fees) rows.push({ what: C.fees, ...c.convenience_fees });
  const facts = [
    [C.facts.refunds, amount(c.money_back.refund, cur)],
    [C.facts.voids, amount(c.money_back.void, cur)],
    [C.facts.reversals, amount(c.money_back.reversal, cur)],
    [C.facts.givenBack, amount(c.given_back_of_collections, cur)],
    [C.facts.processorFees, c.processor_fees === null ? "" : amount(c.processor_fees, cur)],
    [C.facts.glLines, String(c.gl.records)],
    [C.facts.glDebits, amount(c.gl.debits, cur)],
    [C.facts.glCredits, amount(c.gl.credits, cur)],
    [C.facts.clearing, c.gl.clearing === null ? "" : amount(c.gl.clearing, cur)],
  ];
  if (c.deposits) {
    facts.push(
      [C.facts.expected, amount(c.deposits.expected, cur)],
      [C.facts.confirmed, amount(c.deposits.confirmed, cur)],
      [C.facts.unconfirmed, c.deposits.unconfirmed ? link(`finance-deposits.html?status=expected`, amount(c.deposits.unconfirmed, cur)) : amount(0, cur)],
      ...Object.entries(c.deposits.by_processor).map(([processor, total]) => [C.depositsFrom(humanize(processor).toLowerCase()), amount(total, cur)]),
    );
  }
  return [
    h("h3", {}, C.controlTotals(cur)),
    table({
      caption: C.totalsCaption(cur, scopeName(close.department)),
      rows,
      columns: [
        { label: C.columns.what, cell: (r) => r.what },
        { label: C.columns.subledger, numeric: true, cell: (r) => amount(r.subledger, cur) },
        { label: C.columns.gl, numeric: true, cell: (r) => amount(r.gl, cur) },
        { label: C.columns.difference, numeric: true, cell: (r) => difference(r.subledger, r.gl, cur) },
      ],
    }),
    definitionList(facts),
  ];
}

function refLink(ref) {
  if (ref.startsWith("dep_")) return link("finance-deposits.html?status=expected", ref, { class: "usa-link secret-id" });
  if (ref.startsWith("po_") || ref.startsWith("sbxpo_")) return link(`finance-payouts.html?payout=${encodeURIComponent(ref)}`, ref, { class: "usa-link secret-id" });
  return h("span", { class: "secret-id" }, ref);
}

function closeSection(close) {
  const heading = C.heading(formatDate(close.business_date), scopeName(close.department));
  const id = `close-${close.scope}`;
  return h(
    "section",
    { class: "connected-system day-close", "aria-labelledby": id },
    h("h2", { id }, heading),
    definitionList([
      [C.facts.covers, close.covered_from === close.covered_to ? formatDate(close.covered_from) : C.range(formatDate(close.covered_from), formatDate(close.covered_to))],
      [C.facts.closed, C.at(formatDateTime(close.closed_at), who(close.closed_by))],
      [C.facts.batches, close.journal_batches.length ? close.journal_batches.map((b, i) => [i ? ", " : "", link(`finance-journals.html?date=${close.business_date}`, b.batch_id, { class: "usa-link secret-id" })]) : C.none],
      [C.facts.sha, h("code", { class: "secret-id" }, close.sha256)],
    ]),
    close.currencies.map((c) => currencySection(c, close)),
    h("h3", {}, C.variances),
    table({
      caption: C.variancesCaption(formatDate(close.business_date), scopeName(close.department)),
      rows: close.variances,
      empty: C.noVariances,
      columns: [
        { label: C.columns.reason, cell: (v) => (v.department ? C.ofDepartment(humanize(v.reason), humanize(v.department).toLowerCase()) : humanize(v.reason)) },
        { label: C.columns.amount, numeric: true, cell: (v) => amount(v.amount, v.currency) },
        { label: C.columns.why, cell: (v) => v.words },
        { label: C.columns.lookAt, cell: (v) => v.refs.map((r, i) => [i ? ", " : "", refLink(r)]) },
      ],
    }),
  );
}

function notClosed(day, department) {
  const parts = [h("p", { class: "empty-state" }, C.notClosed(formatDate(day)))];
  if (canManage()) {
    parts.push(
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "button", class: "usa-button", id: "close-the-day", onclick: (event) => closeDay(day, department, event.currentTarget) }, C.closeFor(formatDate(day), scopeName(department))),
      ),
    );
  }
  return parts;
}

async function load(day, department) {
  let closes = [];
  try {
    closes = (await get(`${FINANCE}/close`, { query: { date: day } })).closes;
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const wanted = closes.filter((c) => (c.department || "") === department);
  const others = closes.filter((c) => (c.department || "") !== department);
  container.replaceChildren(
    ...(wanted.length ? wanted.map(closeSection) : notClosed(day, department)),
    ...(others.length ? [h("h2", { class: "margin-top-6" }, C.others), ...others.map(closeSection)] : []),
  );
}

async function show() {
  const day = $("#date").value;
  const department = $("#department").value.trim().toLowerCase();
  history.replaceState(null, "", `?${new URLSearchParams(department ? { date: day, department } : { date: day })}`);
  await section(container, C.theClose, () => load(day, department));
}

async function closeDay(day, department, button) {
  const sure = await confirmDialog({
    id: "close-confirm",
    heading: C.confirmHeading(formatDate(day)),
    body: h("p", {}, C.confirmText(scopeName(department))),
    confirm: C.confirm,
  });
  if (!sure) return button.focus();
  const body = department ? { date: day, department } : { date: day };
  const closed = await withButton(button, C.closing, () => post(`${FINANCE}/close`, body), (error) =>
    showApiError(error, { container: result, what: C.closingWhat }),
  );
  if (!closed) return;
  await load(day, department);
  const count = closed.variances.length;
  const text = C.closed(formatDate(day), scopeName(department), count);
  showAlert(result, { type: "success", slim: true, text, focus: true });
  announce(text);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!$("#date").value) return showFormErrors(form, [{ field: "date", reason: C.enterDay }]);
  clearErrors(form);
  result.replaceChildren();
  await show();
});

await show();
