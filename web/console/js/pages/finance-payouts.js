// Payouts (finance.read): what the processor paid out, by arrival date, latest first, paged. ?payout=<id> (a link
// from a deposit or a reconciliation item) picks one out: its row is marked and its facts are shown above the list.

import { formatDate, formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, alertBox, definitionList, h, showFormErrors, clearErrors } from "../../../shared/js/ui.js";
import { FINANCE, amount, dateFilter, pagedTable, params, rangeErrors, startFinancePage, who } from "../finance.js";
import { COPY } from "../copy.js";

const C = COPY.payouts;

await startFinancePage(C.title);
const form = $("#payouts-filter");
const readFilter = dateFilter(form);
const wanted = params().get("payout");
const MAX_PAGES_TO_FIND = 10; // paging on to find ?payout= stops here: the dates are then the better filter
let pagesLoaded = 0;

const lines = (p) => C.lines(p.transactions, p.matched, p.unmatched);
const COLUMNS = [
  { label: C.columns.payout, cell: (p) => h("span", { "data-payout": p.payout_id }, p.payout_id) },
  { label: C.columns.arrives, cell: (p) => formatDate(p.arrival_date) },
  { label: C.columns.amount, numeric: true, cell: (p) => amount(p.amount, p.currency) },
  { label: C.columns.lines, cell: lines },
  { label: C.columns.deposit, cell: (p) => h("span", { class: `usa-tag ${p.deposit_status === "deposited" ? "tag--success" : "tag--info"}` }, humanize(p.deposit_status)) },
  { label: C.columns.trace, cell: (p) => p.bank_trace_id || "" },
];

function showSelected(payout) {
  $("#selected-payout").replaceChildren(
    h(
      "section",
      { class: "selected-record margin-top-4", "aria-labelledby": "selected-heading", tabindex: "-1", id: "selected-section" },
      h("h2", { id: "selected-heading" }, C.heading(payout.payout_id)),
      definitionList([
        [C.facts.processor, humanize(payout.processor)],
        [C.facts.amount, amount(payout.amount, payout.currency)],
        [C.facts.arrives, formatDate(payout.arrival_date)],
        [C.facts.trace, payout.bank_trace_id || C.noTrace],
        [C.facts.lines, lines(payout)],
        [C.facts.recorded, formatDateTime(payout.recorded_at)],
        [C.facts.deposit, payout.deposit_status === "deposited" ? C.deposited(who(payout.deposited_by), formatDateTime(payout.deposited_at)) : C.expected],
      ]),
    ),
  );
}

function pickOut(rows, nextCursor) {
  pagesLoaded += 1;
  if (!wanted) return;
  const found = rows.find((p) => p.payout_id === wanted);
  if (found) {
    showSelected(found);
    const cell = $(`[data-payout="${CSS.escape(wanted)}"]`);
    cell?.closest("tr")?.classList.add("row--selected");
    cell?.closest("tr")?.setAttribute("aria-current", "true");
    return;
  }
  if (nextCursor && pagesLoaded < MAX_PAGES_TO_FIND) {
    list.more();
    return;
  }
  $("#selected-payout").replaceChildren(
    alertBox({ type: "info", slim: true, text: C.notBetween(wanted) }),
  );
}

let list;
async function show() {
  const query = readFilter();
  if (wanted) history.replaceState(null, "", `?${new URLSearchParams({ ...query, payout: wanted })}`);
  pagesLoaded = 0;
  list = pagedTable($("#payouts"), {
    path: `${FINANCE}/payouts`,
    key: "payouts",
    query,
    what: C.what,
    caption: C.caption(formatDate(query.from), formatDate(query.to)),
    columns: COLUMNS,
    empty: C.empty,
    onPage: pickOut,
  });
  await list.reload();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const errors = rangeErrors(Object.fromEntries(new FormData(form)));
  if (errors.length) return showFormErrors(form, errors);
  clearErrors(form);
  await show();
});

await show();
