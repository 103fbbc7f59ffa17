// Staff sign-in: email + password, then the authenticator code (the staff pool requires MFA in AWS).

import { AuthError, answerMfa, isSignedIn, signIn } from "../../../shared/js/auth.js";
import { $, busy, emailRule, needed, showAlert, showFormErrors, validate } from "../../../shared/js/ui.js";
import { safeNext, startPage } from "../layout.js";

const cfg = await startPage({ title: "Sign in", signedIn: false });
const alerts = $("#page-alerts");
if (isSignedIn()) location.replace(safeNext());
if (cfg.local) $("#demo-hint").hidden = false;
if (new URLSearchParams(location.search).has("signed_out")) {
  showAlert(alerts, { type: "success", slim: true, text: "You have signed out." });
}

let challenge = null;

function failed(form, error) {
  const reason =
    error instanceof AuthError && error.code === "UserNotConfirmedException"
      ? "This staff account is not set up yet. Ask an administrator."
      : error.message;
  showFormErrors(form, [{ reason }], "You could not be signed in");
}

$("#sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  alerts.replaceChildren();
  if (!validate(form, [["email", emailRule], ["password", needed("your password")]])) return;
  const restore = busy(form.querySelector("button[type=submit]"), "Signing in…");
  try {
    const result = await signIn($("#email").value.trim(), $("#password").value);
    if (result.challenge) {
      challenge = result;
      form.hidden = true;
      $("#mfa").hidden = false;
      $("#mfa-code").focus();
      return;
    }
    location.assign(safeNext());
  } catch (error) {
    failed(form, error);
  } finally {
    restore();
  }
});

$("#mfa").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const rule = (v) => (/^\d{6}$/.test(v) ? null : "Enter the 6-digit code from your authenticator app.");
  if (!validate(form, [["mfa-code", rule]])) return;
  const restore = busy(form.querySelector("button[type=submit]"), "Checking…");
  try {
    await answerMfa(challenge, $("#mfa-code").value.trim());
    location.assign(safeNext());
  } catch (error) {
    failed(form, error);
  } finally {
    restore();
  }
});
