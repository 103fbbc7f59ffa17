// The processor's secure payment fields. The card or bank number is typed into the processor's own frame and
// never reaches this page, our API or our storage: the frame hands back {token, brand, last4, method} only.
//
// Two processors have fields: the sandbox's (functions/sandbox_api: /sandbox/v1/hosted-fields.js, which mounts
// /sandbox/v1/fields.html in an iframe) and Stripe's Payment Element (stripe-fields.js).

import { ApiError } from "./api.js";
import { config } from "./config.js";
import { COPY } from "./shared-copy.js";
import { handleStripeAction, mountStripeFields } from "./stripe-fields.js";

let loading = null;

function loadSandboxScript(src) {
  if (window.SandboxFields) return Promise.resolve(window.SandboxFields);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      // Codes, not words: mountFields() says what the person reads.
      script.onload = () => (window.SandboxFields ? resolve(window.SandboxFields) : reject(new Error("fields_missing")));
      script.onerror = () => reject(new Error("fields_not_loaded"));
      document.head.append(script);
    }).catch((error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/**
 * Mount the fields in container. kind: "card" | "bank"; wallet: "apple_pay" marks a wallet payment (sandbox);
 * amount (minor units) and currency: what is about to be paid (Stripe's element needs them; none when saving).
 * Resolves to {destroy()}; rejects with a "not_available" ApiError when this processor has no fields here.
 */
export async function mountFields(container, { kind, wallet = null, amount, currency, onToken, onError }) {
  const cfg = await config();
  if (cfg.processor === "stripe") {
    return mountStripeFields(cfg, container, { kind, amount, currency, onToken, onError });
  }
  if (cfg.processor !== "sandbox") {
    throw new ApiError(0, "not_available", COPY.fields.processorNotAvailable(cfg.processor));
  }
  let fields;
  try {
    fields = await loadSandboxScript(`${cfg.apiBase}/sandbox/v1/hosted-fields.js`);
  } catch {
    throw new ApiError(0, "not_available", COPY.fields.notAvailable);
  }
  container.replaceChildren();
  const mounted = fields.mount(container, { kind, wallet, onToken, onError });
  const frame = container.querySelector("iframe");
  if (frame) frame.title = kind === "bank" ? COPY.fields.bankFrame : COPY.fields.cardFrame;
  return mounted;
}

/**
 * The payer's own step that a 402 action_required asks for (details: {next_action, client_secret}), such as the
 * card's bank confirming the payment. Resolves to {completed, message}; the caller then sends the same payment
 * again with the same Idempotency-Key, and the server says how it ended.
 */
export async function completeAction(details) {
  const cfg = await config();
  if (cfg.processor !== "stripe" || !details?.client_secret) {
    return { completed: false, message: COPY.fields.stepNotPossible };
  }
  return handleStripeAction(cfg, details.client_secret);
}
