"""A staff member's first sign-in, as an administrator's invitation starts it: the temporary password, a password
of their own (the pool's rules said), an authenticator app enrolled from a QR code drawn in the page (the key shown
as text too: the test reads it and computes the codes, as the app would), then a code at every sign-in. A wrong
code is refused in words, and repeated wrong codes lock the account with a message that says so (Cognito's rule,
which the local Cognito applies: ``local/moto_cognito.py``)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote, quote_plus

import boto3
import time_machine
from playwright.sync_api import expect

from local.moto_cognito import FREE_FAILURES, totp
from tests.browser.conftest import Portal, ready_to_send

TEMPORARY = "Temporary-pass-1!"
CHOSEN = "My-own-pass-2468"


def cognito_of(portal: Portal) -> tuple[Any, dict[str, Any]]:
    """The local runtime's Cognito (moto), as an administrator's AWS call would reach it, and its settings."""
    status, cfg = portal.api("GET", "/config.json")
    assert status == 200, cfg
    client = boto3.session.Session(
        region_name=cfg["region"], aws_access_key_id="local", aws_secret_access_key="local"
    ).client("cognito-idp", endpoint_url=cfg["cognitoEndpoint"])
    return client, cfg


def invited_agent(portal: Portal) -> str:
    cognito, cfg = cognito_of(portal)
    email = f"new-agent-{uuid.uuid4().hex[:8]}@example.org"
    pool = cfg["staffUserPoolId"]
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="agent")
    return email


def real_time() -> float:
    """The machine's time, which the runtime's Cognito reads: this process travels to the session's day."""
    return float(time_machine.escape_hatch.time.time())


def qr_encodes(portal: Portal, page: Any, template: str) -> bool:
    """Whether the QR code on the page is the one of the authenticator address expected: the address apps read
    (Google's Key Uri Format), drawn again by the page's own module and compared module by module."""
    status, cfg = portal.api("GET", "/config.json")
    assert status == 200, cfg
    issuer = cfg["agencyName"]
    uri = template.format(issuer=quote(issuer), issuer_q=quote_plus(issuer)) + "&algorithm=SHA1&digits=6&period=30"
    drawn = page.locator("#totp-secret svg path").get_attribute("d")
    redraw = (
        'async (uri) => (await import("/shared/js/totp.js")).qrSvg(uri, "x").querySelector("path").getAttribute("d")'
    )
    expected = page.evaluate(redraw, uri)
    return bool(drawn) and drawn == expected


def code_now(secret: str) -> str:
    return totp(secret, real_time())


def wrong_code(secret: str) -> str:
    """A code no step around now accepts (Cognito takes one step either side)."""
    now = real_time()
    taken = {totp(secret, now + drift * 30) for drift in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in taken)


def sign_in_with_password(page: Any, email: str, password: str) -> None:
    page.goto("/console/index.html")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    ready_to_send(page)
    page.get_by_role("button", name="Sign in").click()


def error_summary(page: Any) -> str:
    summary = page.locator("form:not([hidden]) .form-error-summary")
    summary.wait_for()
    return str(summary.inner_text())


def test_an_invited_staff_member_chooses_a_password_enrols_an_app_and_signs_in_with_its_codes(
    portal: Portal, page: Any, visit: Any
) -> None:
    email = invited_agent(portal)

    # The temporary password opens the "choose your password" step, which states the rules
    sign_in_with_password(page, email, TEMPORARY)
    step = page.locator("#new-password")
    expect(step).to_be_visible()
    expect(step).to_contain_text("At least 12 characters")
    visit(page, "first-sign-in-new-password")
    page.get_by_label("New password", exact=True).fill("too-weak")
    page.get_by_label("New password again").fill("too-weak")
    page.get_by_role("button", name="Save password").click()
    assert "12 characters" in error_summary(page)
    page.get_by_label("New password", exact=True).fill(CHOSEN)
    page.get_by_label("New password again").fill(CHOSEN)
    page.get_by_role("button", name="Save password").click()

    # Then the authenticator app: a QR code drawn in the page, and the key to type by hand
    setup = page.locator("#mfa-setup")
    expect(setup).to_be_visible()
    qr = setup.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    secret = str(setup.locator(".totp-secret").get_attribute("data-secret"))
    assert len(secret) >= 16
    assert secret.upper() in setup.locator(".totp-secret").inner_text().replace(" ", "")
    assert qr_encodes(portal, page, f"otpauth://totp/{{issuer}}:{quote(email)}?secret={secret}&issuer={{issuer_q}}")
    visit(page, "first-sign-in-mfa-setup")
    page.get_by_label("Code the app shows").fill(wrong_code(secret))
    page.get_by_role("button", name="Turn on and sign in").click()
    assert "That code is not right" in error_summary(page)
    visit(page, "first-sign-in-mfa-setup-wrong-code")
    page.get_by_label("Code the app shows").fill(code_now(secret))
    page.get_by_role("button", name="Turn on and sign in").click()
    page.wait_for_url("**/console/search.html")

    # Signing in again asks for the app's code: a wrong one is refused in words, the right one lets them in
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/index.html?signed_out=1")
    sign_in_with_password(page, email, CHOSEN)
    expect(page.locator("#mfa")).to_be_visible()
    visit(page, "sign-in-code")
    page.get_by_label("Code from your authenticator app").fill(wrong_code(secret))
    page.get_by_role("button", name="Continue").click()
    assert "That code is not right" in error_summary(page)
    visit(page, "sign-in-code-wrong")
    page.get_by_label("Code from your authenticator app").fill(code_now(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/console/search.html")

    # Wrong codes again and again: Cognito locks the account after five, and the page says so plainly
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/index.html?signed_out=1")
    sign_in_with_password(page, email, CHOSEN)
    expect(page.locator("#mfa")).to_be_visible()
    said, refused = "", 0
    # The lock lasts 2^(n-5) s after the n-th failure and attempts meanwhile do not count: go on until it lasts
    # long enough (16 s after the ninth) to try the right code within it. The locks before it take 14 s of real
    # time whatever the machine's speed, so the loop is bounded by time, not by a count of tries (a fast machine
    # ran out of tries while the third lock lasted).
    deadline = real_time() + 120
    while real_time() < deadline:
        page.get_by_label("Code from your authenticator app").fill(wrong_code(secret))
        page.get_by_role("button", name="Continue").click()
        said = error_summary(page)
        if "locked" in said:
            if refused >= FREE_FAILURES + 4:
                break
            page.wait_for_timeout(250)  # waiting the lock out: a try while it lasts does not count
        else:
            assert "That code is not right" in said, said
            refused += 1
        expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    assert refused >= FREE_FAILURES + 4, (refused, said)
    assert "Too many wrong attempts" in said and "Wait 15 minutes" in said, said
    visit(page, "sign-in-locked")
    # and even the right code is refused while it lasts
    page.get_by_label("Code from your authenticator app").fill(code_now(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#mfa .form-error-summary")).to_contain_text("locked")
