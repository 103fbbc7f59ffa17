// Self sign-up: create the login (Cognito SignUp), confirm it with the emailed code (ConfirmSignUp), sign in, and
// go on to link an account (a new login reaches no records until it proves one is its own).

import { AuthError, confirmSignUp, resendCode, signIn, signUp } from "../../../shared/js/auth.js";
import { startPage } from "../layout.js";
import { $, busy, emailRule, needed, showAlert, showFormErrors, validate } from "../../../shared/js/ui.js";

// The forms are bound before the settings load (not awaited; see shared/js/sign-in-form.js): a submission waits
// for them, and the HTML keeps the submit buttons disabled until this module has bound them.
const ready = startPage({ title: "Create an account", signedIn: false }).then(() => true, () => false);
const alerts = $("#page-alerts");
let email = new URLSearchParams(location.search).get("confirm") || "";
let password = ""; // kept in memory only, to sign in straight after confirming

function askForCode(destination) {
  $("#sign-up").hidden = true;
  $("#confirm").hidden = false;
  $("#confirm-intro").textContent = `We emailed a confirmation code to ${destination}. Enter it to finish creating your account.`;
  $("#code").focus();
}

const strong = (value) =>
  value.length >= 12 && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value) && /[^A-Za-z0-9]/.test(value)
    ? null
    : "Use at least 12 characters, with an upper-case and a lower-case letter, a number and a symbol.";

$("#sign-up").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const ok = validate(form, [
    ["given-name", needed("your first name")],
    ["family-name", needed("your last name")],
    ["email", emailRule],
    ["new-password", (_, input) => strong(input.value)],
  ]);
  if (!ok) return;
  const restore = busy(form.querySelector("button[type=submit]"), "Creating your account…");
  try {
    if (!(await ready)) return; // the frame has said why the page could not start
    email = $("#email").value.trim().toLowerCase();
    password = $("#new-password").value;
    const result = await signUp({ email, password, givenName: $("#given-name").value.trim(), familyName: $("#family-name").value.trim() });
    if (result.confirmed) await finish();
    else askForCode(result.destination);
  } catch (error) {
    const field = error.code === "InvalidPasswordException" ? "new-password" : error.code === "UsernameExistsException" ? "email" : null;
    showFormErrors(form, [{ field, reason: error.message }], "Your account could not be created");
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
  if (!validate(form, [["code", (v) => (/^\d{6}$/.test(v) ? null : "Enter the 6-digit code from the email.")]])) return;
  const restore = busy(form.querySelector("button[type=submit]"), "Confirming…");
  try {
    if (!(await ready)) return;
    await confirmSignUp(email, $("#code").value.trim());
    await finish();
  } catch (error) {
    showFormErrors(form, [{ field: error instanceof AuthError && error.code.includes("Code") ? "code" : null, reason: error.message }], "Your account is not confirmed yet");
  } finally {
    restore();
  }
});

$("#resend").addEventListener("click", async () => {
  try {
    await resendCode(email);
    showAlert(alerts, { type: "success", slim: true, text: `We sent a new code to ${email}.`, focus: true });
  } catch (error) {
    showAlert(alerts, { type: "error", text: error.message, focus: true });
  }
});

for (const button of document.querySelectorAll("#sign-up button[type=submit], #confirm button[type=submit]")) {
  button.disabled = false; // bound: the forms may be sent now
}
if (email) askForCode(email);
