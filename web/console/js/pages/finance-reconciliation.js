// Reconciliation items (finance.read; resolving takes finance.manage): what could not be matched, latest first,
// by status and reason, paged; an open item is resolved with a note saying what was found and done (who and when are
// the API's; asked twice, the first resolution stands).

import { post } from "../../../shared/js/api.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, announce, h, link, showAlert, showApiError } from "../../../shared/js/ui.js";
import { FINANCE, amount, canManage, noteDialog, pagedTable, params, startFinancePage, who, withButton } from "../finance.js";
import { paymentHref } from "../views.js";

await startFinancePage("Reconciliation items");
const form = $("#items-filter");
for (const name of ["status", "reason"]) {
  const value = params().get(name);
  if (value && [...$(`#${name}`).options].some((o) => o.value === value)) $(`#${name}`).value = value;
}
const REASONS = {
  unknown_transaction: "Unknown transaction",
  amount_mismatch: "Amount mismatch",
  missing_from_processor: "Missing from the processor's payouts",
  drawer_currency_mismatch: "Drawer counted in another currency",
};

function records(item) {
  return [
    item.payment_id ? link(paymentHref(item.payment_id), `Payment ${item.payment_id}`, { class: "usa-link secret-id" }) : null,
    item.payout_id ? link(`finance-payouts.html?payout=${encodeURIComponent(item.payout_id)}`, `Payout ${item.payout_id}`, { class: "usa-link secret-id" }) : null,
    item.transaction_id ? h("span", { class: "secret-id" }, `Transaction ${item.transaction_id}`) : null,
  ]
    .filter(Boolean)
    .map((part, i) => [i ? h("br") : "", part]);
}

function outcome(item) {
  if (item.status === "resolved") return [h("span", { class: "usa-tag tag--success" }, "Resolved"), ` by ${who(item.resolved_by)}, ${formatDateTime(item.resolved_at)}: ${item.resolution}`];
  if (!canManage()) return h("span", { class: "usa-tag tag--info" }, "Open");
  return h(
    "button",
    { type: "button", class: "usa-button usa-button--outline", id: `resolve-${item.item_id}`, onclick: (event) => resolve(item, event.currentTarget) },
    "Resolve",
    h("span", { class: "usa-sr-only" }, ` item ${item.item_id}`),
  );
}

const COLUMNS = [
  { label: "Opened", cell: (i) => formatDateTime(i.opened_at) },
  { label: "Reason", cell: (i) => REASONS[i.reason] || humanize(i.reason) },
  { label: "What was found", cell: (i) => i.note },
  { label: "Amount", numeric: true, cell: (i) => amount(i.amount, i.currency) },
  { label: "Records", cell: records },
  { label: "Status", cell: outcome },
];

let list;
async function show() {
  const query = Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
  history.replaceState(null, "", `?${new URLSearchParams(query)}`);
  const reason = query.reason ? `: ${REASONS[query.reason].toLowerCase()}` : "";
  list = pagedTable($("#items"), {
    path: `${FINANCE}/reconciliation-items`,
    key: "items",
    query,
    what: "Items",
    caption: `${humanize(query.status)} reconciliation items${reason}, latest first`,
    columns: COLUMNS,
    empty: query.status === "open" ? "No open items: everything matched." : "No resolved items.",
  });
  await list.reload();
}

async function resolve(item, button) {
  const note = await noteDialog({
    id: "resolve",
    heading: "Resolve this item?",
    intro: `${REASONS[item.reason] || humanize(item.reason)}: ${item.note}`,
    label: "What was found and done",
    hint: "Kept with the item and in the audit trail, with your name and the time.",
    confirm: "Resolve the item",
  });
  if (note === null) return button.focus();
  const result = $("#item-result");
  const resolved = await withButton(button, "Resolving…", () => post(`${FINANCE}/reconciliation-items/${encodeURIComponent(item.item_id)}/resolve`, { note }), (error) =>
    showApiError(error, { container: result, what: "Resolving the item" }),
  );
  if (!resolved) return;
  await list.reload();
  const text = `Item resolved by ${who(resolved.resolved_by)}: ${resolved.resolution}`;
  showAlert(result, { type: "success", slim: true, text, focus: true });
  announce("Item resolved.");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await show();
});

await show();
