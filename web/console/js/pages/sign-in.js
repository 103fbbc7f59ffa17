// Staff sign-in: email + password, then the authenticator code (the staff pool requires MFA in AWS).

import { bindSignIn } from "../../../shared/js/sign-in-form.js";
import { safeNext, startPage } from "../layout.js";

// Bound before the settings load (not awaited): an early Enter is the form's to handle, never the browser's.
bindSignIn({
  ready: startPage({ title: "Sign in", signedIn: false }),
  next: () => safeNext(),
  unconfirmed: () => "This staff account is not set up yet. Ask an administrator.",
});
