"""A customer who forgot their password asks for a code (Cognito's ForgotPassword: the local Cognito emails it to the
mailbox), sets a new password with it (a wrong code refused in words), and signs in with the new password."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal
from tests.browser.test_customer_totp import customer_login, sign_in_with_password
from tests.browser.test_first_sign_in import error_summary

NEW_PASSWORD = "Fresh-start-8642"


def reset_code(portal: Portal, email: str) -> str:
    status, body = portal.api("GET", "/local/mailbox")
    assert status == 200, body
    sent = [m for m in body["messages"] if email in m["to"] and "code" in m["subject"].lower()]
    assert len(sent) == 1, sent
    found = re.search(r"\b(\d{6})\b", sent[0]["body"])
    assert found, sent[0]
    return found.group(1)


def test_a_forgotten_password_is_reset_with_the_emailed_code(portal: Portal, page: Any, visit: Any) -> None:
    email = customer_login(portal)
    page.goto("/index.html")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/forgot-password.html")
    visit(page, "forgot-password")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator("#reset")).to_be_visible()
    code = reset_code(portal, email)
    visit(page, "forgot-password-reset")

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.get_by_label("Code from the email").fill(wrong)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    assert "code is not right" in error_summary(page)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_role("button", name="Change my password").click()
    page.wait_for_url("**/index.html?password_reset=1")
    expect(page.locator("#page-alerts")).to_contain_text("Your password is changed")

    sign_in_with_password(page, email, NEW_PASSWORD)
    page.wait_for_url("**/dashboard.html")


def test_an_unknown_email_is_told_nothing_about_accounts(portal: Portal, page: Any) -> None:
    page.goto("/forgot-password.html")
    page.get_by_label("Email address").fill(f"nobody-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_role("button", name="Email me a code").click()
    # the same step as for an account: whether one exists is not said
    expect(page.locator("#reset-intro")).to_contain_text("If ")
    expect(page.locator("#reset-intro")).to_contain_text("has an account, we emailed it a code")
