// Signing in, signing up and keeping the session's tokens fresh, with no SDK: Cognito's JSON API over fetch.
//
// Shared by the customer portal and the staff console: each app calls configureAuth() once (from its layout
// module) with its Cognito app client (customer or staff pool), where it keeps its session and which audience of
// the local runtime's /local/login it accepts. In AWS every call goes to https://cognito-idp.<region>.amazonaws.com/
// with that app client's id (a public client: no secret). In the local runtime sign-in is its POST /local/login,
// and sign-up, confirmation and refresh go to the Cognito stand-in named by config.json's cognitoEndpoint. Tokens
// live in sessionStorage: they last as long as the tab, and no other site can read them.

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

const MESSAGES = {
  NotAuthorizedException: "The email or password is not right.",
  UserNotFoundException: "The email or password is not right.",
  UserNotConfirmedException: "This account is not confirmed yet. Enter the code we emailed you.",
  UsernameExistsException: "An account with this email already exists. Sign in instead.",
  CodeMismatchException: "That code is not right. Check the email and try again.",
  ExpiredCodeException: "That code has expired. Ask for a new one.",
  LimitExceededException: "Too many attempts. Wait a few minutes and try again.",
  TooManyRequestsException: "Too many attempts. Wait a few minutes and try again.",
  TooManyFailedAttemptsException: "Too many attempts. Wait a few minutes and try again.",
};

async function cognito(action, body) {
  const cfg = await config();
  let response;
  try {
    response = await fetch(cfg.cognitoEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ClientId: appSettings().clientId(cfg), ...body }),
      credentials: "omit",
    });
  } catch {
    throw new AuthError("network", "The sign-in service could not be reached. Check your connection and try again.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type || "").split("#").pop();
    // Cognito's own wording is specific for the password policy and invalid parameters; elsewhere ours is kinder.
    throw new AuthError(type || "cognito_error", MESSAGES[type] || data.message || "Something went wrong. Try again.");
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

/** Sign in; resolves to the session, or to {challenge: "mfa", ...} when the account asks for its TOTP code. */
export async function signIn(email, password) {
  const cfg = await config();
  if (cfg.loginUrl) {
    return localSignIn(cfg, email, password);
  }
  const result = await cognito("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (result.ChallengeName === "SOFTWARE_TOKEN_MFA") {
    return { challenge: "mfa", email, sessionToken: result.Session };
  }
  if (!result.AuthenticationResult) {
    throw new AuthError("unsupported_challenge", "This account needs a sign-in step this page does not offer.");
  }
  return fromCognito(result.AuthenticationResult);
}

/** The second step of an MFA sign-in: the 6-digit code from the authenticator app. */
export async function answerMfa(challenge, code) {
  const result = await cognito("RespondToAuthChallenge", {
    ChallengeName: "SOFTWARE_TOKEN_MFA",
    Session: challenge.sessionToken,
    ChallengeResponses: { USERNAME: challenge.email, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return fromCognito(result.AuthenticationResult);
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
  if (response.status === 401) throw new AuthError("NotAuthorizedException", MESSAGES.NotAuthorizedException);
  if (!response.ok) throw new AuthError("login_failed", data.error?.message || "Sign-in failed. Try again.");
  if (data.audience !== appSettings().audience) {
    throw new AuthError("wrong_audience", appSettings().wrongAudience);
  }
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
