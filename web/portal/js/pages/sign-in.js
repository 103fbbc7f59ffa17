// Sign in (email + password, then the authenticator code when the account has MFA).

import { bindSignIn } from "../../../shared/js/sign-in-form.js";
import { COPY } from "../copy.js";
import { safeNext, startPage } from "../layout.js";

// Bound before the settings load (not awaited): an early Enter is the form's to handle, never the browser's.
bindSignIn({
  ready: startPage({ title: COPY.signIn.title, signedIn: false }),
  next: () => safeNext(),
  unconfirmed: (email) => {
    location.assign(`signup.html?confirm=${encodeURIComponent(email)}`);
    return null;
  },
});
