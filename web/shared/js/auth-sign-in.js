// Signing in and the steps Cognito may ask for first (auth.js describes the whole): a new password, enrolling an
// authenticator app, the app's code.

import { AuthError, CODE_MESSAGES, MESSAGES, appSettings, cognito } from "./auth-cognito.js";
import { save } from "./auth-session.js";
import { config } from "./config.js";
import { COPY } from "./shared-copy.js";

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
    throw new AuthError("unsupported_challenge", COPY.auth.unsupportedStep);
  }
  return { challenge, email, sessionToken: result.Session };
}

/** Answer the challenge Cognito set with ``responses`` (besides the username); then the next step. */
async function respond(challenge, name, responses, codes) {
  const result = await cognito(
    "RespondToAuthChallenge",
    {
      ChallengeName: name,
      Session: challenge.sessionToken,
      ChallengeResponses: { USERNAME: challenge.email, ...responses },
    },
    { codes },
  );
  return nextStep(challenge.email, result);
}

/** The second step of an MFA sign-in: the 6-digit code from the authenticator app. */
export function answerMfa(challenge, code) {
  return respond(challenge, "SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: code }, CODE_MESSAGES);
}

/** First sign-in with a temporary password: the person's own password; then the next step (often mfa_setup). */
export function answerNewPassword(challenge, newPassword) {
  const codes = { NotAuthorizedException: CODE_MESSAGES.NotAuthorizedException };
  return respond(challenge, "NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: newPassword }, codes);
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
    { Session: challenge.sessionToken, UserCode: code, FriendlyDeviceName: COPY.auth.deviceName },
    { withClient: false, codes: CODE_MESSAGES },
  );
  const result = await cognito(
    "RespondToAuthChallenge",
    { ChallengeName: "MFA_SETUP", Session: verified.Session, ChallengeResponses: { USERNAME: challenge.email } },
    { codes: CODE_MESSAGES },
  );
  return nextStep(challenge.email, result);
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
    throw new AuthError("network", COPY.auth.unreachable);
  }
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && data.error?.code === "password_attempts_exceeded") {
    throw new AuthError("PasswordAttemptsExceeded", COPY.auth.locked);
  }
  if (response.status === 401) throw new AuthError("NotAuthorizedException", MESSAGES.NotAuthorizedException);
  if (!response.ok) throw new AuthError("login_failed", data.error?.message || COPY.auth.loginFailed);
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
