"""POST /v1/portal/accounts:link: a login is linked to ONE customer record, through Cognito's custom:customer_id,
only by an account number plus an invoice number on it or the postal code on file."""

from __future__ import annotations

import uuid

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from tests import builders as b
from tests.integration.conftest import new_customer_id

LINK = "/v1/portal/accounts:link"


@pytest.fixture
def household(local_env):
    """A customer record (billing postal code 62701) with a water account and an invoice on it."""
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**9:09d}")
    invoice = b.invoice(cid, account.account_number, number=f"LK-{uuid.uuid4().hex[:10].upper()}")
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid, name="Ruth Abara"), account, invoice])
    return {"customer_id": cid, "account": account, "invoice": invoice}


def _login(local_env, customer_id: str | None = None):
    user = local_env.create_user(f"link-{uuid.uuid4().hex[:10]}@example.com", customer_id=customer_id)
    return user, local_env.login(user.username).id_token


def _attribute(local_env, username: str) -> str | None:
    user = local_env.client("cognito-idp").admin_get_user(
        UserPoolId=local_env.resources.customer_pool_id, Username=username
    )
    return next((a["Value"] for a in user["UserAttributes"] if a["Name"] == "custom:customer_id"), None)


def test_a_new_login_links_by_invoice_number_and_sees_its_records_after_refresh(gateway, local_env, household):
    user, token = _login(local_env)
    # Not linked yet: the portal says so rather than showing anything.
    assert gateway.request("GET", "/v1/portal/invoices", token=token).body["error"]["code"] == "account_not_linked"
    body = {
        "account_number": household["account"].account_number.lower(),
        "invoice_number": household["invoice"].invoice_number,
    }
    reply = gateway.request("POST", LINK, token=token, json=body)
    assert reply.status == 200, reply.body
    assert reply.body == {
        "customer_id": household["customer_id"],
        "account_number": household["account"].account_number,
        "already_linked": False,
        "token_refresh_required": True,
    }
    assert _attribute(local_env, user.username) == household["customer_id"]
    fresh = local_env.login(user.username).id_token
    invoices = gateway.request("GET", "/v1/portal/invoices", token=fresh).body["invoices"]
    assert [i["invoice_id"] for i in invoices] == [household["invoice"].invoice_id]
    again = gateway.request("POST", LINK, token=fresh, json=body)
    assert again.status == 200 and again.body["already_linked"] is True
    assert again.body["token_refresh_required"] is False


def test_the_postal_code_on_file_is_a_proof(gateway, local_env, household):
    user, token = _login(local_env)
    reply = gateway.request(
        "POST", LINK, token=token, json={"account_number": household["account"].account_number, "postal_code": "62701"}
    )
    assert reply.status == 200 and _attribute(local_env, user.username) == household["customer_id"]


def test_wrong_proofs_and_unknown_accounts_answer_alike_and_link_nothing(gateway, local_env, household):
    user, token = _login(local_env)
    account = household["account"].account_number
    answers = [
        gateway.request("POST", LINK, token=token, json=body)
        for body in (
            {"account_number": account, "postal_code": "99999"},
            {"account_number": account, "invoice_number": "LK-NOTHERS"},
            {"account_number": "UT-000000001", "postal_code": "62701"},
        )
    ]
    assert {a.status for a in answers} == {422}
    assert len({str(a.body) for a in answers}) == 1  # the same words whether or not the account exists
    assert answers[0].body["error"]["code"] == "link_not_verified"
    assert _attribute(local_env, user.username) is None


def test_another_customers_invoice_does_not_prove_this_account(gateway, local_env, household):
    other = new_customer_id()
    other_account = b.account(other, number=f"UT-{uuid.uuid4().int % 10**9:09d}")
    other_invoice = b.invoice(other, other_account.account_number, number=f"LK-{uuid.uuid4().hex[:10].upper()}")
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(other), other_account, other_invoice])
    _, token = _login(local_env)
    reply = gateway.request(
        "POST",
        LINK,
        token=token,
        json={"account_number": household["account"].account_number, "invoice_number": other_invoice.invoice_number},
    )
    assert reply.status == 422


def test_an_account_of_another_customer_record_is_refused_for_a_linked_login(gateway, local_env, household):
    mine = new_customer_id()
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(mine)])
    user, token = _login(local_env, customer_id=mine)
    reply = gateway.request(
        "POST", LINK, token=token, json={"account_number": household["account"].account_number, "postal_code": "62701"}
    )
    assert reply.status == 409 and reply.body["error"]["code"] == "linked_to_another_customer"
    assert "contact the agency" in reply.body["error"]["message"]
    assert _attribute(local_env, user.username) == mine


def test_a_record_already_linked_to_another_login_is_refused(gateway, local_env, household):
    body = {"account_number": household["account"].account_number, "postal_code": "62701"}
    _, first = _login(local_env)
    assert gateway.request("POST", LINK, token=first, json=body).status == 200
    second_user, second = _login(local_env)
    reply = gateway.request("POST", LINK, token=second, json=body)
    assert reply.status == 409 and reply.body["error"]["code"] == "customer_linked_to_another_login"
    assert _attribute(local_env, second_user.username) is None


def test_wrong_proofs_are_rate_limited_per_login(gateway, local_env, household):
    _, token = _login(local_env)
    account = household["account"].account_number
    statuses = [
        gateway.request("POST", LINK, token=token, json={"account_number": account, "postal_code": "00000"}).status
        for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]
    right = gateway.request("POST", LINK, token=token, json={"account_number": account, "postal_code": "62701"})
    assert right.status == 429 and int(right.headers["retry-after"]) > 0


@pytest.mark.parametrize(
    "body",
    [
        {"account_number": "UT-1"},
        {"account_number": "UT-123456", "postal_code": "62701", "invoice_number": "UT-2026-1"},
        {"account_number": "UT-123456", "postal_code": "62701", "customer_id": "CUS-ABCD1234"},
    ],
)
def test_exactly_one_proof_and_nothing_else(gateway, local_env, body):
    _, token = _login(local_env)
    reply = gateway.request("POST", LINK, token=token, json=body)
    assert reply.status == 422 and reply.body["error"]["details"]


def test_staff_cannot_link(gateway, make_users, household):
    staff = make_users().staff_token
    body = {"account_number": household["account"].account_number, "postal_code": "62701"}
    assert gateway.request("POST", LINK, token=staff, json=body).status == 403
