// Adjust an invoice (a signed credit or debit) or write off an uncollectible balance, with a reason and a note.
// Over the agency's threshold, or for a role that may not act alone, the API files it for approval (202).

import { $, h, link, showAlert } from "../../../shared/js/ui.js";
import { exceptionForm } from "../exceptions.js";
import { allowed, startPage } from "../layout.js";
import { customerHref } from "../views.js";
import { COPY } from "../copy.js";

const C = COPY.adjust;

const cfg = await startPage({ title: C.title });
const params = new URLSearchParams(location.search);
const invoiceId = params.get("invoice") || "";
const customerId = params.get("customer") || "";
const number = params.get("number") || invoiceId;

if (!/^inv_[0-9A-Za-z]{4,40}$/.test(invoiceId) || !/^CUS-[0-9A-Za-z]{4,20}$/i.test(customerId)) {
  showAlert($("#page-alerts"), { type: "error", heading: C.noInvoice, text: C.noInvoiceText, focus: true });
} else if (!allowed("exceptions.request")) {
  showAlert($("#page-alerts"), { type: "error", heading: C.notAllowed, text: C.notAllowedText, focus: true });
} else {
  $("#title").textContent = C.heading(number);
  const common = (kind) => (body) => ({ customer_id: customerId, invoice_id: invoiceId, kind, ...body });
  $("#adjust").replaceChildren(
    h("p", {}, C.invoice, h("strong", {}, number), C.of, link(customerHref(customerId), customerId), C.end),
    exceptionForm({ prefix: "adjustment", title: C.adjustment, action: "adjustment", path: "/v1/staff/adjustments", currency: cfg.currency, amountLabel: C.adjustmentAmount, signed: true, extra: common("adjustment"), doneText: C.adjusted }),
    exceptionForm({ prefix: "write-off", title: C.writeOff, action: "write_off", path: "/v1/staff/adjustments", currency: cfg.currency, amountLabel: C.writeOffAmount, extra: common("write_off"), doneText: C.writtenOff }),
  );
}
