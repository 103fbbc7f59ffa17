"""The local Cognito asks what Cognito asks (``local/moto_cognito.py``): an invited staff member's new password,
TOTP enrolment with a secret of their own and a checked code, then a code at each sign-in; Cognito's lockout after
five failures; the demo logins (a permanent password set by an administrator) sign in with the password alone."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from local import moto_cognito
from local.environment import Challenge, LoginError, Tokens

NEW_PASSWORD = "Chosen-pass-5678"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _invite(local_env: Any) -> tuple[Any, str, str]:
    cognito, pool = local_env.client("cognito-idp"), local_env.resources.staff_pool_id
    email = f"invited-{uuid.uuid4().hex[:8]}@example.org"
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="agent")
    return cognito, email, _temporary_password(local_env, email)


def _temporary_password(local_env: Any, email: str) -> str:
    from local import mailbox

    resources = local_env.resources
    sent = [m for m in mailbox.messages(resources.account_id, resources.region) if email in m["to"]]
    assert len(sent) == 1, sent
    assert "staff console" in sent[0]["subject"]
    return str(sent[0]["body"].rsplit("temporary password ", 1)[1].rstrip("."))


def _enrol(local_env: Any) -> tuple[Any, str, str]:
    """An invited staff member who chose a password and enrolled TOTP: (cognito, email, secret)."""
    cognito, email, temporary = _invite(local_env)
    client_id = local_env.resources.staff_client_id
    first = local_env.sign_in(email, temporary)
    assert isinstance(first, Challenge) and first.name == "NEW_PASSWORD_REQUIRED"
    setup = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first.session,
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert setup["ChallengeName"] == "MFA_SETUP"
    associated = cognito.associate_software_token(Session=setup["Session"])
    secret = associated["SecretCode"]
    code = moto_cognito.totp(secret, time.time())
    with pytest.raises(cognito.exceptions.EnableSoftwareTokenMFAException):
        cognito.verify_software_token(Session=associated["Session"], UserCode=_wrong(code))
    verified = cognito.verify_software_token(Session=associated["Session"], UserCode=code)
    assert verified["Status"] == "SUCCESS"
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": email},
    )
    assert "IdToken" in done["AuthenticationResult"]
    return cognito, email, secret


def test_an_invited_staff_member_chooses_a_password_enrols_and_then_signs_in_with_a_code(local_env: Any) -> None:
    cognito, email, secret = _enrol(local_env)
    again = local_env.sign_in(email, NEW_PASSWORD)
    assert isinstance(again, Challenge) and again.name == "SOFTWARE_TOKEN_MFA"
    code = moto_cognito.totp(secret, time.time())
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.respond_to_auth_challenge(
            ClientId=local_env.resources.staff_client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=again.session,
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": _wrong(code)},
        )
    tokens = cognito.respond_to_auth_challenge(
        ClientId=local_env.resources.staff_client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=again.session,
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
    )["AuthenticationResult"]
    assert tokens["IdToken"]


def test_each_user_gets_a_secret_of_their_own(local_env: Any) -> None:
    assert _enrol(local_env)[2] != _enrol(local_env)[2]


def test_a_user_who_chose_a_password_but_did_not_enrol_is_asked_to_enrol_again(local_env: Any) -> None:
    cognito, email, temporary = _invite(local_env)
    first = local_env.sign_in(email, temporary)
    assert isinstance(first, Challenge)
    cognito.respond_to_auth_challenge(
        ClientId=local_env.resources.staff_client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first.session,
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": NEW_PASSWORD},
    )
    again = local_env.sign_in(email, NEW_PASSWORD)
    assert isinstance(again, Challenge) and again.name == "MFA_SETUP"
    # and the setup cannot be skipped: MFA_SETUP without a verified token is refused
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.respond_to_auth_challenge(
            ClientId=local_env.resources.staff_client_id,
            ChallengeName="MFA_SETUP",
            Session=again.session,
            ChallengeResponses={"USERNAME": email},
        )


def test_five_wrong_passwords_lock_the_login_and_the_lock_is_said(local_env: Any) -> None:
    user = local_env.create_user(f"lock-{uuid.uuid4().hex[:8]}@example.org", groups=("agent",))
    for _ in range(moto_cognito.FREE_FAILURES):
        with pytest.raises(LoginError) as refused:
            local_env.sign_in(user.username, "Wrong-pass-0000")
        assert not refused.value.locked
    with pytest.raises(LoginError) as locked:
        local_env.sign_in(user.username)  # the right password, during the lockout
    assert locked.value.locked


def test_the_demo_kind_of_login_signs_in_with_its_password_alone(local_env: Any) -> None:
    user = local_env.create_user(f"plain-{uuid.uuid4().hex[:8]}@example.org", groups=("supervisor",))
    assert isinstance(local_env.sign_in(user.username), Tokens)


def test_the_gateway_hands_the_challenge_to_the_page(local_env: Any, gateway: Any) -> None:
    _, email, temporary = _invite(local_env)
    reply = gateway.request("POST", "/local/login", json={"username": email, "password": temporary})
    assert reply.status == 200
    assert reply.body["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert reply.body["audience"] == "staff"
    assert reply.body["session"]
    assert "id_token" not in reply.body


def test_totp_matches_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1, the 20-byte key "12345678901234567890", 8 digits there: the last 6 here
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert moto_cognito.totp(secret, 59) == "287082"
    assert moto_cognito.totp(secret, 1111111109) == "081804"
    assert moto_cognito.totp(secret, 20000000000) == "353130"
