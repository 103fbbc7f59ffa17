// Linking an account to this sign-in, proven by a bill number on it or the ZIP code on file. The API records the
// link on the login; a refreshed ID token then carries the customer id every portal route reads.

import { post } from "../../../shared/js/api.js";
import { refresh } from "../../../shared/js/auth.js";
import { startPage } from "../layout.js";
import { $, busy, needed, showAlert, showApiError, validate } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.link;

await startPage({ title: C.title });
const form = $("#link");
const byInvoice = () => form.elements.proof.value === "invoice";
if (new URLSearchParams(location.search).has("new")) {
  showAlert($("#page-alerts"), { type: "success", slim: true, text: C.created });
}

form.addEventListener("change", () => {
  $("#invoice-group").hidden = !byInvoice();
  $("#postal-group").hidden = byInvoice();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const rules = [["account_number", needed(C.accountNumber)]];
  rules.push(byInvoice() ? ["invoice_number", needed(C.billNumber)] : ["postal_code", needed(C.zip)]);
  if (!validate(form, rules)) return;
  const restore = busy(form.querySelector("button[type=submit]"), C.checking);
  const body = { account_number: $("#account_number").value.trim().toUpperCase() };
  if (byInvoice()) body.invoice_number = $("#invoice_number").value.trim();
  else body.postal_code = $("#postal_code").value.trim();
  try {
    const result = await post("/v1/portal/accounts:link", body);
    if (result.token_refresh_required) await refresh();
    location.assign("dashboard.html");
  } catch (error) {
    restore();
    const fieldMap = { account_number: "account_number", invoice_number: "invoice_number", postal_code: "postal_code" };
    showApiError(error, { container: $("#page-alerts"), form, fieldMap, what: C.what });
  }
});
