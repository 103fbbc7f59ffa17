// Payment history: filter by date and status, page through it, export the selection as CSV.

import { download, get } from "../../../shared/js/api.js";
import { section, startPage } from "../layout.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, link, methodLabel, money, moreButton, showAlert, showApiError, statusTag, table } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.payments;

await startPage({ title: C.title });
const form = $("#filters");
let rows = [];

function filters() {
  const data = new FormData(form);
  return { from: data.get("from") || null, to: data.get("to") || null, status: data.get("status") || null };
}

function render() {
  $("#results").replaceChildren(
    table({
      caption: C.caption,
      captionHidden: true,
      rows,
      empty: C.empty,
      columns: [
        { label: C.columns.date, cell: (p) => link(`payment.html?id=${encodeURIComponent(p.payment_id)}`, formatDateTime(p.created_at)) },
        { label: C.columns.method, cell: (p) => methodLabel(p.method) },
        { label: C.columns.channel, cell: (p) => humanize(p.channel) },
        { label: C.columns.status, cell: (p) => statusTag(p.status) },
        { label: C.columns.receipt, cell: (p) => p.receipt_number || "—" },
        { label: C.columns.total, cell: (p) => money(p.total), numeric: true },
      ],
    }),
  );
}

const more = moreButton(C.more, (cursor) => load(cursor));
$("#results").after(more.element);

async function load(cursor = null) {
  const page = await get("/v1/portal/payments", { query: { ...filters(), cursor, limit: 25 } });
  rows = cursor ? rows.concat(page.payments) : page.payments;
  render();
  more.update(page.next_cursor);
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await section($("#results"), C.section, () => load());
  $("#results-heading").focus();
});

$("#export").addEventListener("click", async () => {
  const status = $("#export-status");
  try {
    const name = await download("/v1/portal/payments", { ...filters(), format: "csv" }, "payments.csv");
    showAlert(status, { type: "success", slim: true, text: C.downloading(name) });
  } catch (error) {
    showApiError(error, { container: status, what: C.export });
  }
});

await section($("#results"), C.section, () => load());
