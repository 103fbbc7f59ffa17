"""A resident creates an account, confirms it with the emailed code, links their account with a bill number
and sees their bills: Cognito's SignUp / ConfirmSignUp / InitiateAuth over fetch, against the local stand-in."""

from __future__ import annotations

import uuid
from typing import Any

from local.seed_bills import DEPARTMENTS
from local.seed_data import number_block
from tests.browser.conftest import SEED, Portal


def unclaimed_account(portal: Portal) -> dict[str, Any]:
    """A seeded account whose customer has no portal login (found as an agent would, by its number)."""
    token = portal.login("agent@demo.local")
    # The seed numbers each department's accounts from its first in the seed's block (the demo customer's first)
    block = number_block(SEED) * 1_000
    candidates = [f"{d.prefix}-{d.first_account + block + n}" for n in range(1, 5) for d in DEPARTMENTS]
    for number in candidates:
        status, found = portal.api("GET", f"/v1/staff/search?q={number}", token=token)
        assert status == 200, found
        for match in found["matches"]:
            if match["kind"] == "account" and match["customer"]["email"] != "customer@demo.local":
                return dict(match["record"])
    raise AssertionError("no seeded account without a login")


def test_sign_up_confirm_link_and_see_the_overview(portal: Portal, page: Any, visit: Any) -> None:
    # Given an account of a customer who has no sign-in yet, and the ZIP code of its service address
    account = unclaimed_account(portal)
    email = f"resident-{uuid.uuid4().hex[:8]}@example.com"

    # When a resident signs up
    page.goto("/signup.html")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Example")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    # Then a weak password is refused before anything is sent
    page.locator(".form-error-summary").wait_for()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    page.get_by_label("Password").fill("Correct-horse-9-battery")
    page.get_by_role("button", name="Create account").click()

    # When they confirm with the code from the email (the local stand-in accepts any code)
    page.get_by_label("Confirmation code").fill("123456")
    visit(page, "sign-up-confirm")
    page.get_by_role("button", name="Confirm").click()

    # Then they are signed in and asked to link an account, which they prove with the ZIP code on file
    page.wait_for_url("**/link.html?new=1")
    visit(page, "link-new")
    page.get_by_label("Account number").fill(account["account_number"])
    page.get_by_text("With the ZIP code we have on file").click()  # USWDS draws the radio on its label
    page.get_by_label("ZIP code", exact=True).fill(account["service_address"]["postal_code"])
    page.get_by_role("button", name="Link this account").click()

    # And, with their refreshed session, they see the overview of that account's customer
    page.wait_for_url("**/dashboard.html")
    # The account's own cell (exactly its number): the row's "Pay this account" link also names the account, for
    # screen readers, when something is owed on it
    page.locator("#accounts").get_by_text(account["account_number"], exact=True).wait_for()
    assert email in page.locator("#site-footer").inner_text()
