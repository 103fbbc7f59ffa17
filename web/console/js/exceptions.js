// Refunds, voids, reversals and invoice adjustments: each with a reason code and a note, sent with ONE
// Idempotency-Key per request the agent makes (kept while it is retried), answered either "done" (200/201) or
// "sent for approval" (202 with the approval's id and status pending).

import { newIdempotencyKey, request } from "../../shared/js/api.js";
import { formatMoney, parseAmount, toDecimal } from "../../shared/js/money.js";
import { alertBox, announce, busy, h, showApiError, validate } from "../../shared/js/ui.js";
import { COPY } from "./copy.js";

const C = COPY.exceptions;

export const REASONS = Object.entries(C.reasons);

function field(id, label, control, hint = "") {
  return h(
    "div",
    { class: "usa-form-group" },
    h("label", { class: "usa-label", for: id }, label),
    hint ? h("span", { class: "usa-hint", id: `${id}-hint` }, hint) : null,
    control,
  );
}

/** POST an exception; resolves to {pending, body}: pending is true when it waits for an approval. */
async function send(path, body, key) {
  const response = await request("POST", path, { body, idempotencyKey: key, raw: true });
  const answer = response.status === 204 ? {} : await response.json();
  return { pending: response.status === 202, body: answer };
}

/** The outcome, as the agent must read it: done, or waiting for a supervisor (with the approval's id). */
export function outcome({ pending, body }, doneText) {
  if (pending) {
    const id = body.approval_id || body.approval?.approval_id || "";
    return alertBox({
      type: "warning",
      heading: C.sentForApproval,
      text: C.needsApproval(id, body.status || body.approval?.status || C.pending),
      focus: true,
    });
  }
  return alertBox({ type: "success", heading: C.done, text: doneText, focus: true });
}

/**
 * A form for one exception. prefix: unique id prefix; action: "refund" | "void" | "reversal" | "adjustment" |
 * "write_off"; path: where it is POSTed; currency; maxAmount (minor units) for refunds; extra(body) adds fields;
 * onDone(result) after a success.
 */
export function exceptionForm({ prefix, title, action, path, currency, amountLabel = null, maxAmount = null, signed = false, extra = (b) => b, doneText, onDone }) {
  const amountId = `${prefix}-amount`;
  const reasonId = `${prefix}-reason`;
  const noteId = `${prefix}-note`;
  const result = h("div", { id: `${prefix}-result` });
  const hint = maxAmount !== null ? C.atMost(formatMoney({ amount: maxAmount, currency })) : signed ? C.negativeLowers : "";
  const form = h(
    "form",
    { id: `${prefix}-form`, class: "usa-form maxw-none action-panel", novalidate: true },
    h("h3", {}, title),
    h(
      "div",
      { class: "inline-fields" },
      amountLabel
        ? field(amountId, amountLabel, h("input", { class: "usa-input amount-input", id: amountId, name: "amount", inputmode: "decimal", autocomplete: "off", "aria-describedby": hint ? `${amountId}-hint` : null, value: maxAmount !== null ? toDecimal(maxAmount, currency) : "" }), hint)
        : null,
      field(reasonId, C.reason, h("select", { class: "usa-select", id: reasonId, name: "reason_code" }, h("option", { value: "" }, C.select), REASONS.map(([v, t]) => h("option", { value: v }, t)))),
    ),
    field(noteId, C.note, h("textarea", { class: "usa-textarea", id: noteId, name: "note", rows: "2", maxlength: "1000" })),
    h("button", { class: "usa-button", type: "submit" }, title),
    result,
  );
  let key = newIdempotencyKey();
  let sentBody = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const amountRule = (value) => {
      const minor = signed ? parseSigned(value, currency) : parseAmount(value, currency);
      if (minor === null || minor === 0) return C.enterAmount;
      if (maxAmount !== null && minor > maxAmount) return C.enterAtMost(formatMoney({ amount: maxAmount, currency }));
      return null;
    };
    const rules = [[reasonId, (v) => (v ? null : C.chooseReason)], [noteId, (v) => (v ? null : C.writeNote)]];
    if (amountLabel) rules.unshift([amountId, amountRule]);
    if (!validate(form, rules)) return;
    const body = extra({
      ...(amountLabel ? { amount: signed ? parseSigned(form.querySelector(`#${amountId}`).value, currency) : parseAmount(form.querySelector(`#${amountId}`).value, currency) } : {}),
      reason_code: form.querySelector(`#${reasonId}`).value,
      note: form.querySelector(`#${noteId}`).value.trim(),
    });
    // Same request again (a retry after a lost answer): same key. A changed request: a new one.
    if (sentBody !== null && JSON.stringify(sentBody) !== JSON.stringify(body)) key = newIdempotencyKey();
    sentBody = body;
    const restore = busy(form.querySelector("button[type=submit]"), C.sending);
    try {
      const answer = await send(path, body, key);
      result.replaceChildren(outcome(answer, doneText));
      result.firstChild.focus();
      announce(answer.pending ? C.sentAnnounce : C.doneAnnounce);
      form.querySelector("button[type=submit]").hidden = true; // this request is made; a new one needs a reload
      onDone?.(answer);
    } catch (error) {
      showApiError(error, { container: result, form, what: title, fieldMap: { amount: amountId, reason_code: reasonId, note: noteId } });
    } finally {
      restore();
    }
  });
  return form;
}

/** "-12.50" -> -1250 (adjustments may lower an invoice). */
export function parseSigned(text, currency) {
  const trimmed = String(text).trim();
  const negative = trimmed.startsWith("-");
  const minor = parseAmount(negative ? trimmed.slice(1) : trimmed, currency);
  return minor === null ? null : negative ? -minor : minor;
}
