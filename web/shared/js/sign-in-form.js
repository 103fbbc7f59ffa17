// The sign-in form both front-ends use: email + password, then whatever step Cognito asks for first. An invited
// staff member's first sign-in chooses their own password (#new-password) and enrols an authenticator app
// (#mfa-setup: a QR code drawn in the page, the key as text, and the app's first code), forms the console keeps in
// a <template id="first-sign-in"> until they are needed; every later sign-in asks
// for the app's code (#mfa: staff always with staffMfa; customers who turned it on in their profile). Each page
// says where to go next and what to do with an account that is not confirmed yet.
//
// The forms are bound at once, before the page's settings (config.json) have loaded: a submission waits for them
// inside its handler. The HTML keeps every submit button disabled until then, so an Enter pressed while the
// scripts still load submits nothing, and the forms say method="post": the browser never sends the password in
// a URL (its history, a server's access log), whatever happens before this module runs.

import { AuthError, answerMfa, answerNewPassword, beginTotpSetup, finishTotpSetup, isSignedIn, signIn } from "./auth.js";
import { COPY } from "./shared-copy.js";
import { showTotpSecret } from "./totp.js";
import { $, busy, emailRule, needed, showAlert, showFormErrors, validate } from "./ui.js";

const STEPS = ["#sign-in", "#new-password", "#mfa-setup", "#mfa"];
const C = COPY.signIn;
const codeRule = (v) => (/^\d{6}$/.test(v) ? null : C.needCode);

/** The password rule of both pools (infrastructure/constructs/identity.py's _PASSWORD_POLICY), said in words. */
export const PASSWORD_RULE = C.passwordRule;
export const strongPassword = (value) =>
  value.length >= 12 && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value) && /[^A-Za-z0-9]/.test(value)
    ? null
    : PASSWORD_RULE;

/**
 * Wire #sign-in and the steps after it (#new-password, #mfa-setup, #mfa: a page without one of them cannot take
 * that step and says so). ready: the page frame's promise of the normalised config (startPage(), not awaited);
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
    showFormErrors(form, [{ reason }], C.notSignedIn);
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

  function show(step, focus) {
    for (const selector of STEPS) {
      const form = $(selector);
      if (form) form.hidden = selector !== step;
    }
    $(focus).focus();
  }

  // The first sign-in's steps wait in a <template> (#first-sign-in) until Cognito asks for one: until then the page
  // holds one password field, and nothing a screen reader or a password manager could take for it.
  const HANDLERS = {
    "#new-password": (form) => {
      const same = (value) => (value === $("#new-password-1").value.trim() ? null : C.samePassword);
      if (!validate(form, [["new-password-1", strongPassword], ["new-password-2", same]])) return;
      return attempt(form, C.saving, async () => proceed(await answerNewPassword(challenge, $("#new-password-1").value)));
    },
    "#mfa-setup": (form) => {
      if (!validate(form, [["setup-code", codeRule]])) return;
      return attempt(form, C.checking, async () => proceed(await finishTotpSetup(challenge, $("#setup-code").value.trim())));
    },
  };

  /** The step's form, taken from the page's template the first time it is needed (null: this page has none). */
  function stepForm(step) {
    const found = $(step);
    if (found || !HANDLERS[step]) return found;
    const form = $("#first-sign-in")?.content.querySelector(step);
    if (!form) return null;
    $("#mfa").before(form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      return HANDLERS[step](event.currentTarget);
    });
    form.querySelector("button[type=submit]").disabled = false;
    return form;
  }

  /** Where a sign-in goes after each answer: the next page once there are tokens, else the step Cognito asks. */
  async function proceed(result) {
    if (!result.challenge) return location.assign(next());
    challenge = result;
    const step = { new_password: "#new-password", mfa_setup: "#mfa-setup", mfa: "#mfa" }[result.challenge];
    if (!stepForm(step)) throw new AuthError("unsupported_challenge", COPY.auth.unsupportedStep);
    if (result.challenge === "mfa_setup") {
      const cfg = await ready;
      const setup = await beginTotpSetup(result);
      challenge = setup.challenge;
      showTotpSecret($("#totp-secret"), { issuer: cfg.agencyName, account: result.email, secret: setup.secret });
    }
    show(step, { new_password: "#new-password-1", mfa_setup: "#setup-code", mfa: "#mfa-code" }[result.challenge]);
  }

  $("#sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!validate(form, [["email", emailRule], ["password", needed(C.yourPassword)]])) return;
    return attempt(form, C.signingIn, async () => {
      alerts.replaceChildren();
      await proceed(await signIn($("#email").value.trim(), $("#password").value));
    });
  });

  $("#mfa").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!validate(form, [["mfa-code", codeRule]])) return;
    return attempt(form, C.checking, async () => proceed(await answerMfa(challenge, $("#mfa-code").value.trim())));
  });

  // Bound: the forms may be sent now (they were disabled in the HTML until this point).
  for (const button of document.querySelectorAll("#sign-in button[type=submit], #mfa button[type=submit]")) {
    button.disabled = false;
  }

  ready.then(
    (cfg) => {
      if (cfg.local) $("#demo-hint").hidden = false;
      if (new URLSearchParams(location.search).has("signed_out")) {
        showAlert(alerts, { type: "success", slim: true, text: C.signedOut });
      }
      if (new URLSearchParams(location.search).has("password_reset")) {
        showAlert(alerts, { type: "success", slim: true, text: C.passwordChanged });
      }
    },
    () => undefined, // the frame has shown why the page could not start
  );
}
