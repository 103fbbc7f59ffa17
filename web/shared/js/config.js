// The runtime settings of this deployment, read once from /config.json (the portal and the console alike).
//
// Two writers produce that file with different shapes: CDK at deploy time (infrastructure/stack.py: apiUrl,
// customer.clientId, staff.clientId, ...) and the local runtime (local/gateway.py: apiBase, customerClientId,
// staffClientId, cognitoEndpoint, loginUrl, local: true). Everything else reads the one normalised shape here.

import { setTimeZone } from "./money.js";
import { COPY } from "./shared-copy.js";

let loaded = null;

export function normalise(raw) {
  const region = raw.region || "us-east-1";
  const api = raw.apiBase ?? raw.apiUrl ?? "";
  return Object.freeze({
    local: raw.local === true,
    apiBase: api.replace(/\/+$/, ""),
    region,
    agencyName: raw.agencyName || COPY.config.agencyName,
    currency: raw.currency || "USD",
    // The agency's IANA zone: every time a person reads is shown in it (storage and the API stay UTC)
    timeZone: raw.timeZone || "UTC",
    processor: raw.processor || "sandbox",
    // Stripe only: the publishable key (pk_...) and where Stripe.js comes from (its tests point it at a double).
    stripePublishableKey: raw.stripePublishableKey || "",
    stripeJsUrl: raw.stripeJsUrl || "https://js.stripe.com/v3/",
    logoUrl: raw.logoUrl || "",
    customerClientId: raw.customerClientId || raw.customer?.clientId || "",
    staffClientId: raw.staffClientId || raw.staff?.clientId || "",
    cognitoEndpoint: (raw.cognitoEndpoint || `https://cognito-idp.${region}.amazonaws.com`).replace(/\/+$/, "") + "/",
    // The local runtime's stand-in for Cognito's sign-in; absent in AWS.
    loginUrl: raw.loginUrl || "",
  });
}

export function config() {
  if (!loaded) {
    loaded = fetch("/config.json", { credentials: "same-origin", cache: "no-cache" })
      .then((response) => {
        if (!response.ok) throw new Error(COPY.config.notLoaded);
        return response.json();
      })
      .then(normalise)
      .then((settings) => {
        setTimeZone(settings.timeZone);
        return settings;
      })
      .catch((error) => {
        loaded = null; // a later call may succeed once the network is back
        throw error;
      });
  }
  return loaded;
}
