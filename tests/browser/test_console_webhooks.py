"""The console's "Webhooks" page: an administrator adds an endpoint pointing at a receiver on this machine (the local
runtime allows plain http and local addresses), is shown its signing secret once (a dialog with a warning and a copy
button), sends it a test event, which arrives signed with that secret (checked with the official standardwebhooks
library), sees the attempt in the delivery log, replays it (the receiver gets it again, with the same webhook-id),
counts a range before replaying it, and switches the endpoint off and on. An agent is offered no link to the page,
and the page's data is refused them, said plainly.

The page calls the API with the staff member's access token (the routes are shared with connected systems): the
tokens the browser sends are checked here too.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.browser.conftest import Portal, console_sign_in
from tests.webhook_receiver import WebhookReceiver

DELIVERY_WAIT_S = 60  # the runtime's sweep sends a replay within a second or two; a loaded machine is slower


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    served = WebhookReceiver()
    yield served
    served.close()


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def verify(portal: Portal, secret: str, body: bytes, headers: dict[str, str]) -> None:
    """With the official library, as a receiver whose clock is the runtime's (this process runs at noon of the
    session's day, tests/clock.py; the runtime at the machine's time of day): raises if it does not verify."""
    with time_machine.travel(portal.now(), tick=False):
        Webhook(secret).verify(body, headers)


def _posts_to(receiver: WebhookReceiver, path: str) -> list[tuple[dict[str, str], bytes]]:
    return [({k.lower(): v for k, v in headers.items()}, body) for p, headers, body in receiver.received if p == path]


def test_an_admin_adds_an_endpoint_test_sends_it_and_sees_the_delivery(
    portal: Portal, page: Any, visit: Any, receiver: WebhookReceiver
) -> None:
    name = f"Billing system {uuid.uuid4().hex[:6]}"
    path = f"/hooks/{uuid.uuid4().hex[:8]}"
    sent_tokens: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent_tokens.append(r.headers["authorization"].removeprefix("Bearer "))
            if "/v1/integrations/webhooks" in r.url and "authorization" in r.headers
            else None
        ),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)
    console_sign_in(page, "admin@demo.local")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Webhooks").click()
    page.get_by_role("heading", name="Webhooks", level=1).wait_for()
    visit(page, "console-webhooks")

    # Add it: the secret is shown once, in a dialog that says so, with a copy button
    page.get_by_label("URL", exact=True).fill(f"http://{receiver.host}{path}")
    page.get_by_label("Event types", exact=True).fill("payment.*, invoice.adjustment")
    page.get_by_label("Description (optional)").fill(name)
    page.get_by_role("button", name="Add the endpoint").click()
    dialog = page.get_by_role("dialog", name=f"Signing secret for {name}")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("it cannot be shown again")
    secret = dialog.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    dialog.get_by_role("button", name="Copy the secret").click()
    expect(dialog.locator("#new-secret-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    visit(page, "console-webhooks-new-secret")
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("dialog")).to_have_count(0)
    assert secret not in page.content()  # gone with its dialog

    endpoint = page.get_by_role("region", name=name, exact=True)
    expect(endpoint).to_contain_text("Enabled")
    expect(endpoint).to_contain_text("payment.*")
    expect(endpoint.get_by_role("button", name="Send a test event")).to_be_focused()
    expect(endpoint.locator(".delivery-log")).to_contain_text("No deliveries yet.")

    # Test-send: it arrives signed with the secret, and the log shows the attempt
    endpoint.get_by_role("button", name="Send a test event").click()
    expect(endpoint.locator(".usa-alert--success")).to_contain_text("Test event delivered")
    ((headers, body),) = _posts_to(receiver, path)
    verify(portal, secret, body, headers)
    event_id = headers["webhook-id"]
    row = endpoint.locator(".delivery-log tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(event_id)
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("200")
    test_button = endpoint.get_by_role("button", name=f"Send a test event to {name}")
    expect(test_button.locator(".usa-sr-only")).to_have_count(1)  # its hidden "to <name>" survived the work
    visit(page, "console-webhooks-delivered")

    # Replay it: the receiver gets it again, the same webhook-id
    endpoint.locator("summary", has_text="Replay events").click()
    endpoint.get_by_label("Event id").fill(event_id)
    endpoint.get_by_role("button", name="Replay this event").click()
    expect(endpoint.locator(".replay-panel .usa-alert--success")).to_contain_text(f"Event {event_id} sent again")
    deadline = time.monotonic() + DELIVERY_WAIT_S
    while len(_posts_to(receiver, path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.25)
    posts = _posts_to(receiver, path)
    assert [h["webhook-id"] for h, _ in posts] == [event_id, event_id], posts
    verify(portal, secret, posts[1][1], posts[1][0])

    # A range is counted before anything is sent: none of this endpoint's events in a year long gone
    endpoint.get_by_label("From", exact=True).fill("2001-01-01T00:00")
    endpoint.get_by_label("To", exact=True).fill("2001-12-31T00:00")
    endpoint.get_by_role("button", name="Count the events").click()
    expect(endpoint.locator(".replay-panel .usa-alert--info")).to_contain_text("nothing to send again")

    # Switch it off: disabled, and why; then on again
    endpoint.get_by_role("button", name="Switch off").click()
    expect(endpoint.locator(".endpoint-status")).to_contain_text("Disabled")
    expect(endpoint.locator(".endpoint-status")).to_contain_text("Switched off by an administrator")
    expect(endpoint.get_by_role("button", name="Switch on")).to_be_focused()
    endpoint.get_by_role("button", name="Switch on").click()
    expect(endpoint.locator(".endpoint-status")).to_contain_text("Enabled")

    # Rotate the secret: the new one shown once; for the overlap both sign each delivery
    endpoint.get_by_role("button", name="Rotate the secret").click()
    confirm = page.get_by_role("dialog", name="Rotate the signing secret?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_label("Hours the old secret keeps signing").fill("2")
    confirm.get_by_role("button", name="Rotate the secret").click()
    shown = page.get_by_role("dialog", name=f"New signing secret for {name}")
    expect(shown).to_contain_text("it cannot be shown again")
    new_secret = shown.get_by_label("Signing secret").input_value()
    assert new_secret.startswith("whsec_") and new_secret != secret
    shown.get_by_role("button", name="Done").click()
    expect(endpoint.locator(".usa-alert--success")).to_contain_text("Secret rotated")
    assert new_secret not in page.content()
    endpoint.get_by_role("button", name="Send a test event").click()
    expect(endpoint.locator(".delivery-log tbody tr")).to_have_count(3)
    headers, body = _posts_to(receiver, path)[-1]
    verify(portal, secret, body, headers)
    verify(portal, new_secret, body, headers)

    # Remove it, after a confirmation
    endpoint.get_by_role("button", name="Remove").click()
    page.get_by_role("dialog", name="Remove this endpoint?").get_by_role("button", name="Remove the endpoint").click()
    expect(page.locator("#page-alerts .usa-alert--success")).to_contain_text(f"Endpoint {name} removed")
    expect(page.get_by_role("region", name=name, exact=True)).to_have_count(0)

    # Every call carried the staff member's access token, never the ID token
    assert sent_tokens and all(_claims(t)["token_use"] == "access" for t in sent_tokens)


def test_an_agent_is_offered_no_webhooks_and_the_api_refuses_them(page: Any) -> None:
    console_sign_in(page, "agent@demo.local")
    nav = page.get_by_role("navigation", name="Primary navigation")
    expect(nav.get_by_role("link", name="Search")).to_be_visible()
    assert nav.get_by_role("link", name="Webhooks").count() == 0
    page.goto("/console/webhooks.html")  # typed in: the page loads, its data does not
    alert = page.locator("#endpoints .usa-alert--error")
    expect(alert).to_contain_text("Not allowed")
    expect(alert).to_contain_text("integrations.manage")
    assert page.locator("#endpoints .webhook-endpoint").count() == 0
