"""A customer turns on the optional sign-in code on their profile (an authenticator app enrolled from a QR code drawn
in the page), is then asked for the code at sign-in (a wrong one refused in words), and can turn it off again."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal, ready_to_send
from tests.browser.test_first_sign_in import code_now, cognito_of, error_summary, wrong_code

PASSWORD = "Resident-pass-1357"


def customer_login(portal: Portal) -> str:
    """A second login of the demo customer (its own, so turning MFA on touches no other test's login)."""
    claims = portal.login("customer@demo.local").split(".")[1]
    customer_id = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["custom:customer_id"]
    cognito, cfg = cognito_of(portal)
    email = f"resident-{uuid.uuid4().hex[:8]}@example.com"
    pool = cfg["customerUserPoolId"]
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "custom:customer_id", "Value": customer_id},
    ]
    cognito.admin_create_user(UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    return email


def sign_in_with_password(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/index.html")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    ready_to_send(page)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/index.html?signed_out=1")


def test_a_customer_turns_the_sign_in_code_on_uses_it_and_turns_it_off(portal: Portal, page: Any, visit: Any) -> None:
    email = customer_login(portal)
    sign_in_with_password(page, email)
    page.wait_for_url("**/dashboard.html")

    page.goto("/profile.html")
    totp = page.locator("#totp")
    expect(totp).to_contain_text("Signing in asks only for your password")
    visit(page, "profile-totp-off")
    totp.get_by_role("button", name="Set up an authenticator app").click()
    expect(totp.get_by_role("img", name="QR code")).to_be_visible()
    secret = str(totp.locator(".totp-secret").get_attribute("data-secret"))
    visit(page, "profile-totp-setup")
    page.get_by_label("Code the app shows").fill(wrong_code(secret))
    totp.get_by_role("button", name="Turn on").click()
    assert "That code is not right" in error_summary(page)
    page.get_by_label("Code the app shows").fill(code_now(secret))
    totp.get_by_role("button", name="Turn on").click()
    expect(totp).to_contain_text("From now on, signing in asks for a code")
    visit(page, "profile-totp-on")

    # The next sign-in asks for the code: a wrong one is refused, the right one lets them in
    sign_out(page)
    sign_in_with_password(page, email)
    expect(page.locator("#mfa")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(wrong_code(secret))
    page.get_by_role("button", name="Continue").click()
    assert "That code is not right" in error_summary(page)
    visit(page, "portal-sign-in-code-wrong")
    page.get_by_label("Code from your authenticator app").fill(code_now(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/dashboard.html")

    # Turned off, signing in asks for the password alone again
    page.goto("/profile.html")
    page.locator("#totp").get_by_role("button", name="Stop asking for a code").click()
    expect(page.locator("#totp")).to_contain_text("no longer asks for a code")
    sign_out(page)
    sign_in_with_password(page, email)
    page.wait_for_url("**/dashboard.html")
