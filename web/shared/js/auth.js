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

import { config } from "./config.js";

const REFRESH_MARGIN_MS = 60_000; // refresh a token that has less than a minute left

let app = null;

/**
 * Which app this page belongs to. name: "portal" | "console"; clientId(cfg): its app client's id; audience: the
 * /local/login audience it accepts ("customer" | "staff"); wrongAudience: what a login of the other kind is told;
 * redirects: {errorCode: page} for API errors that send the person to a page (the portal's account linking).
 */
export function configureAuth(settings) {
  app = Object.freeze({ redirects: {}, ...settings, store: `arportal.${settings.name}.session` });
}

export function appSettings() {
  if (!app) throw new Error("configureAuth() was not called: import the app's layout module first");
  return app;
}

export class AuthError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const LOCKED = "Too many wrong attempts, so this account is locked for a while. Wait 15 minutes, then try again.";

const MESSAGES = {
  NotAuthorizedException: "The email or password is not right.",
  UserNotFoundException: "The email or password is not right.",
  UserNotConfirmedException: "This account is not confirmed yet. Enter the code we emailed you.",
  UsernameExistsException: "An account with this email already exists. Sign in instead.",
  CodeMismatchException: "That code is not right. Check the email and try again.",
  ExpiredCodeException: "That code has expired. Ask for a new one.",
  LimitExceededException: "Too many attempts. Wait a few minutes and try again.",
  TooManyRequestsException: "Too many attempts. Wait a few minutes and try again.",
  TooManyFailedAttemptsException: LOCKED,
  PasswordAttemptsExceeded: LOCKED,
  InvalidPasswordException: "Choose a password of at least 12 characters, with an upper-case and a lower-case letter, a number and a symbol.",
};

// What a wrong or stale answer to an authenticator-code step means (an emailed code is another matter).
const CODE_MESSAGES = {
  CodeMismatchException: "That code is not right. Enter the 6-digit code your authenticator app shows now.",
  EnableSoftwareTokenMFAException: "That code is not right. Enter the 6-digit code your authenticator app shows now.",
  NotAuthorizedException: "This sign-in has taken too long. Start again with your email and password.",
  ExpiredCodeException: "That code has expired. Enter the code your authenticator app shows now.",
};

/** The plain message for a Cognito error: Cognito says "Password attempts exceeded" with NotAuthorizedException. */
function messageFor(type, message, codes) {
  if (/attempts exceeded/i.test(message || "")) return { type: "PasswordAttemptsExceeded", text: LOCKED };
  return { type, text: (codes && codes[type]) || MESSAGES[type] || message || "Something went wrong. Try again." };
}

/** One Cognito call. withClient: the operations keyed by app client (not by a session or access token alone);
 *  codes: messages for the errors of an authenticator-code step. */
async function cognito(action, body, { withClient = true, codes = null } = {}) {
  const cfg = await config();
  let response;
  try {
    response = await fetch(cfg.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(withClient ? { ClientId: appSettings().clientId(cfg), ...body } : body),
      credentials: "omit",
    });
  } catch {
    throw new AuthError("network", "The sign-in service could not be reached. Check your connection and try again.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { type, text } = messageFor(String(data.__type || "").split("#").pop() || "cognito_error", data.message, codes);
    throw new AuthError(type, text);
  }
  return data;
}

function claimsOf(jwt) {
  const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = decodeURIComponent(
    Array.from(atob(payload), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
  );
  return JSON.parse(json);
}

function save(tokens, previous = null) {
  const claims = claimsOf(tokens.idToken);
  const session = {
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken || previous?.refreshToken || "",
    expiresAt: claims.exp * 1000,
    // How far this device's clock is ahead of the token issuer's (Cognito's), measured as the token arrives: its
    // "iat" is the issuer's now. A device clock hours off (or a test browser on another day) then neither
    // refreshes before every call nor keeps a token past its end (the seconds in transit do not matter).
    clockSkew: Number.isFinite(claims.iat) ? Date.now() - claims.iat * 1000 : 0,
    email: claims.email || previous?.email || "",
    name: claims.name || [claims.given_name, claims.family_name].filter(Boolean).join(" "),
    customerId: claims["custom:customer_id"] || "",
    groups: groupsOf(claims["cognito:groups"]),
  };
  sessionStorage.setItem(appSettings().store, JSON.stringify(session));
  return session;
}

/** Cognito puts the groups in the ID token as a list (the local stand-in may send "a,b" or "[a b]"). */
function groupsOf(raw) {
  if (Array.isArray(raw)) return raw.map(String);
  return String(raw || "")
    .replace(/^\[|\]$/g, "")
    .split(/[,\s]+/)
    .filter(Boolean);
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(appSettings().store) || "null");
  } catch {
    return null;
  }
}

export function isSignedIn() {
  return session() !== null;
}

/**
 * Sign in; resolves to the session, or to the step Cognito asks for first: {challenge, email, sessionToken} with
 * challenge "new_password" (an invited staff member's temporary password), "mfa_setup" (enrol an authenticator
 * app) or "mfa" (the code from it).
 */
export async function signIn(email, password) {
  const cfg = await config();
  if (cfg.loginUrl) {
    return localSignIn(cfg, email, password);
  }
  const result = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return nextStep(email, result);
}

const CHALLENGES = { NEW_PASSWORD_REQUIRED: "new_password", MFA_SETUP: "mfa_setup", SOFTWARE_TOKEN_MFA: "mfa" };

function nextStep(email, result) {
  if (result.AuthenticationResult) return fromCognito(result.AuthenticationResult);
  const challenge = CHALLENGES[result.ChallengeName];
  if (!challenge) {
    throw new AuthError("unsupported_challenge", "This account needs a sign-in step this page does not offer.");
  }
  return { challenge, email, sessionToken: result.Session };
}

/** The second step of an MFA sign-in: the 6-digit code from the authenticator app. */
export async function answerMfa(challenge, code) {
  const result = await cognito(
    "RespondToAuthChallenge",
    {
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: challenge.sessionToken,
      ChallengeResponses: { USERNAME: challenge.email, SOFTWARE_TOKEN_MFA_CODE: code },
    },
    { codes: CODE_MESSAGES },
  );
  return nextStep(challenge.email, result);
}

/** First sign-in with a temporary password: the person's own password; then the next step (often mfa_setup). */
export async function answerNewPassword(challenge, newPassword) {
  const result = await cognito(
    "RespondToAuthChallenge",
    {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.sessionToken,
      ChallengeResponses: { USERNAME: challenge.email, NEW_PASSWORD: newPassword },
    },
    { codes: { NotAuthorizedException: CODE_MESSAGES.NotAuthorizedException } },
  );
  return nextStep(challenge.email, result);
}

/** MFA_SETUP, part 1: a new authenticator secret for this sign-in; resolves to {secret, challenge} (the challenge
 *  carries the session Cognito gave with the secret). */
export async function beginTotpSetup(challenge) {
  const result = await cognito(
    "AssociateSoftwareToken",
    { Session: challenge.sessionToken },
    { withClient: false, codes: CODE_MESSAGES },
  );
  return { secret: result.SecretCode, challenge: { ...challenge, sessionToken: result.Session || challenge.sessionToken } };
}

/** MFA_SETUP, part 2: the first code from the app proves it holds the secret; then the sign-in completes. */
export async function finishTotpSetup(challenge, code) {
  const verified = await cognito(
    "VerifySoftwareToken",
    { Session: challenge.sessionToken, UserCode: code, FriendlyDeviceName: "Authenticator app" },
    { withClient: false, codes: CODE_MESSAGES },
  );
  const result = await cognito(
    "RespondToAuthChallenge",
    { ChallengeName: "MFA_SETUP", Session: verified.Session, ChallengeResponses: { USERNAME: challenge.email } },
    { codes: CODE_MESSAGES },
  );
  return nextStep(challenge.email, result);
}

/** Whether the signed-in person has an authenticator app turned on (Cognito GetUser with the access token). */
export async function totpEnabled() {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", "Sign in to continue.");
  const user = await cognito("GetUser", { AccessToken: token }, { withClient: false });
  return (user.UserMFASettingList || []).includes("SOFTWARE_TOKEN_MFA");
}

/** Optional TOTP for a signed-in person, part 1: a new secret to add to their authenticator app. */
export async function beginTotpEnrolment() {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", "Sign in to continue.");
  return (await cognito("AssociateSoftwareToken", { AccessToken: token }, { withClient: false })).SecretCode;
}

/** Part 2: the app's first code proves it; then every sign-in asks for a code. */
export async function finishTotpEnrolment(code) {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", "Sign in to continue.");
  await cognito(
    "VerifySoftwareToken",
    { AccessToken: token, UserCode: code, FriendlyDeviceName: "Authenticator app" },
    { withClient: false, codes: CODE_MESSAGES },
  );
  await setTotp(token, true);
}

/** Turn the authenticator-app step off again (the person stays signed in). */
export async function turnOffTotp() {
  const token = await accessToken();
  if (!token) throw new AuthError("signed_out", "Sign in to continue.");
  await setTotp(token, false);
}

function setTotp(token, enabled) {
  return cognito(
    "SetUserMFAPreference",
    { AccessToken: token, SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled } },
    { withClient: false },
  );
}

async function localSignIn(cfg, email, password) {
  let response;
  try {
    response = await fetch(cfg.apiBase + cfg.loginUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: email, password }),
    });
  } catch {
    throw new AuthError("network", "The sign-in service could not be reached. Check your connection and try again.");
  }
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && data.error?.code === "password_attempts_exceeded") {
    throw new AuthError("PasswordAttemptsExceeded", LOCKED);
  }
  if (response.status === 401) throw new AuthError("NotAuthorizedException", MESSAGES.NotAuthorizedException);
  if (!response.ok) throw new AuthError("login_failed", data.error?.message || "Sign-in failed. Try again.");
  if (data.audience !== appSettings().audience) {
    throw new AuthError("wrong_audience", appSettings().wrongAudience);
  }
  // A challenge is answered on the Cognito stand-in with this app's client, as in AWS.
  if (data.challenge) return nextStep(email, { ChallengeName: data.challenge, Session: data.session });
  return save({ idToken: data.id_token, accessToken: data.access_token, refreshToken: data.refresh_token });
}

function fromCognito(result) {
  return save({ idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken });
}

let refreshing = null;

/** New tokens from the refresh token (after linking an account the new ID token carries the customer id). */
export function refresh() {
  if (!refreshing) {
    const current = session();
    refreshing = (async () => {
      if (!current?.refreshToken) throw new AuthError("signed_out", "Sign in to continue.");
      const result = await cognito("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: current.refreshToken },
      });
      return save(
        {
          idToken: result.AuthenticationResult.IdToken,
          accessToken: result.AuthenticationResult.AccessToken,
          refreshToken: result.AuthenticationResult.RefreshToken,
        },
        current,
      );
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/** A valid token of the session ("idToken" or "accessToken"), refreshed when it is about to expire (both are
 *  issued together, for as long); null when signed out. */
async function freshToken(kind) {
  const current = session();
  if (!current) return null;
  const issuerNow = Date.now() - (current.clockSkew || 0);
  if (current.expiresAt - issuerNow > REFRESH_MARGIN_MS && current[kind]) return current[kind];
  try {
    return (await refresh())[kind] || null;
  } catch {
    forget();
    return null;
  }
}

/** A valid ID token for the API (the portal's and the console's routes); null when signed out. */
export function idToken() {
  return freshToken("idToken");
}

/** A valid access token: the routes an administrator shares with connected systems (webhook endpoints) take only
 *  access tokens, as API Gateway's authorizer with scopes does. */
export function accessToken() {
  return freshToken("accessToken");
}

/** Drop the tokens only (an expired session): a checkout in progress survives signing in again. */
export function forget() {
  sessionStorage.removeItem(appSettings().store);
}

/** Sign out of this tab (everything it kept goes: the computer may be shared), and revoke the refresh token so
 *  a copy of it is worthless (best effort). */
export async function signOut() {
  const current = session();
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("arportal.")) sessionStorage.removeItem(key);
  }
  if (current?.refreshToken) {
    await cognito("RevokeToken", { Token: current.refreshToken }).catch(() => undefined);
  }
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
