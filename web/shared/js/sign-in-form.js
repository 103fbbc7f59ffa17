// The sign-in form both front-ends use: email + password, then the authenticator code when the pool asks for
// one (staff always in AWS; customers who turned MFA on). Each page says where to go next and what to do with
// an account that is not confirmed yet.
//
// The forms are bound at once, before the page's settings (config.json) have loaded: a submission waits for them
// inside its handler. The HTML keeps both submit buttons disabled until then, so an Enter pressed while the
// scripts still load submits nothing, and the forms say method="post": the browser never sends the password in
// a URL (its history, a server's access log), whatever happens before this module runs.

import { AuthError, answerMfa, isSignedIn, signIn } from "./auth.js";
import { $, busy, emailRule, needed, showAlert, showFormErrors, validate } from "./ui.js";

/**
 * Wire #sign-in and #mfa. ready: the page frame's promise of the normalised config (startPage(), not awaited);
 * next(): the page to open once signed in; unconfirmed(email): null to handle it (e.g. go and confirm), or the
 * message to show.
 */
export function bindSignIn({ ready, next, unconfirmed }) {
  const alerts = $("#page-alerts");
  if (isSignedIn()) location.replace(next());
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
      // The page's settings first: when they cannot load, the frame has already said so, and there is no one to
      // send the password to.
      if (!(await ready.then(() => true, () => false))) return;
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
    if (!validate(form, [["email", emailRule], ["password", needed("your password")]])) return;
    return attempt(form, "Signing in…", async () => {
      alerts.replaceChildren();
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

  // Bound: the forms may be sent now (they were disabled in the HTML until this point).
  for (const button of document.querySelectorAll("#sign-in button[type=submit], #mfa button[type=submit]")) {
    button.disabled = false;
  }

  ready.then(
    (cfg) => {
      if (cfg.local) $("#demo-hint").hidden = false;
      if (new URLSearchParams(location.search).has("signed_out")) {
        showAlert(alerts, { type: "success", slim: true, text: "You have signed out." });
      }
    },
    () => undefined, // the frame has shown why the page could not start
  );
}
