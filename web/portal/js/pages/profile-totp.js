// The profile's optional sign-in code: turn on a second step at sign-in with an authenticator app (Cognito's
// AssociateSoftwareToken with the access token, VerifySoftwareToken with the app's first code, then
// SetUserMFAPreference), or turn it off. The customer pool's MFA is optional: a customer who turns it on is asked
// for the code at every sign-in (shared/js/sign-in-form.js). Its own module beside profile.js, which builds the rest
// of the page; layout.js (imported by both) has set the app up.

import "../layout.js";
import { beginTotpEnrolment, finishTotpEnrolment, isSignedIn, session, totpEnabled, turnOffTotp } from "../../../shared/js/auth.js";
import { config } from "../../../shared/js/config.js";
import { showTotpSecret } from "../../../shared/js/totp.js";
import { $, busy, h, showAlert, showFormErrors, validate } from "../../../shared/js/ui.js";
import { COPY } from "../copy.js";

const C = COPY.totp;
const area = $("#totp-area");

function failed(form, error) {
  if (form) showFormErrors(form, [{ reason: error.message }], C.notChanged);
  else showAlert(area, { type: "error", heading: C.notChanged, text: error.message, focus: true });
}

function showOff(note = null) {
  const start = h("button", { type: "button", class: "usa-button usa-button--outline", id: "totp-start" }, C.setUp);
  start.addEventListener("click", () => enrol(start));
  area.replaceChildren(note ? noteBox(note) : "", h("p", {}, C.off), start);
}

function showOn(note = null) {
  const stop = h("button", { type: "button", class: "usa-button usa-button--outline", id: "totp-stop" }, C.turnOff);
  stop.addEventListener("click", async () => {
    const restore = busy(stop);
    try {
      await turnOffTotp();
      showOff(C.turnedOff);
      $("#totp-heading").focus();
    } catch (error) {
      restore();
      failed(null, error);
    }
  });
  area.replaceChildren(note ? noteBox(note) : "", h("p", {}, C.on), stop);
}

function noteBox(text) {
  const box = h("div", { class: "usa-alert usa-alert--success usa-alert--slim", role: "status" }, h("div", { class: "usa-alert__body" }, h("p", { class: "usa-alert__text" }, text)));
  return box;
}

async function enrol(button) {
  const restore = busy(button);
  let secret;
  try {
    secret = await beginTotpEnrolment();
  } catch (error) {
    restore();
    return failed(null, error);
  }
  const cfg = await config();
  const secretBox = h("div", {});
  showTotpSecret(secretBox, { issuer: C.issuer(cfg.agencyName), account: session()?.email || "", secret });
  const form = h(
    "form",
    { id: "totp-confirm", class: "usa-form usa-form--large", method: "post", novalidate: true },
    h(
      "div",
      { class: "usa-form-group" },
      h("label", { class: "usa-label", for: "totp-code" }, C.code),
      h("span", { class: "usa-hint", id: "totp-code-hint" }, C.codeHint),
      h("input", { class: "usa-input usa-input--medium", id: "totp-code", name: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", "aria-describedby": "totp-code-hint" }),
    ),
    h("button", { class: "usa-button", type: "submit" }, C.turnOn),
    h("button", { class: "usa-button usa-button--unstyled margin-left-2", type: "button", id: "totp-cancel" }, C.cancel),
  );
  form.querySelector("#totp-cancel").addEventListener("click", () => showOff());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!validate(form, [["totp-code", (v) => (/^\d{6}$/.test(v) ? null : C.needCode)]])) return;
    const done = busy(form.querySelector("button[type=submit]"), C.checking);
    try {
      await finishTotpEnrolment($("#totp-code").value.trim());
      showOn(C.turnedOn);
      $("#totp-heading").focus();
    } catch (error) {
      done();
      failed(form, error);
    }
  });
  area.replaceChildren(h("p", {}, C.scan), secretBox, form);
  $("#totp-code").focus();
}

async function start() {
  await config().catch(() => null);
  if (!isSignedIn()) return; // the page frame sends the person to sign in
  area.replaceChildren(h("p", { class: "loading" }, "…"));
  try {
    if (await totpEnabled()) showOn();
    else showOff();
  } catch (error) {
    area.replaceChildren();
    failed(null, error);
  }
}

await start();
