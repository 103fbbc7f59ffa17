// One payment: how it was made, where it went (allocations, credit held), its status timeline and its receipt.

import { get, saveLink } from "../../../shared/js/api.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, busy, definitionList, h, link, methodLabel, money, showAlert, showApiError, statusTag, table } from "../../../shared/js/ui.js";

await startPage({ title: "Payment" });
const id = new URLSearchParams(location.search).get("id") || "";

const STEPS = COPY.payment.steps;

function timeline(history) {
  return h(
    "ol",
    { class: "usa-process-list timeline" },
    history.map((step) =>
      h(
        "li",
        { class: "usa-process-list__item" },
        h("h3", { class: "usa-process-list__heading" }, humanize(step.status)),
        h("p", { class: "margin-top-05" }, [formatDateTime(step.at), "·", STEPS[step.status] || "", step.by ? COPY.payment.by(step.by) : ""].filter(Boolean).join(" ")),
      ),
    ),
  );
}

async function downloadReceipt(receipt, button) {
  const note = $("#receipt-status");
  const restore = busy(button, "Preparing the receipt…");
  try {
    const url = receipt.document_id
      ? (await get(`/v1/portal/documents/${encodeURIComponent(receipt.document_id)}`)).url
      : receipt.document_url;
    if (!url) {
      showAlert(note, { type: "info", slim: true, text: "The receipt is being prepared. Try again in a minute." });
      return;
    }
    saveLink(url, `receipt-${receipt.receipt_number}.pdf`);
    showAlert(note, { type: "success", slim: true, text: "Your receipt is downloading." });
  } catch (error) {
    showApiError(error, { container: note, what: "The receipt" });
  } finally {
    restore();
  }
}

function render({ payment, allocations, credit_held: credit, receipt }) {
  $("#title").textContent = `Payment of ${money(payment.total)}`;
  const download = receipt?.receipt_number
    ? h("button", { type: "button", class: "usa-button", id: "download-receipt" }, "Download receipt (PDF)")
    : null;
  download?.addEventListener("click", () => downloadReceipt(receipt, download));
  return [
    definitionList([
      ["Status", statusTag(payment.status)],
      ["Made", formatDateTime(payment.created_at)],
      ["Paid with", methodLabel(payment.method)],
      ["Made through", humanize(payment.channel)],
      ["Amount", money(payment.amount)],
      ["Convenience fee", payment.fee.amount ? money(payment.fee) : "None"],
      ["Total", h("strong", {}, money(payment.total))],
      ["Receipt number", receipt?.receipt_number || payment.receipt_number || "Not issued yet"],
      ["Held as credit", credit?.amount?.amount ? money(credit.amount) : null],
    ]),
    h("div", { class: "button-row" }, download),
    h("div", { id: "receipt-status", "aria-live": "polite" }),
    h("h2", {}, "Status"),
    timeline(payment.history),
    h("h2", {}, "Where it went"),
    table({
      caption: "Invoices this payment was applied to",
      captionHidden: true,
      rows: allocations,
      empty: COPY.payment.notApplied,
      columns: [
        { label: "Invoice", cell: (a) => link(`invoice.html?id=${encodeURIComponent(a.invoice_id)}`, a.invoice_number) },
        { label: "Account", cell: (a) => a.account_number },
        { label: "Applied on", cell: (a) => formatDateTime(a.applied_at) },
        { label: "Amount", cell: (a) => money(a.amount), numeric: true },
      ],
    }),
    h("p", { class: "margin-top-4" }, link("payments.html", "Back to your payments")),
  ];
}

await section($("#payment"), "This payment", async () => {
  const detail = await get(`/v1/portal/payments/${encodeURIComponent(id)}`);
  $("#payment").replaceChildren(...render(detail));
});
