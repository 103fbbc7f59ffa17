// Adjust an invoice (a signed credit or debit) or write off an uncollectible balance, with a reason and a note.
// Over the agency's threshold, or for a role that may not act alone, the API files it for approval (202).

import { $, h, link, showAlert } from "../../../shared/js/ui.js";
import { exceptionForm } from "../exceptions.js";
import { allowed, startPage } from "../layout.js";
import { customerHref } from "../views.js";

const cfg = await startPage({ title: "Adjust an invoice" });
const params = new URLSearchParams(location.search);
const invoiceId = params.get("invoice") || "";
const customerId = params.get("customer") || "";
const number = params.get("number") || invoiceId;

if (!/^inv_[0-9A-Za-z]{4,40}$/.test(invoiceId) || !/^CUS-[0-9A-Za-z]{4,20}$/i.test(customerId)) {
  showAlert($("#page-alerts"), { type: "error", heading: "No invoice chosen", text: "Open the customer and choose “Adjust” on one of their invoices.", focus: true });
} else if (!allowed("exceptions.request")) {
  showAlert($("#page-alerts"), { type: "error", heading: "Not allowed", text: "Your role does not ask for adjustments or write-offs.", focus: true });
} else {
  $("#title").textContent = `Adjust invoice ${number}`;
  const common = (kind) => (body) => ({ customer_id: customerId, invoice_id: invoiceId, kind, ...body });
  $("#adjust").replaceChildren(
    h("p", {}, "Invoice ", h("strong", {}, number), " of ", link(customerHref(customerId), customerId), "."),
    exceptionForm({ prefix: "adjustment", title: "Make an adjustment", action: "adjustment", path: "/v1/staff/adjustments", currency: cfg.currency, amountLabel: "Amount (negative lowers the invoice)", signed: true, extra: common("adjustment"), doneText: "The invoice is adjusted." }),
    exceptionForm({ prefix: "write-off", title: "Write off", action: "write_off", path: "/v1/staff/adjustments", currency: cfg.currency, amountLabel: "Amount to write off", extra: common("write_off"), doneText: "The balance is written off." }),
  );
}
