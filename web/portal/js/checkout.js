// One checkout: secure payment details -> the fee quoted -> review -> pay -> confirmation with the receipt.
// Shared by the customer's payment page and the guest payment page; each says what is paid and how to call the API.
//
// Paying twice is what this module exists to prevent. The checkout (what is paid, the card's token, the quoted fee
// and ONE Idempotency-Key) is kept in sessionStorage before the payment is sent, and the request body is fixed at
// that moment. The pay button is disabled as soon as it is pressed; a reload, a lost answer or a "check again"
// sends the same body with the same key, which the API answers with the first outcome instead of charging again.
// A new key is made only when the payment itself changes: a new card, a new fee, or after a decline.
// A session that expires as Pay is pressed sends the payer to sign in and back here (api.js's next=): the checkout
// outlives the session's tokens, and belongs to the person who started it. If the payment never left the browser,
// they are back at review with the same key; if it did, it is asked again with that key, which shows its outcome.

import { newIdempotencyKey, saveLink } from "../../shared/js/api.js";
import { session } from "../../shared/js/auth.js";
import { completeAction, mountFields } from "../../shared/js/fields.js";
import { formatMoney } from "../../shared/js/money.js";
import { COPY } from "./copy.js";
import { alertBox, announce, busy, capitalise, definitionList, h, methodLabel, showAlert, showApiError, table } from "../../shared/js/ui.js";

const MAX_IN_PROGRESS_WAITS = 10;
const owner = () => session()?.email || null; // who a checkout is for (null on the guest page)
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export class Checkout {
  /**
   * storeKey: sessionStorage key. parts: {choose, details, fields, review, confirmation, alerts} elements.
   * quote(amount, method) -> QuoteOut; pay(body, key) -> PayOut; receiptUrl(receipt) -> url | null.
   */
  constructor({ storeKey, parts, quote, pay, receiptUrl, restartUrl }) {
    Object.assign(this, { storeKey, parts, quote, pay, receiptUrl, restartUrl });
    this.inFlight = false;
    this.mounted = null;
    addEventListener("arportal:sign-in-needed", ({ detail }) => {
      const unsent = !detail.sent && this.state?.phase === "submitting" && detail.key === this.state.key;
      if (unsent) this.save({ ...this.state, phase: "review", unsent: true });
    });
  }

  load() {
    try {
      return JSON.parse(sessionStorage.getItem(this.storeKey) || "null");
    } catch {
      return null;
    }
  }

  save(state) {
    sessionStorage.setItem(this.storeKey, JSON.stringify(state));
    this.state = state;
  }

  clear() {
    sessionStorage.removeItem(this.storeKey);
    this.state = null;
  }

  /** Pick up a checkout this tab already started: true when it is shown (the page then shows nothing else). */
  async resume() {
    const state = this.load();
    if (!state?.phase) return false;
    if (state.owner && state.owner !== owner()) {
      this.clear(); // another person signed in on this tab: never their card, their bills or their receipt
      return false;
    }
    this.state = state;
    if (state.phase === "done") this.showConfirmation(state.result);
    else if (state.phase === "submitting") {
      this.showReview();
      await this.submit(); // a reload while paying: ask again with the same key, never a new charge
    } else if (state.phase === "review") {
      this.showReview();
      if (state.unsent) showAlert(this.parts.alerts, { type: "info", slim: true, text: COPY.checkout.signedOutUnsent });
    } else return false;
    return true;
  }

  /** Begin with what is to be paid: {amount, currency, method: "card"|"bank"|"wallet", lines, extra}. */
  async start(contents) {
    this.save({ contents, phase: "details", owner: owner() });
    await this.showDetails();
  }

  show(part) {
    const { choose, details, review, confirmation } = this.parts;
    choose.hidden = part !== "choose" && part !== "details";
    details.hidden = part !== "details";
    review.hidden = part !== "review";
    confirmation.hidden = part !== "confirmation";
  }

  async showDetails() {
    const { details, fields, alerts } = this.parts;
    this.show("details");
    this.mounted?.destroy();
    const method = this.state.contents.method;
    try {
      this.mounted = await mountFields(fields, {
        kind: method === "bank" ? "bank" : "card",
        wallet: method === "wallet" ? "apple_pay" : null,
        amount: this.state.contents.amount,
        currency: this.state.contents.currency,
        onToken: (card) => this.tokenized(card),
        onError: () => announce(COPY.checkout.needsAttention),
      });
    } catch (error) {
      showApiError(error, { container: fields, what: COPY.checkout.payingOnline });
    }
    details.querySelector("h2")?.focus();
    alerts.replaceChildren();
  }

  async tokenized(card) {
    const { alerts } = this.parts;
    const { contents } = this.state;
    let quote;
    try {
      quote = await this.quote(contents.amount, card.method);
    } catch (error) {
      showApiError(error, { container: alerts, what: COPY.checkout.theQuote });
      return;
    }
    this.fix(card, quote);
    this.showReview();
  }

  /** Fix the request body and give it its one Idempotency-Key. */
  fix(card, quote) {
    const { contents } = this.state;
    const body = {
      amount: contents.amount,
      currency: contents.currency,
      method: card.method,
      token: card.token,
      expected_fee: quote.fee.amount,
      ...contents.extra,
    };
    this.save({ ...this.state, card, quote, body, key: newIdempotencyKey(), phase: "review" });
  }

  showReview() {
    const { review } = this.parts;
    const { contents, card, quote } = this.state;
    this.mounted?.destroy();
    this.mounted = null;
    this.show("review");
    const pay = h("button", { type: "button", class: "usa-button usa-button--big", id: "pay-button" }, COPY.checkout.payTotal(formatMoney(quote.total)));
    const change = h("button", { type: "button", class: "usa-button usa-button--outline" }, COPY.checkout.changeDetails);
    pay.addEventListener("click", () => this.submit(pay));
    change.addEventListener("click", () => this.showDetails());
    review.replaceChildren(
      h("h2", { tabindex: "-1" }, COPY.checkout.review),
      definitionList([
        ...contents.lines,
        [COPY.checkout.payWith, methodLabel(card)],
        [COPY.checkout.amount, formatMoney(quote.amount)],
        [COPY.checkout.fee, quote.fee.amount ? formatMoney(quote.fee) : COPY.checkout.none],
        [COPY.checkout.totalToCharge, h("strong", {}, formatMoney(quote.total))],
      ]),
      h("p", {}, COPY.checkout.payOnce),
      h("div", { class: "button-row" }, pay, this.state.phase === "review" ? change : null),
    );
    if (this.state.phase === "submitting") busy(pay, COPY.checkout.processing);
    review.querySelector("h2").focus();
  }

  async submit(button = this.parts.review.querySelector("#pay-button")) {
    if (this.inFlight) return;
    this.inFlight = true;
    const restore = button ? busy(button, COPY.checkout.processing) : () => {};
    const { alerts } = this.parts;
    alerts.replaceChildren();
    this.save({ ...this.state, phase: "submitting", unsent: false });
    announce(COPY.checkout.pleaseWait);
    try {
      for (let waits = 0; ; waits += 1) {
        try {
          const result = await this.pay(this.state.body, this.state.key);
          this.save({ ...this.state, phase: "done", result });
          this.showConfirmation(result);
          return;
        } catch (error) {
          const again = error.status === 409 && waits < MAX_IN_PROGRESS_WAITS;
          if (!again) return this.failed(error);
          await sleep(error.retryAfter || 1); // the first request is still being processed, or lost a race
        }
      }
    } finally {
      this.inFlight = false;
      if (this.state?.phase !== "submitting") restore();
    }
  }

  async failed(error) {
    const { alerts } = this.parts;
    if (error.code === "action_required" && !this.acting) {
      // The card's bank asks the payer to confirm (3-D Secure). Nothing is charged or recorded yet; once the bank's
      // window closes, the same body and key are sent again and the server reads how it ended.
      // Once per press of Pay: a bank that asks again gets the error below, and a new key.
      this.acting = true;
      try {
        announce(COPY.checkout.confirmWithBank);
        await completeAction(error.details);
        this.inFlight = false;
        return await this.submit();
      } finally {
        this.acting = false;
      }
    }
    if (error.code === "payment_declined") {
      // The decline is recorded under this key; a new attempt (new details) gets a new key.
      const next = error.details?.next_step ? ` ${capitalise(error.details.next_step)}` : "";
      this.save({ ...this.state, phase: "declined" });
      await this.showDetails();
      showAlert(alerts, { type: "error", heading: COPY.checkout.declined, text: capitalise(error.message) + next, focus: true });
      return;
    }
    if (error.status === 0 || error.status >= 500) {
      // The answer was lost or the service failed: the payment may or may not have gone through. Asking again
      // with the same key tells which, and cannot charge twice.
      const check = h("button", { type: "button", class: "usa-button" }, COPY.checkout.checkAgain);
      check.addEventListener("click", () => this.submit(check));
      const box = alertBox({
        type: "warning",
        heading: COPY.checkout.notConfirmed,
        text: COPY.checkout.notConfirmedText,
        children: [check],
        focus: true,
      });
      alerts.replaceChildren(box);
      box.focus();
      return;
    }
    const feeChanged = error.details && typeof error.details.fee === "number";
    if (feeChanged) {
      await this.tokenized(this.state.card);
      showAlert(alerts, { type: "warning", heading: COPY.checkout.feeChanged, text: COPY.checkout.feeChangedText, focus: true });
      return;
    }
    // Anything else (an expired guest lookup, invalid details...) is not retried with this key.
    this.save({ ...this.state, phase: "review", key: newIdempotencyKey() });
    this.showReview();
    showApiError(error, { container: alerts, what: COPY.checkout.payingOnline });
  }

  showConfirmation(result) {
    const { confirmation } = this.parts;
    const { payment, receipt } = result;
    this.show("confirmation");
    const pending = payment.status === "pending";
    const download = h("button", { type: "button", class: "usa-button", id: "download-receipt" }, COPY.checkout.download);
    const downloadNote = h("div", { "aria-live": "polite" });
    download.addEventListener("click", () => this.downloadReceipt(receipt, download, downloadNote));
    const another = h("button", { type: "button", class: "usa-button usa-button--outline" }, COPY.checkout.another);
    another.addEventListener("click", () => {
      this.clear();
      location.assign(this.restartUrl);
    });
    confirmation.replaceChildren(
      h("h2", { tabindex: "-1", id: "confirmation-heading" }, pending ? COPY.checkout.submitted : COPY.checkout.received),
      alertBox({
        type: pending ? "info" : "success",
        heading: pending ? COPY.checkout.onItsWay : COPY.checkout.wentThrough,
        text: [
          receipt.receipt_number ? COPY.checkout.receiptIs(receipt.receipt_number) : "",
          receipt.emailed_to?.length ? COPY.checkout.emailedTo(receipt.emailed_to.join(", ")) : "",
          receipt.message ? capitalise(receipt.message) : "",
        ].filter(Boolean).join(" "),
      }),
      definitionList([
        [COPY.checkout.receiptNumber, receipt.receipt_number || COPY.checkout.issuedLater],
        [COPY.checkout.amount, formatMoney(payment.amount)],
        [COPY.checkout.fee, payment.fee.amount ? formatMoney(payment.fee) : COPY.checkout.none],
        [COPY.checkout.totalCharged, formatMoney(payment.total)],
        [COPY.checkout.paidWith, methodLabel(payment)],
        [COPY.checkout.status, payment.status.charAt(0).toUpperCase() + payment.status.slice(1)],
        [COPY.checkout.heldAsCredit, payment.credit_held?.amount ? formatMoney(payment.credit_held) : null],
      ]),
      table({
        caption: COPY.checkout.howApplied,
        rows: payment.allocations || [],
        empty: "",
        columns: [
          { label: COPY.checkout.invoice, cell: (a) => a.invoice_number },
          { label: COPY.checkout.account, cell: (a) => a.account_number },
          { label: COPY.checkout.applied, cell: (a) => formatMoney(a.amount), numeric: true },
          { label: COPY.checkout.balanceNow, cell: (a) => (a.balance_after ? formatMoney(a.balance_after) : "—"), numeric: true },
        ],
      }),
      h("div", { class: "button-row" }, receipt.receipt_number ? download : null, another, ...(this.links || [])),
      downloadNote,
    );
    confirmation.querySelector("h2").focus();
  }

  async downloadReceipt(receipt, button, note) {
    const restore = busy(button, COPY.checkout.preparing);
    try {
      const url = await this.receiptUrl(receipt);
      if (!url) {
        showAlert(note, { type: "info", slim: true, text: COPY.checkout.receiptLater });
        return;
      }
      saveLink(url, `receipt-${receipt.receipt_number}.pdf`);
      showAlert(note, { type: "success", slim: true, text: COPY.checkout.downloading });
    } catch (error) {
      showApiError(error, { container: note, what: COPY.checkout.theReceipt });
    } finally {
      restore();
    }
  }
}
