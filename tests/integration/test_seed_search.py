"""The seeded demo customer is findable by staff under the email its portal login uses (``seed.load`` sets the
profile's email to the login's; its search pointer must follow)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from arportal.adapters.dynamodb import customer_items, search_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.domain.source_records import SourceKind
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
    generated = gateway.request("GET", f"/v1/staff/search?q={quote(DEMO_CUSTOMER_EMAIL)}&type=email", token=agent)
    assert generated.status == 200, generated.body
    assert summary.demo_customer_id not in [m["customer"]["customer_id"] for m in generated.body["matches"]]


def test_every_seeded_profile_has_its_email_pointer_and_the_demo_one_its_login_email(local_env):
    # Given a small agency seeded the way `make dev` does (its profiles loaded through the integration API)
    demo_email = f"pointers-{uuid.uuid4().hex[:8]}@demo.local"
    prepared = seed.generate_items(5, customers=3, today=None, currency="USD")
    seed.load(local_env, prepared=prepared, demo_email=demo_email, staff_logins={})

    # Then every profile has the pointer staff search by email with, and the demo customer's is its login's email
    customer_ids = [body["customer_id"] for kind, body in prepared.source if kind is SourceKind.CUSTOMER]
    records = DynamoCustomerRecords(local_env.resources.ledger_table)
    wanted = [{"PK": customer_items.customer_pk(cid), "SK": sk} for cid in customer_ids
              for sk in (customer_items.PROFILE, search_items.EMAIL_POINTER)]  # fmt: skip
    found = {(i["PK"], i["SK"]): i for i in records.get_many(wanted)}
    assert customer_ids and set(found) == {(k["PK"], k["SK"]) for k in wanted}
    demo = found[(customer_items.customer_pk(prepared.demo_customer_id), search_items.EMAIL_POINTER)]
    assert demo["NSK"].startswith(f"{search_items.normalise_email(demo_email)}#")
