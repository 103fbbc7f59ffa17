// The invoice list: filters (status, account, issue dates, sort), "show more" paging, CSV export of the same
// selection, and "pay selected". The filters live in the URL, so a filtered list can be bookmarked or shared.

import { download, get } from "../../../shared/js/api.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { formatDate } from "../../../shared/js/money.js";
import { $, h, link, money, moreButton, showAlert, showApiError, statusTag, table } from "../../../shared/js/ui.js";

await startPage({ title: COPY.invoices.title });
const form = $("#filters");
const UNPAID = new Set(["open", "partially_paid", "overdue"]);
let rows = [];

function filters() {
  const data = new FormData(form);
  return {
    status: data.getAll("status"),
    account: data.get("account") || null,
    from: data.get("from") || null,
    to: data.get("to") || null,
    sort: data.get("sort") || "-due_date",
  };
}

function fillForm(params) {
  for (const box of form.querySelectorAll("input[name=status]")) box.checked = params.getAll("status").includes(box.value);
  for (const name of ["from", "to", "sort"]) if (params.get(name)) form.elements[name].value = params.get(name);
}

function render() {
  $("#results").replaceChildren(
    table({
      caption: COPY.invoices.caption,
      captionHidden: true,
      rows,
      empty: COPY.invoices.empty,
      columns: [
        {
          label: COPY.invoices.select,
          header: false,
          cell: (i) =>
            UNPAID.has(i.status)
              ? h("input", { type: "checkbox", class: "select-invoice", value: i.invoice_id, "aria-label": COPY.invoices.selectToPay(i.invoice_number) })
              : "",
        },
        { label: COPY.invoices.columns.invoice, cell: (i) => link(`invoice.html?id=${encodeURIComponent(i.invoice_id)}`, i.invoice_number) },
        { label: COPY.invoices.columns.account, cell: (i) => i.account_number },
        { label: COPY.invoices.columns.issued, cell: (i) => formatDate(i.issue_date) },
        { label: COPY.invoices.columns.due, cell: (i) => formatDate(i.due_date) },
        { label: COPY.invoices.columns.status, cell: (i) => statusTag(i.status) },
        { label: COPY.invoices.columns.amount, cell: (i) => money(i.amount), numeric: true },
        { label: COPY.invoices.columns.balance, cell: (i) => money(i.balance), numeric: true },
      ],
    }),
  );
  $("#pay-selected").hidden = !rows.some((i) => UNPAID.has(i.status));
}

const more = moreButton(COPY.invoices.more, (cursor) => load(cursor));
$("#results").after(more.element);

async function load(cursor = null) {
  const page = await get("/v1/portal/invoices", { query: { ...filters(), cursor, limit: 25 } });
  rows = cursor ? rows.concat(page.invoices) : page.invoices;
  render();
  more.update(page.next_cursor);
  // total is known only when one page holds the whole selection; otherwise "Show more" says more follow.
  $("#count").textContent = page.total == null ? COPY.invoices.showing(rows.length) : COPY.invoices.showingOf(rows.length, page.total);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters())) for (const v of [value].flat()) if (v) query.append(name, v);
  history.replaceState(null, "", `?${query}`);
  await section($("#results"), COPY.invoices.title, () => load());
  $("#results-heading").focus();
});

$("#export").addEventListener("click", async () => {
  const status = $("#export-status");
  try {
    const name = await download("/v1/portal/invoices", { ...filters(), format: "csv" }, "invoices.csv");
    showAlert(status, { type: "success", slim: true, text: COPY.invoices.downloading(name) });
  } catch (error) {
    showApiError(error, { container: status, what: COPY.invoices.theExport });
  }
});

$("#pay-selected").addEventListener("click", () => {
  const ids = [...document.querySelectorAll(".select-invoice:checked")].map((box) => box.value);
  if (!ids.length) {
    showAlert($("#page-alerts"), { type: "error", text: COPY.invoices.selectOne, focus: true });
    return;
  }
  location.assign(`pay.html?invoices=${ids.map(encodeURIComponent).join(",")}`);
});

const params = new URLSearchParams(location.search);
await section($("#results"), COPY.invoices.title, async () => {
  const accounts = await get("/v1/portal/accounts", { query: { limit: 100 } }).catch(() => ({ accounts: [] }));
  for (const a of accounts.accounts) {
    form.elements.account.append(h("option", { value: a.account_number }, `${a.account_number} (${a.description})`));
  }
  fillForm(params);
  if (params.get("account")) form.elements.account.value = params.get("account");
  await load();
});
