// A forgotten password: Cognito emails a code to the account's address (ForgotPassword), and the code with a new
// password sets it (ConfirmForgotPassword); then the person signs in with it. Bound before the settings load, as
// the sign-in form is (shared/js/sign-in-form.js): the submit buttons stay disabled until then.

import { confirmForgotPassword, forgotPassword } from "../../../shared/js/auth.js";
import { strongPassword } from "../../../shared/js/sign-in-form.js";
import { $, busy, emailRule, showFormErrors, validate } from "../../../shared/js/ui.js";
import { startPage } from "../layout.js";
import { COPY } from "../copy.js";

const C = COPY.forgotPassword;
const ready = startPage({ title: C.title, signedIn: false }).then(() => true, () => false);
let email = "";

async function attempt(form, label, work) {
  const restore = busy(form.querySelector("button[type=submit]"), label);
  try {
    if (await ready) await work();
  } catch (error) {
    const field = { CodeMismatchException: "code", ExpiredCodeException: "code", InvalidPasswordException: "new-password" }[error.code];
    showFormErrors(form, [{ field, reason: error.message }], C.failed);
  } finally {
    restore();
  }
}

$("#forgot").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!validate(form, [["email", emailRule]])) return;
  return attempt(form, C.sending, async () => {
    email = $("#email").value.trim();
    const destination = await forgotPassword(email);
    form.hidden = true;
    $("#reset").hidden = false;
    $("#reset-intro").textContent = C.sent(destination);
    $("#code").focus();
  });
});

$("#reset").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const rules = [["code", (v) => (/^\d{6}$/.test(v) ? null : C.needCode)], ["new-password", (_, input) => strongPassword(input.value)]];
  if (!validate(form, rules)) return;
  return attempt(form, C.saving, async () => {
    await confirmForgotPassword(email, $("#code").value.trim(), $("#new-password").value);
    location.assign("index.html?password_reset=1");
  });
});

for (const button of document.querySelectorAll("#forgot button[type=submit], #reset button[type=submit]")) button.disabled = false;
