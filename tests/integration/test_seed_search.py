"""The seeded demo customer is findable by staff under the email its portal login uses (``seed.load`` sets the
profile's email to the login's; its search pointer must follow)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from arportal.adapters.dynamodb import keys
from local import seed
from local.seed_data import DEMO_CUSTOMER_EMAIL


@pytest.mark.parametrize("write", ["import", "api"])
def test_staff_find_the_seeded_demo_customer_by_its_login_email(local_env, gateway, make_users, write):
    # Given a small agency seeded the way `make dev` does, with a demo login of its own
    tag = uuid.uuid4().hex[:8]
    demo_email = f"customer-{tag}@demo.local"
    prepared = seed.generate_items(5, customers=3, today=None, currency="USD")
    summary = seed.load(local_env, write=write, prepared=prepared, demo_email=demo_email, staff_logins={})
    agent = make_users(groups=("agent",)).staff_token

    # When staff search by that email
    reply = gateway.request("GET", f"/v1/staff/search?q={quote(demo_email)}&type=email", token=agent)

    # Then the demo customer is the one match, and the email it was generated with finds no one
    assert reply.status == 200, reply.body
    assert [m["customer"]["customer_id"] for m in reply.body["matches"]] == [summary.demo_customer_id]
    assert reply.body["matches"][0]["customer"]["email"] == demo_email
    generated = next(i for i in prepared.items if i.get("type") == "customer" and i["SK"] == "#PROFILE")
    assert generated["email"] == demo_email


def test_the_generated_agency_carries_a_pointer_for_every_profile_and_the_demo_address():
    prepared = seed.generate_items(5, customers=4, today=None, currency="USD")
    profiles = [i for i in prepared.items if i["SK"] == keys.PROFILE]
    email_pointers = {i["PK"]: i for i in prepared.items if i["SK"] == keys.EMAIL_POINTER}
    assert profiles and set(email_pointers) == {p["PK"] for p in profiles}
    demo = email_pointers[keys.customer_pk(prepared.demo_customer_id)]
    assert demo["NSK"].startswith(f"{keys.normalise_email(DEMO_CUSTOMER_EMAIL)}#")
