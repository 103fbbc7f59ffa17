// Cognito's JSON API over fetch, for the app client this page belongs to (auth.js describes the whole): which app
// that is, the one call every step of auth makes, and what Cognito's refusals mean in words.

import { config } from "./config.js";
import { COPY } from "./shared-copy.js";

const C = COPY.auth;

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
  // A bug, not something a person can fix: the page imported auth before its layout module, which configures it.
  if (!app) throw new Error("auth_not_configured");
  return app;
}

export class AuthError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export const MESSAGES = {
  NotAuthorizedException: C.wrongLogin,
  UserNotFoundException: C.wrongLogin,
  UserNotConfirmedException: C.notConfirmed,
  UsernameExistsException: C.exists,
  CodeMismatchException: C.emailCodeWrong,
  ExpiredCodeException: C.emailCodeExpired,
  LimitExceededException: C.tooMany,
  TooManyRequestsException: C.tooMany,
  TooManyFailedAttemptsException: C.locked,
  PasswordAttemptsExceeded: C.locked,
  InvalidPasswordException: C.weakPassword,
};

// What a wrong or stale answer to an authenticator-code step means (an emailed code is another matter).
export const CODE_MESSAGES = {
  CodeMismatchException: C.appCodeWrong,
  EnableSoftwareTokenMFAException: C.appCodeWrong,
  NotAuthorizedException: C.tooLong,
  ExpiredCodeException: C.appCodeExpired,
};

/** The plain message for a Cognito error: Cognito says "Password attempts exceeded" with NotAuthorizedException. */
function messageFor(type, message, codes) {
  if (/attempts exceeded/i.test(message || "")) return { type: "PasswordAttemptsExceeded", text: C.locked };
  return { type, text: (codes && codes[type]) || MESSAGES[type] || message || C.wentWrong };
}

/** One Cognito call. withClient: the operations keyed by app client (not by a session or access token alone);
 *  codes: messages for the errors of an authenticator-code step. */
export async function cognito(action, body, { withClient = true, codes = null } = {}) {
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
    throw new AuthError("network", C.unreachable);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { type, text } = messageFor(String(data.__type || "").split("#").pop() || "cognito_error", data.message, codes);
    throw new AuthError(type, text);
  }
  return data;
}
