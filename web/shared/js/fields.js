// The processor's secure payment fields. The card or bank number is typed into the processor's own frame and
// never reaches this page, our API or our storage: the frame hands back {token, brand, last4, method} only.
//
// Only the sandbox processor's fields exist so far (functions/sandbox_api: /sandbox/v1/hosted-fields.js, which
// mounts /sandbox/v1/fields.html in an iframe). Another processor's fields are "not available" until added here.

import { ApiError } from "./api.js";
import { config } from "./config.js";

let loading = null;

function loadSandboxScript(src) {
  if (window.SandboxFields) return Promise.resolve(window.SandboxFields);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => (window.SandboxFields ? resolve(window.SandboxFields) : reject(new Error("no fields")));
      script.onerror = () => reject(new Error("fields unavailable"));
      document.head.append(script);
    }).catch((error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/**
 * Mount the fields in container. kind: "card" | "bank"; wallet: "apple_pay" marks a wallet payment.
 * Resolves to {destroy()}; rejects with a "not_available" ApiError when this processor has no fields here.
 */
export async function mountFields(container, { kind, wallet = null, onToken, onError }) {
  const cfg = await config();
  if (cfg.processor !== "sandbox") {
    throw new ApiError(0, "not_available", `Payments with the ${cfg.processor} processor are not available here yet.`);
  }
  let fields;
  try {
    fields = await loadSandboxScript(`${cfg.apiBase}/sandbox/v1/hosted-fields.js`);
  } catch {
    throw new ApiError(0, "not_available", "The secure payment form is not available.");
  }
  container.replaceChildren();
  const mounted = fields.mount(container, { kind, wallet, onToken, onError });
  const frame = container.querySelector("iframe");
  if (frame) frame.title = kind === "bank" ? "Secure bank account details" : "Secure card details";
  return mounted;
}
