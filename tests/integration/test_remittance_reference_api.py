"""The remittance reference through the gateway: on ``GET /v1/portal/me``, on the staff customer record, in
``GET /v1/portal/payment-instructions`` with the agency's accounts that take wires or ACH credits (none configured:
no accounts), and staff search finding the customer by the reference typed as a payer writes it."""

from __future__ import annotations

import json
import os

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.remittance_reference import compact, customer_for, is_valid
from infrastructure.deployment_config import BankAccountConfig, compact_bank_accounts
from tests import builders as b
from tests.integration.conftest import new_customer_id

ME = "/v1/portal/me"
INSTRUCTIONS = "/v1/portal/payment-instructions"
# Two accounts: one takes wires and ACH credits, the other only the lockbox (never shown to payers)
ACCOUNTS = {
    "operating": {
        "name": "Operating account",
        "bankName": "First Bank of Springfield",
        "accountNumber": "4400123456",
        "routingNumber": "011000015",
        "currency": "USD",
        "receives": ["processor_payouts", "wires", "ach_credits"],
    },
    "lockbox": {
        "name": "Lockbox account",
        "bankName": "First Bank of Springfield",
        "accountNumber": "4400987654",
        "routingNumber": "011000015",
        "currency": "USD",
        "receives": ["lockbox"],
    },
}


@pytest.fixture
def customer(local_env, make_users):
    cid = new_customer_id()
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid, name="Remy Fontaine")])
    return cid, make_users(customer_id=cid, groups=("agent",))


@pytest.fixture
def bank_accounts(local_env):
    """The functions' BANK_ACCOUNTS set for one test, then set back."""
    before = os.environ.get("BANK_ACCOUNTS", "{}")

    def use(accounts: dict[str, dict[str, object]]) -> None:
        # As the deploy writes it (its compact form), from the deployment config's shape
        configs = {key: BankAccountConfig.model_validate(entry) for key, entry in accounts.items()}
        local_env.configure(BANK_ACCOUNTS=json.dumps(compact_bank_accounts(configs)))

    yield use
    local_env.configure(BANK_ACCOUNTS=before)


def test_the_portal_profile_and_the_staff_record_carry_the_same_reference(gateway, customer):
    cid, users = customer
    mine = gateway.request("GET", ME, token=users.customer_token)
    assert mine.status == 200, mine.body
    reference = mine.body["remittance_reference"]
    assert reference.startswith("RF") and is_valid(reference)
    assert all(len(group) == 4 for group in reference.split(" ")[:-1])  # groups of four, as printed
    assert customer_for(reference) == cid  # it reads back to this customer, and no other
    record = gateway.request("GET", f"/v1/staff/customers/{cid}", token=users.staff_token)
    assert record.status == 200, record.body
    assert record.body["profile"]["remittance_reference"] == reference
    # Stable: asked again, the same
    assert gateway.request("GET", ME, token=users.customer_token).body["remittance_reference"] == reference


def test_payment_instructions_name_only_the_accounts_that_take_wires_or_ach_credits(gateway, customer, bank_accounts):
    cid, users = customer
    bank_accounts(ACCOUNTS)
    reply = gateway.request("GET", INSTRUCTIONS, token=users.customer_token)
    assert reply.status == 200, reply.body
    body = reply.body
    assert customer_for(body["remittance_reference"]) == cid
    assert body["remittance_reference"] == compact(body["remittance_reference_display"])
    assert body["beneficiary_name"] == settings().agency_name
    assert body["accounts"] == [
        {
            "account_id": "operating",
            "account_name": "Operating account",
            "bank_name": "First Bank of Springfield",
            "routing_number": "011000015",
            "account_number": "4400123456",
            "currency": "USD",
            "receives": ["ach_credits", "wires"],
        }
    ]


def test_no_account_taking_wires_means_no_instructions(gateway, customer, bank_accounts):
    _, users = customer
    bank_accounts({"lockbox": ACCOUNTS["lockbox"]})
    reply = gateway.request("GET", INSTRUCTIONS, token=users.customer_token)
    assert reply.status == 200, reply.body
    assert reply.body["accounts"] == []


def test_payment_instructions_are_for_customers_only(gateway, customer):
    _, users = customer
    assert gateway.request("GET", INSTRUCTIONS).status == 401
    assert gateway.request("GET", INSTRUCTIONS, token=users.staff_token).status == 403


@pytest.mark.parametrize("written", ["spaced", "compact", "lower"])
def test_staff_search_finds_the_customer_by_the_reference(gateway, customer, written):
    cid, users = customer
    shown = gateway.request("GET", ME, token=users.customer_token).body["remittance_reference"]
    query = {"spaced": shown, "compact": compact(shown), "lower": shown.lower()}[written]
    reply = gateway.request("GET", f"/v1/staff/search?q={query.replace(' ', '%20')}", token=users.staff_token)
    assert reply.status == 200, reply.body
    assert [m["customer"]["customer_id"] for m in reply.body["matches"]] == [cid], reply.body
    assert reply.body["interpreted_as"] == ["customer"]


def test_a_reference_with_a_wrong_check_digit_finds_nobody(gateway, customer):
    _, users = customer
    shown = compact(gateway.request("GET", ME, token=users.customer_token).body["remittance_reference"])
    wrong = shown[:2] + f"{(int(shown[2:4]) + 1) % 100:02d}" + shown[4:]
    reply = gateway.request("GET", f"/v1/staff/search?q={wrong}", token=users.staff_token)
    assert reply.status == 200, reply.body
    assert reply.body["matches"] == []
