"""Reading back through the local gateway with a machine token (issue 12, "Reading back"): the event feed in order,
page by page, polled with an unchanged cursor, never skipping an event that commits late; the payments that changed,
after a portal payment, with their allocations by the source's invoice numbers; a balances comparison that answers
only the differences and what the platform does not know.

The feed serves only settled events (older than the settle window by the product clock), so each read happens on
a frozen clock a settle window past the writes. The session's ledger is shared: every check looks at this test's
own events, found by their entities.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from arportal import clock
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.config import settings
from arportal.domain.event_entities import EventEntity
from arportal.domain.event_feed import SETTLE_WINDOW
from local.environment import LocalEnvironment
from tests import source_records_support as s
from tests.integration.conftest import GatewayClient, Reply, Users
from tests.integration.integration_support import machine_token
from tests.integration.roundtrips import dynamodb_round_trips
from tests.quiet_days import quiet_day

EVENTS = "/v1/integrations/events"
PAYMENTS = "/v1/integrations/payments"
COMPARE = "/v1/integrations/balances:compare"
SETTLED = SETTLE_WINDOW + timedelta(seconds=1)


@pytest.fixture(scope="module")
def token(local_env: LocalEnvironment) -> str:
    return machine_token(local_env)


@contextmanager
def settled(after: timedelta = SETTLED) -> Iterator[datetime]:
    """The product clock frozen ``after`` past now: what was written so far has settled."""
    with clock.using(clock.FrozenClock(clock.now() + after)) as frozen:
        yield frozen.now()


def get(gateway: GatewayClient, token: str, path: str, **query: object) -> Reply:
    sent = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in query.items() if v is not None}
    return gateway.request("GET", f"{path}?{urlencode(sent)}" if sent else path, token=token)


def load(gateway: GatewayClient, token: str, kind: str, records: list[dict[str, Any]]) -> list[str]:
    reply = gateway.request("POST", f"/v1/integrations/{kind}:batch", token=token, json={"records": records})
    assert reply.status == 200, reply.body
    assert all(r["outcome"] in {"created", "updated"} for r in reply.body["results"]), reply.body
    return [str(r["entity_id"]) for r in reply.body["results"]]


def read_to_the_end(gateway: GatewayClient, token: str, **start: object) -> tuple[list[dict[str, Any]], str, int]:
    """Every page from ``start`` until one comes back empty: the events, the last cursor, the pages read."""
    events: list[dict[str, Any]] = []
    reply = get(gateway, token, EVENTS, **start)
    pages = 1
    while True:
        assert reply.status == 200, reply.body
        events += reply.body["events"]
        if not reply.body["events"]:
            return events, reply.body["next_cursor"], pages
        reply = get(gateway, token, EVENTS, after=reply.body["next_cursor"], limit=start.get("limit"))
        pages += 1


def test_the_feed_serves_every_settled_event_in_order_page_by_page(gateway: GatewayClient, token: str) -> None:
    since = clock.now()
    cid, acct = s.customer_id(), s.account_number()
    load(gateway, token, "customers", [s.customer(cid)])
    load(gateway, token, "accounts", [s.account(cid, acct)])
    first = s.invoice(cid, acct, amounts=(5_000,))
    invoice_ids = load(gateway, token, "invoices", [first, s.invoice(cid, acct), s.invoice(cid, acct)])
    raised = {**first, "source_version": 2, "amount": 6_000, "lines": s.lines(6_000)}
    load(gateway, token, "invoices", [raised])
    mine = {cid, acct, *invoice_ids}

    with settled():
        events, cursor, pages = read_to_the_end(gateway, token, since=since, limit=2)
        ours = [e for e in events if e["entity"]["id"] in mine]
        assert [(e["type"], e["entity"]["type"]) for e in ours] == [
            ("customer.loaded", "customer"),
            ("account.loaded", "account"),
            ("invoice.loaded", "invoice"),
            ("invoice.loaded", "invoice"),
            ("invoice.loaded", "invoice"),
            ("invoice.loaded", "invoice"),
        ]
        assert pages >= 4  # 2 a page
        ids = [e["event_id"] for e in events]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        # one invoice's events carry its version, the raised one last
        assert [e["entity"]["sequence"] for e in ours if e["entity"]["id"] == invoice_ids[0]] == [1, 2]
        assert [e["detail"]["amount"] for e in ours if e["entity"]["id"] == invoice_ids[0]] == [5_000, 6_000]
        # the detail is the bus's: the event's id, time and entity are in it
        for e in ours:
            assert e["detail"]["event_id"] == e["event_id"] and e["detail"]["entity"] == e["entity"]
            assert datetime.fromisoformat(e["occurred_at"]) >= since

        # polling: nothing new, the same cursor back, again and again
        for _ in range(2):
            idle = get(gateway, token, EVENTS, after=cursor)
            assert idle.status == 200 and idle.body == {"events": [], "next_cursor": cursor}


def test_a_page_of_100_is_at_most_2_round_trips(gateway: GatewayClient, token: str) -> None:
    since = clock.now()
    cid = s.customer_id()
    load(gateway, token, "customers", [s.customer(cid)])
    accounts = [s.account_number() for _ in range(4)]
    load(gateway, token, "accounts", [s.account(cid, a) for a in accounts])
    load(gateway, token, "invoices", [s.invoice(cid, accounts[i % 4]) for i in range(100)])
    with settled(), dynamodb_round_trips() as trips:
        page = get(gateway, token, EVENTS, since=since, limit=100)
    assert page.status == 200 and len(page.body["events"]) == 100
    assert [c.rsplit(".", 1)[-1] for c in trips.calls] == ["Query"]


def test_a_page_of_large_events_past_dynamodb_s_1_mb_answer_is_still_2_round_trips(
    gateway: GatewayClient, token: str
) -> None:
    # On a quiet day of its own: an event another test dated into this test's minute would take a place on the page.
    with clock.using(clock.FrozenClock(datetime.combine(quiet_day(), time(12), UTC))):
        since, marker = clock.now(), uuid.uuid4().hex
        for start in range(0, 100, 50):
            uow = DynamoUnitOfWork(settings().ledger_table)
            for i in range(start, start + 50):
                detail = {"marker": marker, "i": i, "padding": "x" * 15_000}  # 100 of them: 1.5 MB
                entity = EventEntity("test", marker, i + 1)
                uow.create(outbox_item("test.large", detail, at=clock.now(), entity=entity))
            uow.commit("test")
        with settled(), dynamodb_round_trips() as trips:
            page = get(gateway, token, EVENTS, since=since, limit=100)
    assert page.status == 200 and sorted(e["detail"]["i"] for e in page.body["events"]) == list(range(100))
    assert [c.rsplit(".", 1)[-1] for c in trips.calls] == ["Query", "Query"]


def test_an_event_that_commits_late_is_served_not_skipped(gateway: GatewayClient, token: str) -> None:
    marker = uuid.uuid4().hex
    start = clock.now()

    def written(name: str) -> DynamoUnitOfWork:
        uow = DynamoUnitOfWork(settings().ledger_table)
        detail = {"marker": marker, "name": name}
        uow.create(outbox_item("test.happened", detail, at=clock.now(), entity=EventEntity("test", marker, 1)))
        return uow

    def names(events: list[dict[str, Any]]) -> list[str]:
        return [e["detail"]["name"] for e in events if e["detail"].get("marker") == marker]

    with clock.using(clock.FrozenClock(start)) as frozen:
        slow = written("slow")  # its id is made now; its transaction commits 20 s later
        frozen.advance(timedelta(seconds=1))
        written("quick").commit("test")
        frozen.advance(timedelta(seconds=1))
        early = get(gateway, token, EVENTS, since=start)
        assert early.status == 200 and names(early.body["events"]) == []  # neither has settled: not even "quick"
        frozen.advance(timedelta(seconds=18))
        slow.commit("test")
        frozen.advance(SETTLE_WINDOW)
        later = get(gateway, token, EVENTS, after=early.body["next_cursor"])
        assert later.status == 200 and names(later.body["events"]) == ["slow", "quick"]


def test_refusals_a_forged_cursor_a_future_instant_and_a_token_without_the_scope(
    gateway: GatewayClient, token: str, local_env: LocalEnvironment
) -> None:
    def forged(key: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")

    payments_cursor = get(gateway, token, PAYMENTS, updated_after=clock.now()).body["next_cursor"]
    future = "evt_" + "Z" * 10
    for cursor in (
        "not-a-cursor",
        forged({"list": {"S": "events"}, "after": {"S": "pay_01JD3"}}),
        forged({"list": {"S": "events"}, "after": {"S": future}}),
        forged({"list": {"S": "events"}, "after": {"N": "1"}}),
        forged({"list": {"S": "events"}}),
        payments_cursor,
    ):
        reply = get(gateway, token, EVENTS, after=cursor)
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_cursor", cursor
    assert get(gateway, token, PAYMENTS, cursor="nope").body["error"]["code"] == "invalid_cursor"
    ahead = get(gateway, token, EVENTS, since=clock.now() + timedelta(hours=1))
    assert ahead.status == 422 and ahead.body["error"]["details"][0]["field"] == "query.since"
    naive = get(gateway, token, EVENTS, since="2026-01-01T00:00:00")
    assert naive.status == 422
    assert get(gateway, token, PAYMENTS).status == 422  # neither updated_after nor a cursor
    assert get(gateway, token, EVENTS, limit=501).status == 422

    narrow = machine_token(local_env, scope="integrations/invoices.write")
    for method, path, body in (("GET", EVENTS, None), ("GET", f"{PAYMENTS}?updated_after=2026-01-01T00:00:00Z", None)):
        reply = gateway.request(method, path, token=narrow, json=body)
        assert reply.status == 403 and reply.body["error"]["code"] == "insufficient_scope"
    compare = gateway.request("POST", COMPARE, token=narrow, json={"invoices": []})
    assert compare.status in {403, 422}
    one = {"customer_id": s.customer_id(), "invoice_id": "UT-0001", "balance": 1, "currency": "USD"}
    compare = gateway.request("POST", COMPARE, token=narrow, json={"invoices": [one]})
    assert compare.status == 403 and compare.body["error"]["details"] == {"needs": "integrations/balances.read"}


def test_a_portal_payment_is_read_back_with_the_source_s_invoice_numbers(
    gateway: GatewayClient, token: str, make_users: Any
) -> None:
    updated_after = clock.now()
    cid, acct = s.customer_id(), s.account_number()
    load(gateway, token, "customers", [s.customer(cid, email=f"{cid.lower()}@example.org")])
    load(gateway, token, "accounts", [s.account(cid, acct)])
    older = s.invoice(cid, acct, amounts=(3_000,), issue=s.TODAY - timedelta(days=30))
    newer = s.invoice(cid, acct, amounts=(5_000,))
    load(gateway, token, "invoices", [older, newer])
    users: Users = make_users(customer_id=cid)
    paid = gateway.request(
        "POST",
        "/v1/portal/payments",
        token=users.customer_token,
        json={"amount": 4_000, "currency": "USD", "method": "card", "token": "tok_visa"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert paid.status == 201, paid.body
    payment = paid.body["payment"]

    with settled():
        reply = get(gateway, token, PAYMENTS, updated_after=updated_after, limit=1)
        found: list[dict[str, Any]] = []
        for _ in range(50):
            assert reply.status == 200, reply.body
            found += reply.body["payments"]
            if not reply.body["payments"]:
                break
            reply = get(gateway, token, PAYMENTS, cursor=reply.body["next_cursor"], limit=1)
        (ours,) = [p for p in found if p["payment_id"] == payment["payment_id"]]
        assert {k: ours[k] for k in ("customer_id", "status", "amount", "currency", "method", "channel")} == {
            "customer_id": cid,
            "status": "posted",
            "amount": 4_000,
            "currency": "USD",
            "method": "card",
            "channel": "portal",
        }
        assert ours["receipt_number"] == payment["receipt_number"] and ours["transaction_id"]
        assert ours["fee_amount"] == payment["fee"]["amount"]
        assert sorted((a["invoice_id"], a["account_number"], a["amount"]) for a in ours["allocations"]) == sorted(
            [(older["invoice_number"], acct, 3_000), (newer["invoice_number"], acct, 1_000)]
        )
        # the same payment in the feed: payment.posted, about the payment, its first version
        events, _, _ = read_to_the_end(gateway, token, since=updated_after, limit=100)
        (posted,) = [e for e in events if e["entity"]["id"] == payment["payment_id"]]
        assert posted["type"] == "payment.posted" and posted["entity"] == {
            "type": "payment",
            "id": payment["payment_id"],
            "sequence": 1,
        }


def test_balances_compare_answers_only_differences_and_unknown_invoices(gateway: GatewayClient, token: str) -> None:
    cid, acct = s.customer_id(), s.account_number()
    load(gateway, token, "customers", [s.customer(cid)])
    load(gateway, token, "accounts", [s.account(cid, acct)])
    same, different, voided = (s.invoice(cid, acct, amounts=(5_000,)) for _ in range(3))
    load(gateway, token, "invoices", [same, different, voided])
    load(gateway, token, "invoices", [{**voided, "status": "void", "source_version": 2}])

    def held(record: dict[str, Any], balance: int, *, customer: str = cid) -> dict[str, Any]:
        return {"customer_id": customer, "invoice_id": record["invoice_number"], "balance": balance, "currency": "USD"}

    unknown = s.invoice(cid, acct)
    sent = [
        held(same, 5_000),
        held(different, 4_000),
        held(unknown, 1_000),
        held(voided, 5_000),
        held(same, 5_000, customer=s.customer_id()),
    ]
    with dynamodb_round_trips() as trips:
        reply = gateway.request("POST", COMPARE, token=token, json={"invoices": sent})
    assert reply.status == 200, reply.body
    assert reply.body["differences"] == [
        {
            "customer_id": cid,
            "invoice_id": different["invoice_number"],
            "theirs": 4_000,
            "ours": 5_000,
            "currency": "USD",
            "status": "open",
            "reason": "balance",
        },
        {
            "customer_id": cid,
            "invoice_id": voided["invoice_number"],
            "theirs": 5_000,
            "ours": 0,
            "currency": "USD",
            "status": "voided",
            "reason": "balance",
        },
    ]
    assert reply.body["unknown"] == [
        {"customer_id": cid, "invoice_id": unknown["invoice_number"]},
        {"customer_id": sent[4]["customer_id"], "invoice_id": same["invoice_number"]},
    ]
    assert reply.body["compared"] == 5
    assert [c.rsplit(".", 1)[-1] for c in trips.calls] == ["BatchGetItem"]

    many = gateway.request("POST", COMPARE, token=token, json={"invoices": [held(same, 1)] * 501})
    assert many.status == 422
