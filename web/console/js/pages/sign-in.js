// Staff sign-in: email + password, then the authenticator code (the staff pool requires MFA in AWS).

import { bindSignIn } from "../../../shared/js/sign-in-form.js";
import { safeNext, startPage } from "../layout.js";

const cfg = await startPage({ title: "Sign in", signedIn: false });
bindSignIn({
  cfg,
  next: () => safeNext(),
  unconfirmed: () => "This staff account is not set up yet. Ask an administrator.",
});
