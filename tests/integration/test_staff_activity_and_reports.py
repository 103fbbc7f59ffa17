"""Activity browsing and the collections / exceptions reports, over days no other test writes to."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from arportal.adapters.dynamodb.approvals import DynamoApprovalWorkflowStore
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.api.pagination import encode_cursor
from arportal.config import settings
from arportal.domain.ids import new_id
from arportal.domain.models import (
    Allocation,
    Approval,
    Channel,
    Interaction,
    InteractionKind,
    MethodDetail,
    PaymentMethodType,
)
from arportal.domain.status import PaymentStatus
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips
from tests.quiet_days import quiet_day

S = PaymentStatus


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


@pytest.fixture(scope="module")
def days(local_env):
    """Two quiet days far in the future: a busy first day of payments in every state, a second with a phone
    payment and three interactions; one approval waiting."""
    d1 = quiet_day(days=2)
    d2 = d1 + timedelta(days=1)
    cid = new_customer_id()

    def pay(key, amount, hour, *, day=d1, status=S.POSTED, channel=Channel.PORTAL, departments=("utilities",), **more):
        p = b.payment(cid, amount=amount, status=status, at=_at(day, hour), channel=channel)
        return key, p.model_copy(update={"departments": list(departments), **more})

    payments = dict(
        [
            pay("card", 10_000, 9),
            pay("counter", 25_000, 10, status=S.SETTLED, channel=Channel.COUNTER, terminal_id="CTR-9",
                departments=("property_tax", "utilities"), method=MethodDetail(type=PaymentMethodType.CASH)),
            pay("overpaid", 6_000, 11, departments=("parking",), unapplied=2_000),
            pay("ach", 9_000, 12, status=S.PENDING, method=MethodDetail(type=PaymentMethodType.ACH, last4="1111")),
            pay("declined", 3_000, 13, status=S.FAILED, departments=()),
            pay("refunded", 2_000, 14, status=S.REFUNDED, refunded=2_000),
            pay("with_fee", 5_000, 15, status=S.PARTIALLY_REFUNDED, fee_amount=125, refunded=1_000),
            pay("phone", 1_500, 9, day=d2, status=S.SETTLED, channel=Channel.PHONE, departments=("parking",)),
        ]
    )  # fmt: skip

    def alloc(key, department, amount):
        p = payments[key]
        return Allocation(
            payment_id=p.payment_id,
            invoice_id=f"inv_{uuid.uuid4().hex[:26].upper()}",
            invoice_number=f"INV-{b.n():06d}",
            customer_id=cid,
            account_number=f"UT-{b.n() + 500000}",
            department=department,
            amount=amount,
            currency="USD",
            applied_at=p.created_at,
        )

    allocations = [
        alloc("card", "utilities", 10_000),
        alloc("counter", "property_tax", 20_000),
        alloc("counter", "utilities", 5_000),
        alloc("overpaid", "parking", 4_000),
        alloc("phone", "parking", 1_500),
    ]  # "with_fee" has none beside it: split by its one department
    interactions = [
        Interaction(
            interaction_id=new_id("int", now_ms=int(_at(d2, 10 + i).timestamp() * 1000)),
            customer_id=cid,
            kind=kind,
            summary="handled",
            at=_at(d2, 10 + i),
        )
        for i, kind in enumerate((InteractionKind.CALL, InteractionKind.CALL, InteractionKind.NOTE))
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [b.customer(cid), *payments.values(), *allocations, *interactions]
    )
    approval = Approval(
        approval_id=f"apr_{uuid.uuid4().hex[:20]}",
        action="void",
        requested_by="staff:agent@example.org",
        amount=25_000,
        currency="USD",
        target_id=payments["counter"].payment_id,
        reason="Keyed twice",
        created_at=datetime.now(UTC),
        customer_id=cid,
    )
    local_env.rebuild_daily_totals(d1, d2)  # loaded without events: the collections read the daily totals
    DynamoApprovalWorkflowStore(settings().ledger_table).save_approval_request(
        approval, task_token="t", expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    return {"d1": d1, "d2": d2, "payments": payments, "approval": approval}


@pytest.fixture(scope="module")
def tokens(local_env):
    made = {}
    for role in ("agent", "finance"):
        user = local_env.create_user(f"{role}-{uuid.uuid4().hex[:8]}@example.org", groups=(role,))
        made[role] = local_env.login(user.username).id_token
    return made


def _range(days) -> str:
    return f"from={days['d1'].isoformat()}&to={days['d2'].isoformat()}"


def _ids(reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [p["payment_id"] for p in reply.body["payments"]]


class TestActivity:
    def test_every_payment_of_the_range_newest_first_one_query_a_day(self, gateway, days, tokens):
        with dynamodb_round_trips() as trips:
            reply = gateway.request("GET", f"/v1/staff/activity?{_range(days)}", token=tokens["agent"])
        newest_first = sorted(days["payments"].values(), key=lambda p: p.created_at, reverse=True)
        assert _ids(reply) == [p.payment_id for p in newest_first]  # allocations and interactions are not listed
        assert reply.body["next_cursor"] is None
        assert [c.rsplit(".", 1)[-1] for c in trips.calls] == ["Query", "Query"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("channel=counter", ["counter"]),
            ("terminal=CTR-9", ["counter"]),
            ("status=pending", ["ach"]),
            ("department=parking", ["phone", "overpaid"]),
            ("department=property_tax&channel=counter&status=settled", ["counter"]),
            ("channel=autopay", []),
        ],
    )
    def test_filters(self, gateway, days, tokens, query, expected):
        reply = gateway.request("GET", f"/v1/staff/activity?{_range(days)}&{query}", token=tokens["agent"])
        assert _ids(reply) == [days["payments"][k].payment_id for k in expected]

    def test_pages_follow_on_across_days_without_gaps_or_repeats(self, gateway, days, tokens):
        seen, cursor, pages = [], None, 0
        while True:
            path = f"/v1/staff/activity?{_range(days)}&limit=3" + (f"&cursor={cursor}" if cursor else "")
            reply = gateway.request("GET", path, token=tokens["agent"])
            seen += _ids(reply)
            pages += 1
            cursor = reply.body["next_cursor"]
            if not cursor:
                break
        newest_first = sorted(days["payments"].values(), key=lambda p: p.created_at, reverse=True)
        assert seen == [p.payment_id for p in newest_first] and pages == 3

    def test_ranges_and_cursors_are_checked(self, gateway, days, tokens):
        token, d1 = tokens["agent"], days["d1"]
        too_long = gateway.request("GET", f"/v1/staff/activity?from={d1}&to={d1 + timedelta(days=92)}", token=token)
        assert too_long.status == 422 and too_long.body["error"]["details"][0]["field"] == "query.to"
        backwards = gateway.request("GET", f"/v1/staff/activity?from={d1}&to={d1 - timedelta(days=1)}", token=token)
        assert backwards.status == 422
        ok = gateway.request("GET", f"/v1/staff/activity?from={d1}&to={d1 + timedelta(days=91)}", token=token)
        assert ok.status == 200
        outside = encode_cursor({"DAYPK": {"S": f"DAY#{d1 - timedelta(days=5)}"}})
        for cursor in (outside, "garbage", encode_cursor({"PK": {"S": "CUST#X"}})):
            reply = gateway.request("GET", f"/v1/staff/activity?{_range(days)}&cursor={cursor}", token=token)
            assert reply.status == 400 and reply.body["error"]["code"] == "invalid_cursor"
        assert gateway.request("GET", f"/v1/staff/activity?{_range(days)}&channel=fax", token=token).status == 422


class TestReports:
    def test_collections_by_department_and_channel(self, gateway, days, tokens):
        reply = gateway.request("GET", f"/v1/staff/reports/collections?{_range(days)}", token=tokens["finance"])
        assert reply.status == 200, reply.body
        body = reply.body

        def named(rows):
            return {r["name"]: (r["count"], r["amount"]["amount"]) for r in rows}

        # Every payment taken counts at its gross amount, the fully refunded one too (pending and failed do not)
        assert (body["total"]["count"], body["total"]["amount"]["amount"]) == (6, 49_500)
        assert named(body["by_department"]) == {
            "parking": (2, 5_500),
            "property_tax": (1, 20_000),
            "unallocated": (1, 2_000),
            "utilities": (4, 22_000),
        }
        assert named(body["by_channel"]) == {"counter": (1, 25_000), "phone": (1, 1_500), "portal": (4, 23_000)}
        # and beside it what was refunded of them (both refunds), the fees charged and kept, and the net
        assert body["fees"]["amount"] == 125 and body["refunded"]["amount"] == 1_000 + 2_000
        assert body["fees_kept"]["amount"] == 125 and body["fees_returned"]["amount"] == 0
        assert body["reversed"]["amount"] == 0 and body["net"]["amount"] == 49_500 + 125 - 3_000
        assert [d["day"] for d in body["days"]] == [days["d1"].isoformat(), days["d2"].isoformat()]
        assert [d["total"]["amount"]["amount"] for d in body["days"]] == [48_000, 1_500]
        assert body["complete"] is True

    def test_exceptions_pending_failed_approvals_and_interactions(self, gateway, days, tokens):
        reply = gateway.request("GET", f"/v1/staff/reports/exceptions?{_range(days)}", token=tokens["finance"])
        assert reply.status == 200, reply.body
        body = reply.body
        assert (body["pending"]["count"], body["pending"]["amount"]["amount"]) == (1, 9_000)
        assert (body["failed"]["count"], body["failed"]["amount"]["amount"]) == (1, 3_000)
        assert [p["payment_id"] for p in body["pending_payments"]] == [days["payments"]["ach"].payment_id]
        assert [p["payment_id"] for p in body["failed_payments"]] == [days["payments"]["declined"].payment_id]
        assert body["interactions_handled"] == 3
        assert [d["interactions"] for d in body["days"]] == [{}, {"call": 2, "note": 1}]
        assert days["approval"].approval_id in {a["approval_id"] for a in body["approvals_waiting"]}

    def test_reports_need_reports_read_and_a_bounded_range(self, gateway, days, tokens):
        assert (
            gateway.request("GET", f"/v1/staff/reports/collections?{_range(days)}", token=tokens["agent"]).status == 403
        )
        d1 = days["d1"]
        reply = gateway.request(
            "GET", f"/v1/staff/reports/exceptions?from={d1}&to={d1 + timedelta(days=100)}", token=tokens["finance"]
        )
        assert reply.status == 422
