"""Cognito's first sign-in, TOTP and lockout rules, which moto 5.2 leaves out, patched onto its Cognito backend.

Installed by ``moto_patches.install`` (patch 12 there). What moto does and what changes:

- TOTP secrets: moto hands every user the same secret ("asdfasdfasdf") and checks no code unless
  ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP`` is set, and then against that shared secret. Here
  ``AssociateSoftwareToken`` draws a secret per user (160 random bits, base32, as Cognito's), ``VerifySoftwareToken``
  checks the code against it (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, one step either side) and only then makes
  it the user's, and a ``SOFTWARE_TOKEN_MFA`` answer is checked against the user's secret.
- ``MFA_SETUP``: moto signs the user in without looking at the session; here it needs the verified token first.
  A password sign-in of a user who chose a password through ``NEW_PASSWORD_REQUIRED`` in a pool whose MFA is ON,
  and who has not enrolled yet, is asked to enrol again (``MFA_SETUP``), as Cognito asks. Users whose password an
  administrator set as permanent (``AdminSetUserPassword``: the demo logins, the tests' users) sign in with their
  password alone: the local runtime's one deviation, so the demo and the tests need no authenticator.
- Lockout (Cognito's documented rule): after five failed attempts (wrong password or wrong code) a user is locked
  for 2^(n-5) seconds after the n-th failure (at most 15 minutes); an attempt while locked is refused with
  ``NotAuthorizedException: Password attempts exceeded`` and does not count; success, or 15 minutes without a
  failure, starts the count again.
- Forgotten passwords: moto emails nothing and takes any code; here ``ForgotPassword`` emails a 6-digit code (from
  the pool's sender, to the local mailbox) and ``ConfirmForgotPassword`` takes only that code and a new password the
  pool's policy allows.
- Invitations: ``AdminCreateUser`` without ``MessageAction=SUPPRESS`` makes a temporary password when none is
  given and emails the pool's invitation (``AdminCreateUserConfig.InviteMessageTemplate``, ``{username}`` and
  ``{####}`` filled in) from the pool's ``EmailConfiguration.From`` through moto's SES, so it shows in the local
  mailbox. Moto sends nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import CodeMismatchException, NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool
from moto.core.exceptions import JsonRESTError
from moto.ses import models as ses_models

STEP_SECONDS = 30
FREE_FAILURES = 5
MAX_LOCK_SECONDS = 900
LOCKED = "Password attempts exceeded"
_LOCK = threading.Lock()
# Cognito's lockout runs on AWS's clock, not the product's (which the local runtime may move).
_now: Callable[[], float] = time.time  # noqa: TID251 - AWS's clock


class _EnableSoftwareTokenMfa(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("EnableSoftwareTokenMFAException", "Code mismatch")


def totp(secret: str, at: float) -> str:
    """The RFC 6238 code of a base32 ``secret`` at the Unix time ``at``."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // STEP_SECONDS), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _code_matches(secret: str | None, code: str) -> bool:
    now = _now()
    return bool(secret) and any(
        hmac.compare_digest(totp(str(secret), now + drift * STEP_SECONDS), code.strip()) for drift in (-1, 0, 1)
    )


def install() -> None:
    backend = CognitoIdpBackend
    backend.initiate_auth = _initiate_auth(backend.initiate_auth)  # type: ignore[method-assign]
    backend.respond_to_auth_challenge = _respond(backend.respond_to_auth_challenge)  # type: ignore[method-assign]
    backend.associate_software_token = _associate  # type: ignore[method-assign]
    backend.verify_software_token = _verify(backend.verify_software_token)  # type: ignore[method-assign]
    backend.admin_create_user = _invite(backend.admin_create_user)  # type: ignore[method-assign]
    backend.forgot_password = _forgot(backend.forgot_password)  # type: ignore[method-assign]
    backend.confirm_forgot_password = _confirm_forgot(backend.confirm_forgot_password)  # type: ignore[method-assign]


# --- lockout ------------------------------------------------------------------------------------------------


def _state(user: CognitoIdpUser) -> dict[str, Any]:
    return user.__dict__.setdefault("_arportal", {"failures": 0, "locked_until": 0.0, "last_failure": 0.0})


def _refuse_if_locked(user: CognitoIdpUser | None) -> None:
    if user is None:
        return
    with _LOCK:
        state = _state(user)
        now = _now()
        if now - state["last_failure"] > MAX_LOCK_SECONDS:
            state["failures"] = 0
        if now < state["locked_until"]:
            raise NotAuthorizedError(LOCKED)


def _failed(user: CognitoIdpUser) -> None:
    with _LOCK:
        state = _state(user)
        state["failures"] += 1
        state["last_failure"] = _now()
        beyond = state["failures"] - FREE_FAILURES
        if beyond >= 0:
            state["locked_until"] = state["last_failure"] + min(2**beyond, MAX_LOCK_SECONDS)


def _succeeded(user: CognitoIdpUser) -> None:
    with _LOCK:
        _state(user).update(failures=0, locked_until=0.0)


# --- sign-in ------------------------------------------------------------------------------------------------


def _pool_of_client(backend: CognitoIdpBackend, client_id: str) -> CognitoIdpUserPool | None:
    return next((p for p in backend.user_pools.values() if client_id in p.clients), None)


def _initiate_auth(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def initiate_auth(
        self: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: dict[str, str]
    ) -> dict[str, Any]:
        pool = _pool_of_client(self, client_id)
        if auth_flow != "USER_PASSWORD_AUTH" or pool is None:
            return original(self, client_id, auth_flow, auth_parameters)
        username = auth_parameters.get("USERNAME", "")
        user = pool._get_user(username)
        _refuse_if_locked(user)
        try:
            result = original(self, client_id, auth_flow, auth_parameters)
        except NotAuthorizedError:
            if user is not None and user.enabled:
                _failed(user)
            raise
        if "AuthenticationResult" not in result or user is None:
            return result
        if pool.mfa_config == "ON" and _state(user).get("chose_password") and not user.token_verified:
            session = str(uuid.uuid4())
            self.sessions[session] = (username, pool)
            return {"ChallengeName": "MFA_SETUP", "ChallengeParameters": {}, "Session": session}
        _succeeded(user)
        return result

    return initiate_auth


def _session_user(backend: CognitoIdpBackend, session: str) -> CognitoIdpUser:
    if session not in backend.sessions:
        raise NotAuthorizedError("Invalid session for the user, session is expired.")
    username, pool = backend.sessions[session]
    return backend.admin_get_user(pool.id, username)


def _respond(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def respond_to_auth_challenge(
        self: CognitoIdpBackend, session: str, client_id: str, challenge_name: str, responses: dict[str, str]
    ) -> dict[str, Any]:
        if challenge_name == "SOFTWARE_TOKEN_MFA":
            user = _session_user(self, session)
            _refuse_if_locked(user)
            if not _code_matches(user.__dict__.get("_totp_secret"), responses.get("SOFTWARE_TOKEN_MFA_CODE", "")):
                _failed(user)
                raise CodeMismatchException("Invalid code received for user")
            _succeeded(user)
        elif challenge_name == "MFA_SETUP":
            user = _session_user(self, session)
            if not user.token_verified:
                raise NotAuthorizedError("Invalid session for the user: verify the software token first.")
            self.sessions.pop(session, None)
            _succeeded(user)
            pool = next(p for p in self.user_pools.values() if client_id in p.clients)
            return self._log_user_in(pool, pool.clients[client_id], responses.get("USERNAME", user.username))
        elif challenge_name == "NEW_PASSWORD_REQUIRED":
            user = _session_user(self, session)
            result = original(self, session, client_id, challenge_name, responses)
            _state(user)["chose_password"] = True
            return result
        return original(self, session, client_id, challenge_name, responses)

    return respond_to_auth_challenge


# --- TOTP enrolment -----------------------------------------------------------------------------------------


def _token_user(backend: CognitoIdpBackend, access_token: str, session: str) -> CognitoIdpUser:
    if session:
        return _session_user(backend, session)
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            _, username = pool.access_tokens[access_token]
            return backend.admin_get_user(pool.id, username)
    raise NotAuthorizedError("Invalid Access Token")


def _associate(self: CognitoIdpBackend, access_token: str, session: str) -> dict[str, str]:
    user = _token_user(self, access_token, session)
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    user.__dict__["_totp_pending"] = secret
    return {"SecretCode": secret, "Session": session} if session else {"SecretCode": secret}


def _verify(original: Callable[..., dict[str, str]]) -> Callable[..., dict[str, str]]:
    def verify_software_token(
        self: CognitoIdpBackend, access_token: str, session: str, user_code: str, friendly_device_name: str
    ) -> dict[str, str]:
        user = _token_user(self, access_token, session)
        _refuse_if_locked(user)
        pending = user.__dict__.get("_totp_pending")
        if not _code_matches(pending, user_code or ""):
            _failed(user)
            raise _EnableSoftwareTokenMfa()
        user.__dict__["_totp_secret"] = pending
        user.__dict__.pop("_totp_pending", None)
        _succeeded(user)
        return original(self, access_token, session, user_code, friendly_device_name)

    return verify_software_token


# --- invitations --------------------------------------------------------------------------------------------


def temporary_password() -> str:
    """A password meeting any Cognito policy (upper, lower, digit, symbol), as Cognito generates for an invite."""
    return f"Tmp-{secrets.token_urlsafe(9)}-7a"


def _invite(original: Callable[..., CognitoIdpUser]) -> Callable[..., CognitoIdpUser]:
    def admin_create_user(  # noqa: PLR0917 - moto's own signature
        self: CognitoIdpBackend,
        user_pool_id: str,
        username: str,
        message_action: str,
        temporary: str,
        attributes: list[dict[str, str]],
    ) -> CognitoIdpUser:
        sending = message_action != "SUPPRESS"
        password = temporary or (temporary_password() if sending else temporary)
        user = original(self, user_pool_id, username, message_action, password, attributes)
        if sending:
            _send_invitation(self, self.describe_user_pool(user_pool_id), username, password)
        return user

    return admin_create_user


def _forgot(original: Callable[..., tuple[str | None, dict[str, Any]]]) -> Callable[..., Any]:
    def forgot_password(self: CognitoIdpBackend, client_id: str, username: str) -> tuple[str | None, dict[str, Any]]:
        answer = original(self, client_id, username)
        pool = _pool_of_client(self, client_id)
        user = pool._get_user(username) if pool is not None else None
        if pool is not None and user is not None:
            code = f"{secrets.randbelow(1_000_000):06d}"
            user.__dict__["_reset_code"] = code
            email = user.attribute_lookup.get("email", username)
            _send(self, pool, email, "Your verification code", f"Your password reset code is {code}.")
        return answer

    return forgot_password


def _confirm_forgot(original: Callable[..., None]) -> Callable[..., None]:
    def confirm_forgot_password(
        self: CognitoIdpBackend, client_id: str, username: str, password: str, confirmation_code: str
    ) -> None:
        pool = _pool_of_client(self, client_id)
        user = pool._get_user(username) if pool is not None else None
        if pool is not None and user is not None:
            expected = user.__dict__.get("_reset_code")
            if not expected or not hmac.compare_digest(expected, (confirmation_code or "").strip()):
                raise CodeMismatchException("Invalid verification code provided, please try again.")
            self._validate_password(pool.id, password)
            user.__dict__.pop("_reset_code", None)
        original(self, client_id, username, password, confirmation_code)

    return confirm_forgot_password


def _send(backend: CognitoIdpBackend, pool: CognitoIdpUserPool, to: str, subject: str, body: str) -> None:
    sender = (pool.extended_config.get("EmailConfiguration") or {}).get("From")
    if sender:  # a pool without a sender (moto's default) sends nothing, as before
        ses = ses_models.ses_backends[backend.account_id][backend.region_name]
        ses.send_email(sender, subject, body, {"ToAddresses": [to]})


def _send_invitation(backend: CognitoIdpBackend, pool: CognitoIdpUserPool, username: str, password: str) -> None:
    template = (pool.extended_config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    subject = template.get("EmailSubject") or "Your temporary password"
    body = template.get("EmailMessage") or "Your username is {username} and temporary password is {####}."
    _send(backend, pool, username, subject, body.replace("{username}", username).replace("{####}", password))
