// The sign-in form both front-ends use: email + password, then the authenticator code when the pool asks for
// one (staff always in AWS; customers who turned MFA on). Each page says where to go next and what to do with
// an account that is not confirmed yet.

import { AuthError, answerMfa, isSignedIn, signIn } from "./auth.js";
import { $, busy, emailRule, needed, showAlert, showFormErrors, validate } from "./ui.js";

/**
 * Wire #sign-in and #mfa. next(): the page to open once signed in; unconfirmed(email): null to handle it
 * (e.g. go and confirm), or the message to show.
 */
export function bindSignIn({ cfg, next, unconfirmed }) {
  const alerts = $("#page-alerts");
  if (isSignedIn()) location.replace(next());
  if (cfg.local) $("#demo-hint").hidden = false;
  if (new URLSearchParams(location.search).has("signed_out")) {
    showAlert(alerts, { type: "success", slim: true, text: "You have signed out." });
  }
  let challenge = null;

  function failed(form, error) {
    let reason = error.message;
    if (error instanceof AuthError && error.code === "UserNotConfirmedException") {
      reason = unconfirmed($("#email").value.trim());
      if (reason === null) return;
    }
    showFormErrors(form, [{ reason }], "You could not be signed in");
  }

  async function attempt(form, label, work) {
    const restore = busy(form.querySelector("button[type=submit]"), label);
    try {
      await work();
    } catch (error) {
      failed(form, error);
    } finally {
      restore();
    }
  }

  $("#sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    alerts.replaceChildren();
    if (!validate(form, [["email", emailRule], ["password", needed("your password")]])) return;
    return attempt(form, "Signing in…", async () => {
      const result = await signIn($("#email").value.trim(), $("#password").value);
      if (!result.challenge) return location.assign(next());
      challenge = result;
      form.hidden = true;
      $("#mfa").hidden = false;
      $("#mfa-code").focus();
    });
  });

  $("#mfa").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const rule = (v) => (/^\d{6}$/.test(v) ? null : "Enter the 6-digit code from your authenticator app.");
    if (!validate(form, [["mfa-code", rule]])) return;
    return attempt(form, "Checking…", async () => {
      await answerMfa(challenge, $("#mfa-code").value.trim());
      location.assign(next());
    });
  });
}
