"""Staff search by the start of a name, an email address or a phone number (ByName pointer items)."""

from __future__ import annotations

import secrets
import uuid

import pytest

from arportal.adapters.dynamodb import customer_items, search_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.search_pointers import sync_search_pointers
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips


def _phone() -> tuple[str, str]:
    """A number no other test uses: (as stored, its ten digits)."""
    digits = f"{secrets.choice('23456789')}{secrets.randbelow(10**9):09d}"
    return f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}", digits


@pytest.fixture(scope="module")
def people(local_env):
    tag = uuid.uuid4().hex[:8]
    surname = f"Zephyrine{tag}"
    made = []
    for first in ("Aurelio", "Bettina"):
        cid = new_customer_id()
        phone, digits = _phone()
        customer = b.customer(cid, name=f"{first} {surname}", email=f"{first.lower()}.{surname.lower()}@example.org")
        made.append((customer.model_copy(update={"phone": phone}), digits))
    DynamoCustomerRecords(settings().ledger_table).put_new([c for c, _ in made])
    return {"surname": surname, "people": made}


@pytest.fixture
def agent(make_users):
    return make_users(groups=("agent",)).staff_token


def _ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [m["customer"]["customer_id"] for m in reply.body["matches"]]


def test_put_new_writes_the_profiles_search_pointers(local_env, people):
    customer, _ = people["people"][0]
    found = local_env.client("dynamodb").query(
        TableName=settings().ledger_table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :s)",
        ExpressionAttributeValues={
            ":pk": {"S": customer_items.customer_pk(customer.customer_id)},
            ":s": {"S": "SRCH#"},
        },
    )["Items"]
    assert {i["SK"]["S"] for i in found} == {
        search_items.EMAIL_POINTER,
        search_items.PHONE_POINTER,
        *search_items.WORD_POINTERS[:2],  # "Aurelio Zephyrine...": two words
    }


def test_email_prefix_finds_the_customer_in_one_read(gateway, people, agent):
    customer, _ = people["people"][1]
    with dynamodb_round_trips() as trips:
        prefix = customer.email[: customer.email.index("@") + 4].upper()  # an "@" makes it an address
        reply = gateway.request("GET", f"/v1/staff/search?q={prefix}", token=agent)
    assert _ids(reply) == [customer.customer_id] and len(trips) == 1, trips.calls
    assert reply.body["interpreted_as"] == ["email"]
    match = reply.body["matches"][0]
    assert match["kind"] == "email" and match["customer"]["name"] == customer.name


@pytest.mark.parametrize("shape", ["spaced", "dashed", "digits"])
def test_phone_prefix_in_any_shape_in_at_most_two_reads(gateway, people, agent, shape):
    customer, digits = people["people"][0]
    query = {
        "spaced": f"%2B1 ({digits[:3]}) {digits[3:6]}",  # "+1 (217) 555": no key looks like this: one read
        "dashed": f"{digits[:3]}-{digits[3:6]}-{digits[6:8]}",  # looks like an invoice number: tried as one first
        "digits": f"1{digits[:7]}",
    }[shape]
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", f"/v1/staff/search?q={query}", token=agent)
    assert _ids(reply) == [customer.customer_id]
    assert len(trips) <= 2, trips.calls
    assert "phone" in reply.body["interpreted_as"]


def test_a_single_word_is_a_name_or_an_address_and_each_customer_is_listed_once(gateway, people, agent):
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", "/v1/staff/search?q=aurelio", token=agent)
    wanted = people["people"][0][0].customer_id
    assert _ids(reply).count(wanted) == 1 and len(trips) <= 2
    full = gateway.request("GET", f"/v1/staff/search?q=bettina%20{people['surname']}", token=agent)
    assert _ids(full) == [people["people"][1][0].customer_id]


def test_a_kind_restricts_the_search(gateway, people, agent):
    customer, digits = people["people"][1]
    by_email = gateway.request("GET", "/v1/staff/search?q=bettina&type=email", token=agent)
    assert customer.customer_id in _ids(by_email) and {m["kind"] for m in by_email.body["matches"]} == {"email"}
    by_phone = gateway.request("GET", f"/v1/staff/search?q={digits[:6]}&type=phone", token=agent)
    assert _ids(by_phone) == [customer.customer_id]
    assert gateway.request("GET", "/v1/staff/search?q=bettina&type=phone", token=agent).body["matches"] == []


def test_changed_contact_details_are_found_by_their_new_values_once_synced(gateway, local_env, agent):
    # Given a customer found by email and phone
    cid = new_customer_id()
    old_phone, old_digits = _phone()
    customer = b.customer(cid, name="Casimir Oyelaran", email=f"casimir.{uuid.uuid4().hex[:8]}@example.org")
    customer = customer.model_copy(update={"phone": old_phone})
    DynamoCustomerRecords(settings().ledger_table).put_new([customer])
    # When the phone changes and the email is removed, and the profile's pointers are synced
    new_phone, new_digits = _phone()
    changed = customer.model_copy(update={"phone": new_phone, "email": None})
    sync_search_pointers(settings().ledger_table, changed)
    # Then the new number finds the customer, the old number and the old address no longer do
    assert _ids(gateway.request("GET", f"/v1/staff/search?q={new_digits[:7]}&type=phone", token=agent)) == [cid]
    assert cid not in _ids(gateway.request("GET", f"/v1/staff/search?q={old_digits}&type=phone", token=agent))
    assert cid not in _ids(gateway.request("GET", f"/v1/staff/search?q={customer.email}", token=agent))


def _letters() -> str:
    """A word no other test uses, without digits (a word with digits looks like an invoice number)."""
    return "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))


def test_a_surname_finds_everyone_with_it_ranked_in_at_most_two_reads(gateway, agent):
    # Given two people sharing a surname and a business whose name starts with it
    surname = f"Vel{_letters()}".capitalize()
    people = [b.customer(new_customer_id(), name=f"{first} {surname}") for first in ("Jordan", "Anika")]
    business = b.customer(new_customer_id(), name=f"{surname} Plumbing and Heating")
    DynamoCustomerRecords(settings().ledger_table).put_new([*people, business])
    # When staff search by the surname alone
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", f"/v1/staff/search?q={surname.lower()}", token=agent)
    # Then the business (its name starts with it) comes first, then both people by name, in two reads (name, email)
    assert _ids(reply) == [business.customer_id, people[1].customer_id, people[0].customer_id]
    assert len(trips) == 2, trips.calls
    # And the business is found by any word of its name, and a given name with the surname finds the person
    assert business.customer_id in _ids(gateway.request("GET", "/v1/staff/search?q=plumbing&limit=50", token=agent))
    assert _ids(gateway.request("GET", f"/v1/staff/search?q=jordan%20{surname}", token=agent)) == [
        people[0].customer_id
    ]


def test_a_renamed_customer_is_no_longer_found_by_a_word_it_lost(gateway, local_env, agent):
    cid = new_customer_id()
    word = _letters()
    customer = b.customer(cid, name=f"Ines Marlowe {word}")
    DynamoCustomerRecords(settings().ledger_table).put_new([customer])
    assert cid in _ids(gateway.request("GET", f"/v1/staff/search?q={word}", token=agent))
    sync_search_pointers(settings().ledger_table, customer.model_copy(update={"name": "Ines Marlowe"}))
    assert cid not in _ids(gateway.request("GET", f"/v1/staff/search?q={word}", token=agent))
    assert cid in _ids(gateway.request("GET", "/v1/staff/search?q=marlowe&limit=50", token=agent))
