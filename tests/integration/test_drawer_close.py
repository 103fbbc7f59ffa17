"""The drawer close-out through the local runtime (moto): cash and cheques taken at a counter, the drawer closed
short, its deposit among the deposits (not the payouts), the slip, a repeat that makes no second deposit, the next
close taking only what came after, a count in another currency, and who may close."""

from __future__ import annotations

import urllib.request
import uuid
from datetime import timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.dynamodb import codec, drawer_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from tests.integration.conftest import GatewayClient
from tests.integration.staff_actions_support import new_customer
from tests.unit.test_receipt_pdf import structure


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def take(  # noqa: PLR0917  # a payment as the counter takes it, named in the order a cashier thinks of it
    gateway: GatewayClient,
    token: str,
    cid: str,
    invoice_id: str,
    method: str,
    amount: int,
    terminal: str,
    drawer: str = "D1",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": cid, "amount": amount, "currency": "USD", "method": method, "channel": "counter",
        "terminal_id": terminal, "drawer_id": drawer, "lines": [{"invoice_id": invoice_id, "amount": amount}],
    }  # fmt: skip
    if method == "cheque":
        body["cheque_number"] = f"{uuid.uuid4().int % 10**6:06d}"
    reply = gateway.request("POST", "/v1/staff/payments", token=token, json=body, headers=_key())
    assert reply.status == 201, reply.body
    return dict(reply.body["payment"])


def close(
    gateway: GatewayClient, token: str, terminal: str, body: dict[str, Any], headers: dict[str, str] | None = None
):
    path = f"/v1/staff/finance/drawers/{terminal}/close"
    return gateway.request("POST", path, token=token, json=body, headers=headers or _key())


def count(cash: int, cheque: int, **extra: Any) -> dict[str, Any]:
    return {"drawer_id": "D1", "currency": "USD", "counted": {"cash": cash, "cheque": cheque}, **extra}


def listed(gateway: GatewayClient, token: str, what: str) -> list[dict[str, Any]]:
    today = clock.today()
    query = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}&limit=200"
    reply = gateway.request("GET", f"/v1/staff/finance/{what}?{query}", token=token)
    assert reply.status == 200, reply.body
    return list(reply.body[what])


def link(local_env: Any, payment_id: str) -> dict[str, Any] | None:
    found = local_env.client("dynamodb").get_item(
        TableName=local_env.resources.ledger_table,
        Key=codec.serialize(drawer_items.deposited_key(payment_id)),
        ConsistentRead=True,
    )
    return codec.deserialize(found["Item"]) if "Item" in found else None


def payment_item(local_env: Any, cid: str, payment_id: str) -> dict[str, Any]:
    found = local_env.client("dynamodb").get_item(
        TableName=local_env.resources.ledger_table,
        Key=codec.serialize({"PK": f"CUST#{cid}", "SK": f"PAY#{payment_id}"}),
        ConsistentRead=True,
    )
    return codec.deserialize(found["Item"])


@pytest.fixture(scope="module")
def staff(local_env) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    tokens = {}
    for role in ("agent", "finance"):
        user = local_env.create_user(f"drawer-{role}-{tag}@example.org", groups=(role,))
        tokens[role] = local_env.login(user.username).id_token
    return tokens


def test_a_drawer_closed_short_makes_one_deposit_with_its_slip(local_env, gateway, staff):
    agent, finance = staff["agent"], staff["finance"]
    terminal = f"T1-{uuid.uuid4().hex[:8]}"
    cid, _, (invoice,) = new_customer(local_env, amounts=(100_000,))
    # Given two cash payments and a cheque taken on terminal T1, drawer D1, and a card payment at the same counter
    cash = [take(gateway, agent, cid, invoice.invoice_id, "cash", a, terminal) for a in (2_500, 4_000)]
    cheque = take(gateway, agent, cid, invoice.invoice_id, "cheque", 12_345, terminal)
    other_drawer = take(gateway, agent, cid, invoice.invoice_id, "cash", 700, terminal, drawer="D2")

    # When the cashier counts 5.00 short in cash and closes the drawer
    key = _key()
    reply = close(gateway, agent, terminal, count(6_000, 12_345, note="a 5.00 note missing"), key)

    # Then the close compares the count with what the drawer took, and takes those three payments
    assert reply.status == 201, reply.body
    closed = reply.body
    assert closed["expected"] == {"cash": 6_500, "cheque": 12_345, "total": 18_845}
    assert closed["counted"] == {"cash": 6_000, "cheque": 12_345, "total": 18_345}
    assert closed["over_short"] == {"cash": -500, "cheque": 0, "total": -500}
    assert closed["period_from"] is None and closed["replayed"] is False
    taken = {p["payment_id"] for p in closed["payments"]}
    assert taken == {cash[0]["payment_id"], cash[1]["payment_id"], cheque["payment_id"]}
    assert closed["payment_count"] == 3
    assert closed["cheques"] == [{"number": cheque["method"]["cheque_number"], "amount": 12_345}]
    deposit_id = closed["deposit_id"]
    assert deposit_id.startswith("dep_")
    # each payment names its deposit; the other drawer's payment is in none
    for payment_id in taken:
        found = link(local_env, payment_id)
        assert found and found["deposit_id"] == deposit_id and found["closed_by"] and found["closed_at"]
    assert link(local_env, other_drawer["payment_id"]) is None
    # the short is on the drawer's audit chain
    trail = DynamoAuditTrail(local_env.resources.audit_table)
    records = trail.history("drawer", f"{terminal}#D1")
    assert [r["action"] for r in records] == ["drawer.closed"]
    assert records[0]["after"]["over_short"] == {"cash": -500, "cheque": 0}
    assert records[0]["reason"] == "a 5.00 note missing" and trail.verify("drawer", f"{terminal}#D1").ok

    # And the deposit is expected among the deposits, for the counted total, and is not a payout
    deposit = next(d for d in listed(gateway, finance, "deposits") if d["payout_id"] == deposit_id)
    assert deposit["processor"] == "counter" and deposit["amount"] == 18_345
    assert deposit["deposit_status"] == "expected" and deposit["arrival_date"] == closed["business_date"]
    assert deposit_id not in {p["payout_id"] for p in listed(gateway, finance, "payouts")}

    # And the slip is a PDF with the cheque, the cash and the total
    slip = gateway.request("GET", closed["slip_url"], token=agent)
    assert slip.status == 200 and slip.body["deposit_id"] == deposit_id, slip.body
    with urllib.request.urlopen(slip.body["url"], timeout=10) as opened:  # noqa: S310  # moto on loopback
        _, text = structure(opened.read())
    for shown in (b"123.45 USD", b"60.00 USD", b"183.45 USD", deposit_id.encode(), terminal.encode()):
        assert shown in text, shown
    assert cheque["method"]["cheque_number"].encode() in text
    # paid into the account the agency's bankAccounts say takes counter deposits (the demo's operating account)
    assert b"Operating account" in text and b"routing 011000015" in text

    # When the close is sent again, with the same key or another: the first close, and no second deposit
    deposits_before = {d["payout_id"] for d in listed(gateway, finance, "deposits") if d["processor"] == "counter"}
    same_key = close(gateway, agent, terminal, count(6_000, 12_345, note="a 5.00 note missing"), key)
    assert same_key.status == 201 and same_key.body == closed
    again = close(gateway, agent, terminal, count(6_000, 12_345, note="a 5.00 note missing"))
    assert again.status == 200 and again.body["deposit_id"] == deposit_id and again.body["replayed"] is True
    deposits_after = {d["payout_id"] for d in listed(gateway, finance, "deposits") if d["processor"] == "counter"}
    assert deposits_after == deposits_before

    # And finance confirms it reached the bank, as any deposit
    confirmed = gateway.request("POST", f"/v1/staff/finance/deposits/{deposit_id}/confirm", token=finance)
    assert confirmed.status == 200 and confirmed.body["deposit_status"] == "deposited"

    # When a payment is taken after the close, the next close takes it alone
    later = take(gateway, agent, cid, invoice.invoice_id, "cash", 1_000, terminal)
    nothing_new = close(gateway, agent, terminal, count(0, 0))
    assert nothing_new.status == 422 and nothing_new.body["error"]["code"] == "note_required"
    second = close(gateway, agent, terminal, count(1_000, 0))
    assert second.status == 201, second.body
    assert [p["payment_id"] for p in second.body["payments"]] == [later["payment_id"]]
    assert second.body["period_from"] == closed["through"] and second.body["deposit_id"] != deposit_id
    assert second.body["over_short"]["total"] == 0


def test_a_count_in_another_currency_opens_an_item_and_closes_nothing(local_env, gateway, staff):
    agent, finance = staff["agent"], staff["finance"]
    terminal = f"T1-{uuid.uuid4().hex[:8]}"
    cid, _, (invoice,) = new_customer(local_env, amounts=(10_000,))
    paid = take(gateway, agent, cid, invoice.invoice_id, "cash", 3_000, terminal)
    before = payment_item(local_env, cid, paid["payment_id"])

    wrong = close(gateway, agent, terminal, count(3_000, 0, currency="EUR"))
    assert wrong.status == 422, wrong.body
    assert wrong.body["error"]["code"] == "drawer_currency_mismatch"
    item_id = wrong.body["error"]["details"]["reconciliation_item_id"]
    # sent again, the same item: one per wrong count of the drawer's period
    assert (
        close(gateway, agent, terminal, count(3_000, 0, currency="EUR")).body["error"]["details"]
        == (wrong.body["error"]["details"])
    )
    items = gateway.request(
        "GET", "/v1/staff/finance/reconciliation-items?status=open&reason=drawer_currency_mismatch&limit=200",
        token=finance,
    )  # fmt: skip
    assert items.status == 200, items.body
    item = next(i for i in items.body["items"] if i["item_id"] == item_id)
    assert item["currency"] == "EUR" and terminal in item["note"]
    # the payment is as it was, and in no deposit
    assert payment_item(local_env, cid, paid["payment_id"]) == before
    assert link(local_env, paid["payment_id"]) is None
    # the right count then closes it
    right = close(gateway, agent, terminal, count(3_000, 0))
    assert right.status == 201 and [p["payment_id"] for p in right.body["payments"]] == [paid["payment_id"]]


def test_who_may_close_a_drawer(local_env, gateway, staff, make_users):
    terminal = f"T1-{uuid.uuid4().hex[:8]}"
    users = make_users(groups=("agent",))
    assert close(gateway, users.customer_token, terminal, count(100, 0, note="x")).status == 403
    assert close(gateway, None, terminal, count(100, 0, note="x")).status == 401
    # a supervisor closes a drawer a cashier left open; money found in an empty drawer is deposited as an over
    supervisor = make_users(groups=("supervisor",)).staff_token
    found = close(gateway, supervisor, terminal, count(2_000, 0, note="found in the drawer"))
    assert found.status == 201 and found.body["over_short"]["cash"] == 2_000 and found.body["payments"] == []
    assert gateway.request("GET", found.body["slip_url"], token=users.customer_token).status == 403
