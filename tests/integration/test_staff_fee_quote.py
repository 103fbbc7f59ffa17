"""Staff card payments show their convenience fee before the agent confirms: the console asks the staff quote
(``GET /v1/staff/payments:quote``), and the card is charged exactly the quoted total. Whether staff channels charge
a fee at all is the agency's (``staffConvenienceFees`` -> ``STAFF_CONVENIENCE_FEES``; by default they charge the
portal's fee)."""

from __future__ import annotations

from arportal.adapters.sandbox_store import DynamoSandboxStore
from arportal.config import settings
from tests.integration.staff_actions_support import new_customer, pay


def _quote(gateway, token: str, amount: int, method: str):
    reply = gateway.request("GET", f"/v1/staff/payments:quote?amount={amount}&method={method}", token=token)
    assert reply.status == 200, reply.body
    return reply.body


def _charged(payment_id: str, transaction_id: str) -> int:
    found = DynamoSandboxStore(settings().ledger_table).transaction(transaction_id)
    assert found is not None, payment_id
    return found.amount


def test_the_agent_sees_the_fee_the_card_is_then_charged(local_env, gateway, make_users):
    # Given a cart of 520.00 on the phone
    cid, _, (first,) = new_customer(local_env, amounts=(52_000,))
    agent = make_users(groups=("agent",)).staff_token

    # When the console asks what a card payment of it costs
    quote = _quote(gateway, agent, 52_000, "card")

    # Then it shows the agency's 2.5 % card fee and the total, the portal's quote for the same payment
    assert (quote["amount"]["amount"], quote["fee"]["amount"], quote["total"]["amount"]) == (52_000, 1_300, 53_300)
    assert quote["staff_fees"] is True
    assert _quote(gateway, agent, 52_000, "cash")["fee"]["amount"] == 0
    customer = make_users(customer_id=cid).customer_token
    portal = gateway.request("GET", "/v1/portal/payments:quote?amount=52000&method=card", token=customer)
    assert portal.status == 200 and portal.body["fee"] == quote["fee"]

    # And taking the payment charges the card exactly the quoted total, and records the fee
    taken = pay(gateway, agent, cid, [{"invoice_id": first.invoice_id, "amount": 52_000}])
    assert taken.status == 201, taken.body
    payment = taken.body["payment"]
    assert payment["fee_amount"] == quote["fee"]["amount"]
    assert _charged(payment["payment_id"], payment["transaction_id"]) == quote["total"]["amount"]


def test_an_agency_whose_staff_channels_charge_no_fee(local_env, gateway, make_users):
    cid, _, (first,) = new_customer(local_env, amounts=(52_000,))
    agent = make_users(groups=("agent",)).staff_token
    before = local_env.function_env["STAFF_CONVENIENCE_FEES"]
    local_env.configure(STAFF_CONVENIENCE_FEES="false")
    try:
        quote = _quote(gateway, agent, 52_000, "card")
        taken = pay(gateway, agent, cid, [{"invoice_id": first.invoice_id, "amount": 52_000}])
        customer = make_users(customer_id=cid).customer_token
        portal = gateway.request("GET", "/v1/portal/payments:quote?amount=52000&method=card", token=customer)
    finally:
        local_env.configure(STAFF_CONVENIENCE_FEES=before)
    assert before == "true"  # the default: staff channels charge the portal's fee
    # The quote says there is no fee, and the card is charged the cart's amount, nothing on top
    assert (quote["fee"]["amount"], quote["total"]["amount"], quote["staff_fees"]) == (0, 52_000, False)
    assert taken.status == 201, taken.body
    payment = taken.body["payment"]
    assert payment["fee_amount"] == 0
    assert _charged(payment["payment_id"], payment["transaction_id"]) == 52_000
    # while the portal still charges its fee
    assert portal.body["fee"]["amount"] == 1_300


def test_the_quote_needs_payments_take_and_a_valid_amount_and_method(local_env, gateway, make_users):
    users = make_users(groups=("finance",))  # finance may read reports, not take payments
    refused = gateway.request("GET", "/v1/staff/payments:quote?amount=100&method=card", token=users.staff_token)
    assert refused.status == 403
    assert (
        gateway.request("GET", "/v1/staff/payments:quote?amount=100&method=card", token=users.customer_token).status
        == 403
    )
    agent = make_users(groups=("agent",)).staff_token
    for query in ("amount=0&method=card", "amount=100&method=ach", "amount=1.5&method=card", "method=card"):
        assert gateway.request("GET", f"/v1/staff/payments:quote?{query}", token=agent).status == 422, query
