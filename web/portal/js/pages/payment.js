// One payment: how it was made, where it went (allocations, credit held), its status timeline and its receipt.

import { get, saveLink } from "../../../shared/js/api.js";
import { COPY } from "../copy.js";
import { section, startPage } from "../layout.js";
import { formatDateTime, humanize } from "../../../shared/js/money.js";
import { $, busy, definitionList, h, link, methodLabel, money, showAlert, showApiError, statusTag, table } from "../../../shared/js/ui.js";

const C = COPY.payment;

await startPage({ title: C.title });
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
  const restore = busy(button, C.preparing);
  try {
    const url = receipt.document_id
      ? (await get(`/v1/portal/documents/${encodeURIComponent(receipt.document_id)}`)).url
      : receipt.document_url;
    if (!url) {
      showAlert(note, { type: "info", slim: true, text: C.receiptLater });
      return;
    }
    saveLink(url, `receipt-${receipt.receipt_number}.pdf`);
    showAlert(note, { type: "success", slim: true, text: C.receiptDownloading });
  } catch (error) {
    showApiError(error, { container: note, what: C.theReceipt });
  } finally {
    restore();
  }
}

function render({ payment, allocations, credit_held: credit, receipt }) {
  $("#title").textContent = C.heading(money(payment.total));
  const download = receipt?.receipt_number
    ? h("button", { type: "button", class: "usa-button", id: "download-receipt" }, C.download)
    : null;
  download?.addEventListener("click", () => downloadReceipt(receipt, download));
  return [
    definitionList([
      [C.facts.status, statusTag(payment.status)],
      [C.facts.made, formatDateTime(payment.created_at)],
      [C.facts.paidWith, methodLabel(payment.method)],
      [C.facts.channel, humanize(payment.channel)],
      [C.facts.amount, money(payment.amount)],
      [C.facts.fee, payment.fee.amount ? money(payment.fee) : C.none],
      [C.facts.total, h("strong", {}, money(payment.total))],
      [C.facts.receipt, receipt?.receipt_number || payment.receipt_number || C.notIssued],
      [C.facts.credit, credit?.amount?.amount ? money(credit.amount) : null],
    ]),
    h("div", { class: "button-row" }, download),
    h("div", { id: "receipt-status", "aria-live": "polite" }),
    h("h2", {}, C.status),
    timeline(payment.history),
    h("h2", {}, C.whereItWent),
    table({
      caption: C.allocationsCaption,
      captionHidden: true,
      rows: allocations,
      empty: COPY.payment.notApplied,
      columns: [
        { label: C.columns.invoice, cell: (a) => link(`invoice.html?id=${encodeURIComponent(a.invoice_id)}`, a.invoice_number) },
        { label: C.columns.account, cell: (a) => a.account_number },
        { label: C.columns.appliedOn, cell: (a) => formatDateTime(a.applied_at) },
        { label: C.columns.amount, cell: (a) => money(a.amount), numeric: true },
      ],
    }),
    h("p", { class: "margin-top-4" }, link("payments.html", C.back)),
  ];
}

await section($("#payment"), C.section, async () => {
  const detail = await get(`/v1/portal/payments/${encodeURIComponent(id)}`);
  $("#payment").replaceChildren(...render(detail));
});
