// Stripe's Payment Element as this product's secure payment fields (fields.js picks it when processor is "stripe").
//
// The card or bank number is typed into Stripe's own frames (served by js.stripe.com) and never reaches this page:
// on "Use these details" the element is checked (elements.submit()) and turned into a ConfirmationToken
// (stripe.createConfirmationToken), whose id, brand and last four digits are all this page passes on, with the same
// {token, brand, last4, method} the sandbox's fields hand back. The server creates and confirms the PaymentIntent
// with it (arportal/adapters/stripe_processor.py). When the card's bank asks the payer to confirm (3-D Secure), the
// server answers 402 action_required with the intent's client secret, and handleAction() lets Stripe.js show the
// bank's challenge; the page then sends the same payment again, with the same Idempotency-Key, to finish it.
//
// Saving a method for later (the profile page: no amount) mounts the element in setup mode; the ConfirmationToken it
// makes is sent to the save route, where the server confirms a SetupIntent with it for the customer's Stripe
// Customer (arportal/adapters/stripe_saved_methods.py). A bank's confirmation is handled as for a payment.
//
// Stripe.js is loaded from config.stripeJsUrl (https://js.stripe.com/v3/ unless the local runtime's tests point it
// at their double of it) and cannot be pinned with SRI: Stripe changes it in place (docs/payment-page-scripts.md).

import { ApiError } from "./api.js";
import { COPY } from "./shared-copy.js";

export const STRIPE_JS_URL = "https://js.stripe.com/v3/";
const LOAD_TIMEOUT_MS = 15000;

let loading = null;
let client = null;

function loadStripeJs(url) {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      // Codes, not words: stripeFor() says what the person reads.
      const timer = setTimeout(() => reject(new Error("stripe_js_timeout")), LOAD_TIMEOUT_MS);
      script.onload = () => {
        clearTimeout(timer);
        return window.Stripe ? resolve(window.Stripe) : reject(new Error("stripe_js_missing"));
      };
      script.onerror = () => {
        clearTimeout(timer);
        reject(new Error("stripe_js_not_loaded"));
      };
      document.head.append(script);
    }).catch((error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

async function stripeFor(cfg) {
  if (!cfg.stripePublishableKey) {
    throw new ApiError(0, "not_available", COPY.stripe.notSetUp);
  }
  let Stripe;
  try {
    Stripe = await loadStripeJs(cfg.stripeJsUrl || STRIPE_JS_URL);
  } catch {
    throw new ApiError(0, "not_available", COPY.stripe.notAvailable);
  }
  client ??= Stripe(cfg.stripePublishableKey);
  return client;
}

function methodOf(preview) {
  if (preview?.type === "us_bank_account") return { method: "ach", last4: preview.us_bank_account?.last4 };
  const card = preview?.card || {};
  const method = card.wallet ? "wallet" : card.funding === "debit" ? "debit" : "card";
  return { method, brand: card.brand, last4: card.last4 };
}

/**
 * Mount the Payment Element in container for a payment of amount (minor units) in currency, or, with no amount,
 * to save a method for later payments (setup mode). kind: "card" | "bank". Resolves to {submit(), destroy()}.
 */
export async function mountStripeFields(cfg, container, { kind, amount, currency, onToken, onError }) {
  const saving = amount === undefined || amount === null;
  if (!saving && (!Number.isInteger(amount) || amount < 0)) {
    throw new ApiError(0, "not_available", COPY.stripe.badAmount);
  }
  const stripe = await stripeFor(cfg);
  const elements = stripe.elements({
    // What is charged is the server's (amount and fee); this only shapes what the element offers. An empty
    // cart (the console's, before a line is added) still needs an amount above zero.
    ...(saving ? { mode: "setup" } : { mode: "payment", amount: Math.max(amount, 1) }),
    currency: (currency || cfg.currency).toLowerCase(),
    paymentMethodCreation: "manual",
    paymentMethodTypes: kind === "bank" ? ["us_bank_account"] : ["card"],
  });
  const element = elements.create("payment", { layout: "tabs" });
  const slot = document.createElement("div");
  slot.className = "stripe-payment-element";
  const problem = document.createElement("div");
  problem.setAttribute("role", "alert");
  problem.className = "usa-error-message";
  const use = document.createElement("button");
  use.type = "button";
  use.className = "usa-button margin-top-2";
  use.id = "use-details";
  use.textContent = (saving ? COPY.stripe.save : COPY.stripe.use)[kind === "bank" ? "bank" : "card"];
  container.replaceChildren(slot, problem, use);
  element.mount(slot);
  element.on("change", (event) => {
    if (event.error) problem.textContent = event.error.message;
    else problem.textContent = "";
  });

  const fail = (error) => {
    problem.textContent = error?.message || COPY.stripe.checkDetails;
    onError?.({ code: error?.code || "invalid_details", message: problem.textContent });
  };
  let sending = false;
  async function submit() {
    if (sending) return;
    sending = true;
    use.disabled = true;
    try {
      const checked = await elements.submit();
      if (checked.error) return fail(checked.error);
      const made = await stripe.createConfirmationToken({ elements });
      if (made.error) return fail(made.error);
      const token = made.confirmationToken;
      onToken({ token: token.id, ...methodOf(token.payment_method_preview) });
    } catch (error) {
      fail(error);
    } finally {
      sending = false;
      use.disabled = false;
    }
  }
  use.addEventListener("click", submit);
  return {
    submit,
    destroy() {
      element.destroy();
      container.replaceChildren();
    },
  };
}

/**
 * The bank's own confirmation (3-D Secure) of a payment (or a saved method) the server answered with 402 action_required: Stripe.js
 * shows it. Resolves either way; the page then sends the payment again with the same Idempotency-Key, and the
 * server reads from Stripe how it ended.
 */
export async function handleStripeAction(cfg, clientSecret) {
  const stripe = await stripeFor(cfg);
  const outcome = await stripe.handleNextAction({ clientSecret });
  return { completed: !outcome.error, message: outcome.error?.message || null };
}
