// The session's tokens (auth.js describes the whole): kept in sessionStorage under the app's key, refreshed before
// they expire, dropped on sign-out.

import { AuthError, appSettings, cognito } from "./auth-cognito.js";
import { COPY } from "./shared-copy.js";

const REFRESH_MARGIN_MS = 60_000; // refresh a token that has less than a minute left

function claimsOf(jwt) {
  const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const json = decodeURIComponent(
    Array.from(atob(payload), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
  );
  return JSON.parse(json);
}

/** Keep new tokens as the session (previous: the session they refresh, whose refresh token and email stay). */
export function save(tokens, previous = null) {
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

let refreshing = null;

/** New tokens from the refresh token (after linking an account the new ID token carries the customer id). */
export function refresh() {
  if (!refreshing) {
    const current = session();
    refreshing = (async () => {
      if (!current?.refreshToken) throw new AuthError("signed_out", COPY.auth.signInFirst);
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
