"""The console's "Connected systems" page: an administrator sees every connected system with its scopes in words and
its secrets (never a value), rotates a secret (the new value shown once, in a dialog, with a copy button), is told
why a third secret or the retiring of the last one is refused, and retires the old secret after a confirmation.
An agent is offered no link to the page, and the API refuses the page's data.

The rotation works on a system of this test's own, made in the runtime's Cognito (moto, at the ``cognitoEndpoint``
of ``/config.json``) as CDK makes one from the deployment config: with a generated secret nobody was shown. The
demo client keeps its one secret for whatever else uses it.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

import boto3
import pytest
from playwright.sync_api import expect

from arportal.domain import integration_scopes
from tests.browser.conftest import Portal, console_sign_in

SCOPES = ("invoices.write", "events.read")


@pytest.fixture
def own_system(portal: Portal) -> tuple[str, str]:
    """A new client-credentials app client of the integrations pool: (name, client id)."""
    status, cfg = portal.api("GET", "/config.json")
    assert status == 200, cfg
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=cfg["cognitoEndpoint"],
        region_name=cfg["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",  # moto takes any
    )
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next(p["Id"] for p in pools if p["Name"].endswith("-integrations"))
    name = f"system-{uuid.uuid4().hex[:8]}"
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=name,
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=[integration_scopes.full_name(s) for s in SCOPES],
    )["UserPoolClient"]
    return name, created["ClientId"]


def token_status(portal: Portal, client_id: str, secret: str) -> int:
    """What the runtime's token endpoint answers a client-credentials request made with this secret."""
    request = urllib.request.Request(  # noqa: S310 - our own runtime
        f"{portal.url}/oauth2/token",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        method="POST",
    )
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def secret_ids(system: Any) -> list[str]:
    return [text.strip() for text in system.locator("tbody .secret-id").all_inner_texts()]


def test_an_admin_rotates_a_systems_secret_and_sees_the_new_one_once(
    portal: Portal, page: Any, visit: Any, own_system: tuple[str, str]
) -> None:
    name, client_id = own_system
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)
    console_sign_in(page, "admin@demo.local")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Connected systems").click()
    page.get_by_role("heading", name="Connected systems", level=1).wait_for()
    system = page.get_by_role("region", name=name, exact=True)

    # The system: its id, each scope with what it grants, and its one secret (an id and a date, never a value)
    expect(system.get_by_role("heading", name=name)).to_be_visible()
    expect(system).to_contain_text(client_id)
    for scope in SCOPES:
        expect(system).to_contain_text(integration_scopes.full_name(scope))
        expect(system).to_contain_text(next(s.description for s in integration_scopes.SCOPES if s.name == scope))
    expect(system.locator("tbody tr")).to_have_count(1)
    (old_id,) = secret_ids(system)
    assert old_id.startswith(f"{client_id}--")
    expect(system).to_contain_text("1 of 2 secrets")
    visit(page, "console-connected-systems")

    # Add a new secret: shown once, in a dialog that says so, with a copy button
    system.get_by_role("button", name="Add a new secret").click()
    dialog = page.get_by_role("dialog", name=f"New secret for {name}")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("it cannot be shown again")
    secret = dialog.get_by_label("Client secret").input_value()
    assert secret and token_status(portal, client_id, secret) == 200  # the real value, working at once
    assert dialog.evaluate("(d) => d.contains(document.activeElement)")  # focus moved into the dialog
    dialog.get_by_role("button", name="Copy the secret").click()
    expect(dialog.locator("#new-secret-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    visit(page, "console-connected-systems-new-secret")
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("dialog")).to_have_count(0)  # closed, and gone from the page
    assert secret not in page.content()  # gone with its dialog: never shown again
    expect(system.locator("tbody tr")).to_have_count(2)
    new_id = secret_ids(system)[1]
    assert new_id != old_id
    expect(system.locator(".usa-alert--success")).to_contain_text(f"Secret {new_id} added")
    expect(system.locator(f"#client-{client_id}-add")).to_be_focused()  # back on the button it came from

    # A third secret: the API's refusal, said in an alert that takes focus
    system.get_by_role("button", name="Add a new secret").click()
    refused = system.locator(".usa-alert--error")
    expect(refused).to_contain_text("The secret was not added")
    expect(refused).to_contain_text("already has 2 active secrets")
    expect(refused).to_be_focused()
    expect(system.locator("tbody tr")).to_have_count(2)

    # Retire the old one, after a confirmation (cancelled first: nothing changes)
    system.get_by_role("button", name=f"Retire secret {old_id}").click()
    confirm = page.get_by_role("dialog", name="Retire this secret?")
    expect(confirm).to_contain_text(old_id)
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Cancel").click()
    expect(page.locator("dialog")).to_have_count(0)  # closed, and gone from the page
    expect(system.get_by_role("button", name=f"Retire secret {old_id}")).to_be_focused()
    expect(system.locator("tbody tr")).to_have_count(2)
    system.get_by_role("button", name=f"Retire secret {old_id}").click()
    page.get_by_role("dialog", name="Retire this secret?").get_by_role("button", name="Retire the secret").click()
    expect(system.locator("tbody tr")).to_have_count(1)
    assert secret_ids(system) == [new_id]
    expect(system.locator(".usa-alert--success")).to_contain_text(f"Secret {old_id} retired")
    assert token_status(portal, client_id, secret) == 200  # the system moved over: its new secret still works

    # The last secret cannot be retired: the API says why
    system.get_by_role("button", name=f"Retire secret {new_id}").click()
    page.get_by_role("dialog", name="Retire this secret?").get_by_role("button", name="Retire the secret").click()
    refused = system.locator(".usa-alert--error")
    expect(refused).to_contain_text("The secret was not retired")
    expect(refused).to_contain_text("last secret")
    expect(refused).to_be_focused()
    assert secret_ids(system) == [new_id]


def test_an_agent_is_offered_no_connected_systems_and_the_api_refuses_them(page: Any) -> None:
    console_sign_in(page, "agent@demo.local")
    nav = page.get_by_role("navigation", name="Primary navigation")
    expect(nav.get_by_role("link", name="Search")).to_be_visible()
    assert nav.get_by_role("link", name="Connected systems").count() == 0
    page.goto("/console/connected-systems.html")  # typed in: the page loads, its data does not
    alert = page.locator("#clients .usa-alert--error")
    expect(alert).to_contain_text("Not allowed")
    assert page.locator("#clients table").count() == 0


def test_the_demo_client_is_listed_with_every_scope(portal: Portal, page: Any) -> None:
    console_sign_in(page, "admin@demo.local")
    page.goto("/console/connected-systems.html")
    status, listed = portal.api("GET", "/local/clients")  # local only: with the secrets' values
    assert status == 200, listed
    demo = next(c for c in listed["clients"] if c["client_name"] == "demo-erp")
    system = page.get_by_role("region", name="demo-erp", exact=True)
    expect(system).to_contain_text(demo["client_id"])
    assert system.locator(".facts code", has_text="integrations/").count() == len(integration_scopes.SCOPES)
    content = page.content()
    assert demo["client_secrets"] and not any(secret in content for secret in demo["client_secrets"])
