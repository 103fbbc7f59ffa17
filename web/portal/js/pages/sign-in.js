// Sign in (email + password, then the authenticator code when the account has MFA).

import { bindSignIn } from "../../../shared/js/sign-in-form.js";
import { safeNext, startPage } from "../layout.js";

const cfg = await startPage({ title: "Sign in", signedIn: false });
bindSignIn({
  cfg,
  next: () => safeNext(),
  unconfirmed: (email) => {
    location.assign(`signup.html?confirm=${encodeURIComponent(email)}`);
    return null;
  },
});
