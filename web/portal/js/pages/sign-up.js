// Self sign-up: create the login (Cognito SignUp), confirm it with the emailed code (ConfirmSignUp), sign in, and
// go on to link an account (a new login reaches no records until it proves one is its own).

import { AuthError, confirmSignUp, resendCode, signIn, signUp } from "../../../shared/js/auth.js";
import { COPY } from "../copy.js";
import { startPage } from "../layout.js";
import { $, busy, emailRule, needed, showAlert, showFormErrors, validate } from "../../../shared/js/ui.js";

// The forms are bound before the settings load (not awaited; see shared/js/sign-in-form.js): a submission waits
// for them, and the HTML keeps the submit buttons disabled until this module has bound them.
const ready = startPage({ title: COPY.signUp.title, signedIn: false }).then(() => true, () => false);
const alerts = $("#page-alerts");
let email = new URLSearchParams(location.search).get("confirm") || "";
let password = ""; // kept in memory only, to sign in straight after confirming
// The field each Cognito refusal is about, so its message shows beside that field.
const FIELD_OF = { InvalidPasswordException: "new-password", UsernameExistsException: "email" };

function askForCode(destination) {
  $("#sign-up").hidden = true;
  $("#confirm").hidden = false;
  $("#confirm-intro").textContent = COPY.signUp.codeSent(destination);
  $("#code").focus();
}

const strong = (value) =>
  value.length >= 12 && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value) && /[^A-Za-z0-9]/.test(value)
    ? null
    : COPY.signUp.strong;

$("#sign-up").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const ok = validate(form, [
    ["given-name", needed(COPY.signUp.firstName)],
    ["family-name", needed(COPY.signUp.lastName)],
    ["email", emailRule],
    ["new-password", (_, input) => strong(input.value)],
  ]);
  if (!ok) return;
  const restore = busy(form.querySelector("button[type=submit]"), COPY.signUp.creating);
  try {
    if (!(await ready)) return; // the frame has said why the page could not start
    email = $("#email").value.trim().toLowerCase();
    password = $("#new-password").value;
    const result = await signUp({ email, password, givenName: $("#given-name").value.trim(), familyName: $("#family-name").value.trim() });
    if (result.confirmed) await finish();
    else askForCode(result.destination);
  } catch (error) {
    const field = FIELD_OF[error.code] ?? null;
    showFormErrors(form, [{ field, reason: error.message }], COPY.signUp.notCreated);
  } finally {
    restore();
  }
});

async function finish() {
  if (!password) {
    location.assign("index.html?next=link.html");
    return;
  }
  await signIn(email, password);
  password = "";
  location.assign("link.html?new=1");
}

$("#confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  if (!validate(form, [["code", (v) => (/^\d{6}$/.test(v) ? null : COPY.signUp.sixDigits)]])) return;
  const restore = busy(form.querySelector("button[type=submit]"), COPY.signUp.confirming);
  try {
    if (!(await ready)) return;
    await confirmSignUp(email, $("#code").value.trim());
    await finish();
  } catch (error) {
    showFormErrors(form, [{ field: error instanceof AuthError && /Code/.test(error.code) ? "code" : null, reason: error.message }], COPY.signUp.notConfirmed);
  } finally {
    restore();
  }
});

$("#resend").addEventListener("click", async () => {
  try {
    await resendCode(email);
    showAlert(alerts, { type: "success", slim: true, text: COPY.signUp.newCode(email), focus: true });
  } catch (error) {
    showAlert(alerts, { type: "error", text: error.message, focus: true });
  }
});

for (const button of document.querySelectorAll("#sign-up button[type=submit], #confirm button[type=submit]")) {
  button.disabled = false; // bound: the forms may be sent now
}
if (email) askForCode(email);
