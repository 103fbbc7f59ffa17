// Signing in, signing up and keeping the session's tokens fresh, with no SDK: Cognito's JSON API over fetch.
//
// Shared by the customer portal and the staff console: each app calls configureAuth() once (from its layout
// module) with its Cognito app client (customer or staff pool), where it keeps its session and which audience of
// the local runtime's /local/login it accepts. In AWS every call goes to https://cognito-idp.<region>.amazonaws.com/
// with that app client's id (a public client: no secret). In the local runtime sign-in is its POST /local/login
// (which tries both pools, so a login of the other kind is told where to go), and everything after it (the
// challenges: new password, authenticator enrolment and codes; sign-up, confirmation, refresh) goes to the Cognito
// stand-in named by config.json's cognitoEndpoint. Tokens live in sessionStorage: they last as long as the tab,
// and no other site can read them.
//
// In parts: auth-cognito.js (the app client, the Cognito call and its refusals in words), auth-session.js (the
// tokens), auth-sign-in.js (signing in and its steps); here, the rest of an account (the authenticator app of a
// signed-in person, signing up, a forgotten password), and every export pages import from auth.

import { AuthError, CODE_MESSAGES, cognito } from "./auth-cognito.js";
import { accessToken } from "./auth-session.js";
import { COPY } from "./shared-copy.js";

export { AuthError, appSettings, configureAuth } from "./auth-cognito.js";
export { accessToken, forget, idToken, isSignedIn, refresh, session, signOut } from "./auth-session.js";
export { answerMfa, answerNewPassword, beginTotpSetup, finishTotpSetup, signIn } from "./auth-sign-in.js";

/** Whether the signed-in person has an authenticator app turned on (Cognito GetUser with the access token). */
export async function totpEnabled() {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", COPY.auth.signInFirst);
  const user = await cognito("GetUser", { AccessToken: token }, { withClient: false });
  return (user.UserMFASettingList || []).includes("SOFTWARE_TOKEN_MFA");
}

/** Optional TOTP for a signed-in person, part 1: a new secret to add to their authenticator app. */
export async function beginTotpEnrolment() {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", COPY.auth.signInFirst);
  return (await cognito("AssociateSoftwareToken", { AccessToken: token }, { withClient: false })).SecretCode;
}

/** Part 2: the app's first code proves it; then every sign-in asks for a code. */
export async function finishTotpEnrolment(code) {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", COPY.auth.signInFirst);
  await cognito(
    "VerifySoftwareToken",
    { AccessToken: token, UserCode: code, FriendlyDeviceName: COPY.auth.deviceName },
    { withClient: false, codes: CODE_MESSAGES },
  );
  await setTotp(token, true);
}

/** Turn the authenticator-app step off again (the person stays signed in). */
export async function turnOffTotp() {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", COPY.auth.signInFirst);
  await setTotp(token, false);
}

function setTotp(token, enabled) {
  return cognito(
    "SetUserMFAPreference",
    { AccessToken: token, SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled } },
    { withClient: false },
  );
}

export async function signUp({ email, password, givenName, familyName }) {
  const attributes = [{ Name: "email", Value: email }];
  if (givenName) attributes.push({ Name: "given_name", Value: givenName });
  if (familyName) attributes.push({ Name: "family_name", Value: familyName });
  const result = await cognito("SignUp", { Username: email, Password: password, UserAttributes: attributes });
  return { confirmed: result.UserConfirmed === true, destination: result.CodeDeliveryDetails?.Destination || email };
}

export function confirmSignUp(email, code) {
  return cognito("ConfirmSignUp", { Username: email, ConfirmationCode: code });
}

export function resendCode(email) {
  return cognito("ResendConfirmationCode", { Username: email });
}

/** Forgotten password, part 1: Cognito emails a code to the account's address (and says nothing of an address
 *  it does not know: the pool prevents user-existence errors). */
export async function forgotPassword(email) {
  const result = await cognito("ForgotPassword", { Username: email });
  return result.CodeDeliveryDetails?.Destination || email;
}

/** Part 2: the emailed code and the new password. */
export function confirmForgotPassword(email, code, password) {
  return cognito("ConfirmForgotPassword", { Username: email, ConfirmationCode: code, Password: password });
}
