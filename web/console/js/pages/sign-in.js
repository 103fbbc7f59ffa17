// Staff sign-in: email + password, then what Cognito asks: an invited person's first sign-in chooses a password and
// enrols an authenticator app; then the app's code (the staff pool requires MFA with staffMfa).

import { bindSignIn } from "../../../shared/js/sign-in-form.js";
import { COPY } from "../copy.js";
import { safeNext, startPage } from "../layout.js";

// Bound before the settings load (not awaited): an early Enter is the form's to handle, never the browser's.
bindSignIn({
  ready: startPage({ title: COPY.signIn.title, signedIn: false }),
  next: () => safeNext(),
  unconfirmed: () => COPY.signIn.notSetUp,
});
