// Reconciliation items (finance.read; resolving takes finance.manage): what could not be matched, latest first,
// by status and reason, paged; an open item is resolved with a note saying what was found and done (who and when are
// the API's; asked twice, the first resolution stands).

import { post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, announce, h, link, showAlert, showApiError } from "../../../shared/js/ui.js";
import { FINANCE, amount, canManage, noteDialog, pagedTable, params, startFinancePage, who, withButton } from "../finance.js";
import { paymentHref } from "../views.js";
import { COPY } from "../copy.js";

const C = COPY.reconciliation;

await startFinancePage(C.title);
const form = $("#items-filter");
for (const name of ["status", "reason"]) {
  const value = params().get(name);
  if (value && [...$(`#${name}`).options].some((o) => o.value === value)) $(`#${name}`).value = value;
}
const REASONS = C.reasons;

function records(item) {
  return [
    item.payment_id ? link(paymentHref(item.payment_id), C.payment(item.payment_id), { class: "usa-link secret-id" }) : null,
    item.payout_id ? link(`finance-payouts.html?payout=${encodeURIComponent(item.payout_id)}`, C.payout(item.payout_id), { class: "usa-link secret-id" }) : null,
    item.transaction_id ? h("span", { class: "secret-id" }, C.transaction(item.transaction_id)) : null,
  ]
    .filter(Boolean)
    .map((part, i) => [i ? h("br") : "", part]);
}

function outcome(item) {
  if (item.status === "resolved") return [h("span", { class: "usa-tag tag--success" }, C.resolved), C.resolvedBy(who(item.resolved_by), formatDateTime(item.resolved_at), item.resolution)];
  if (!canManage()) return h("span", { class: "usa-tag tag--info" }, C.open);
  return h(
    "button",
    { type: "button", class: "usa-button usa-button--outline", id: `resolve-${item.item_id}`, onclick: (event) => resolve(item, event.currentTarget) },
    C.resolve,
    h("span", { class: "usa-sr-only" }, C.item(item.item_id)),
  );
}

const COLUMNS = [
  { label: C.columns.opened, cell: (i) => formatDateTime(i.opened_at) },
  { label: C.columns.reason, cell: (i) => REASONS[i.reason] || humanize(i.reason) },
  { label: C.columns.found, cell: (i) => i.note },
  { label: C.columns.amount, numeric: true, cell: (i) => amount(i.amount, i.currency) },
  { label: C.columns.records, cell: records },
  { label: C.columns.status, cell: outcome },
];

let list;
async function show() {
  const query = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
  history.replaceState(null, "", `?${new URLSearchParams(query)}`);
  const reason = query.reason ? REASONS[query.reason].toLowerCase() : "";
  list = pagedTable($("#items"), {
    path: `${FINANCE}/reconciliation-items`,
    key: "items",
    query,
    what: C.what,
    caption: C.caption(humanize(query.status), reason),
    columns: COLUMNS,
    empty: query.status === "open" ? C.noOpen : C.noResolved,
  });
  await list.reload();
}

async function resolve(item, button) {
  const note = await noteDialog({
    id: "resolve",
    heading: C.resolveHeading,
    intro: C.intro(REASONS[item.reason] || humanize(item.reason), item.note),
    label: C.label,
    hint: C.hint,
    confirm: C.confirm,
  });
  if (note === null) return button.focus();
  const result = $("#item-result");
  const resolved = await withButton(button, C.resolving, () => post(`${FINANCE}/reconciliation-items/${encodeURIComponent(item.item_id)}/resolve`, { note }), (error) =>
    showApiError(error, { container: result, what: C.resolvingWhat }),
  );
  if (!resolved) return;
  await list.reload();
  const text = C.resolvedText(who(resolved.resolved_by), resolved.resolution);
  showAlert(result, { type: "success", slim: true, text, focus: true });
  announce(C.resolvedAnnounce);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await show();
});

await show();
