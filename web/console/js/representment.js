// A returned ACH debit presented again (NACHA R01/R09 re-presentment): the rules' answer for this payment, and for
// finance (finance.manage) the button that makes the next presentment, a new debit of the same bank account for
// the same invoices. The server makes each presentment once, whoever presses and however often.

import { get, newIdempotencyKey, post } from "../../shared/js/api.js";
import * as ui from "../../shared/js/ui.js";
import { allowed } from "./layout.js";
import { COPY } from "./copy.js";

const C = COPY.representment;

const { busy, h, link, showAlert, showApiError } = ui;

/** Whether a payment can have been returned: an ACH debit that failed or was reversed. */
export function mayHaveBeenReturned(view) {
  return view.payment.method === "ach" && ["failed", "reversed"].includes(view.status);
}

/** Fills ``container`` with the answer for ``paymentId`` and, when allowed, the form that presents it again. */
export async function loadRepresentment(container, paymentId) {
  const path = `/v1/staff/payments/${encodeURIComponent(paymentId)}`;
  const answer = await get(`${path}/representment`);
  const facts = answer.return_code
    ? C.returned(answer.return_code, answer.return_reason, answer.presentments, answer.max_presentments)
    : C.noReason;
  const parts = [h("p", {}, facts)];
  if (answer.presented_as) {
    parts.push(h("p", {}, C.presentedAs, link(`payment.html?id=${encodeURIComponent(answer.presented_as)}`, C.thisPayment), C.end));
  } else if (!answer.allowed) {
    parts.push(h("p", {}, C.cannot(answer.reason)));
  } else if (allowed("finance.manage")) {
    parts.push(presentForm(path, answer));
  } else {
    parts.push(h("p", {}, C.financeCan));
  }
  container.replaceChildren(...parts);
}

function presentForm(path, answer) {
  const result = h("div", { id: "represent-result" });
  const form = h(
    "form",
    { id: "represent-form", class: "usa-form", novalidate: true },
    h("p", { class: "usa-hint" }, C.hint(answer.presentments + 1, answer.max_presentments)),
    h("button", { class: "usa-button", type: "submit" }, C.present),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const restore = busy(button, C.presenting);
    try {
      const done = await post(`${path}/representments`, {}, { idempotencyKey: newIdempotencyKey() });
      const href = `payment.html?id=${encodeURIComponent(done.payment.payment_id)}`;
      button.hidden = true;
      showAlert(result, { type: "success", slim: true, focus: true, children: [
        h("p", { class: "usa-alert__text" }, C.presented(done.presentment), link(href, C.newDebit), C.pendingUntil),
      ] });
    } catch (error) {
      showApiError(error, { container: result, form, what: C.what });
    } finally {
      restore();
    }
  });
  return form;
}
