"""An administrator invites a staff member from the console: the "Staff" page (in the navigation for
administrators only) sends Cognito's invitation, whose temporary password arrives in the local mailbox and opens
the invited person's first sign-in; inviting the same email again is refused with the reason."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Portal, console_sign_in, ready_to_send


def invitation_to(portal: Portal, email: str) -> dict[str, Any]:
    status, body = portal.api("GET", "/local/mailbox")
    assert status == 200, body
    sent = [m for m in body["messages"] if email in m["to"]]
    assert len(sent) == 1, sent
    return dict(sent[0])


def test_an_admin_invites_a_staff_member_and_the_invitation_reaches_the_mailbox(
    portal: Portal, page: Any, visit: Any
) -> None:
    console_sign_in(page, "admin@demo.local")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Staff").click()
    page.wait_for_url("**/console/staff-members.html")
    expect(page.locator("#staff-list table")).to_contain_text("agent@demo.local")
    visit(page, "console-staff-members")

    email = f"invitee-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_role("button", name="Send invitation").click()  # nothing filled in: each field says what it needs
    expect(page.locator("#invite .form-error-summary")).to_contain_text("Choose a role")
    visit(page, "console-staff-members-errors")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Full name").fill("Robin Invitee")
    page.get_by_label("Role").select_option("supervisor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#page-alerts")).to_contain_text(f"Invitation sent to {email}")
    row = page.locator("#staff-list tbody tr", has_text=email)
    expect(row).to_contain_text("Supervisor")
    expect(row).to_contain_text("Invited")

    mail = invitation_to(portal, email)
    assert "staff console" in mail["subject"]
    temporary = mail["body"].rsplit("temporary password ", 1)[1].rstrip(".")

    # The same email again: refused, with the reason, and no second email
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Full name").fill("Robin Invitee")
    page.get_by_label("Role").select_option("agent")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#page-alerts .usa-alert--error")).to_contain_text("already has a staff login")
    visit(page, "console-staff-members-conflict")
    invitation_to(portal, email)

    # The emailed temporary password starts the invited person's first sign-in
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/index.html?signed_out=1")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Password", exact=True).fill(temporary)
    ready_to_send(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#new-password")).to_be_visible()


def test_the_staff_page_is_in_the_navigation_of_administrators_only(page: Any) -> None:
    console_sign_in(page, "supervisor@demo.local")
    nav = page.get_by_role("navigation", name="Primary navigation")
    expect(nav.get_by_role("link", name="Search")).to_be_visible()
    assert nav.get_by_role("link", name="Staff").count() == 0
