"""The portal's lists and details through the gateway: filters, orderings, cursors, CSV exports, round trips."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.agency_time import AgencyTime
from arportal.domain.models import (
    Allocation,
    CreditApplication,
    Document,
    DocumentKind,
    InvoiceLine,
    SalesOrder,
)
from arportal.domain.status import InvoiceStatus, PaymentStatus
from arportal.services import portal_views
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips

ALLOWED_OPERATIONS = {"Query", "GetItem", "BatchGetItem", "TransactWriteItems", "PutItem", "UpdateItem"}
TODAY = datetime.now(UTC).date()  # the routes compute overdue against the real today


def _ops(trips) -> set[str]:
    return {call.rsplit(".", 1)[-1] for call in trips.calls}


@pytest.fixture(scope="module")
def world(local_env):
    """One customer with two accounts: open, part-paid, paid, overdue and voided invoices; payments with their
    allocations (one overpaid into credit, one with a receipt document); credit applied; an order; a plan."""
    cid = new_customer_id()
    c = b.customer(cid, name="Ines Okafor")
    water = b.account(cid, number=f"UT-{b.n() + 800000}")
    tax = b.account(cid, number=f"PT-{b.n() + 800000}", department="property_tax")
    due = TODAY + timedelta(days=20)
    inv = {
        "open": b.invoice(cid, water.account_number, amount=12_345, due=due),
        "partial": b.invoice(cid, water.account_number, amount=10_000, paid=4_000, due=due + timedelta(days=5)),
        "paid": b.invoice(cid, water.account_number, amount=5_000, paid=5_000, due=TODAY - timedelta(days=40)),
        "overdue": b.invoice(
            cid, tax.account_number, amount=80_000, due=TODAY - timedelta(days=3), department="property_tax"
        ),
        "voided": b.invoice(cid, water.account_number, amount=2_500, due=TODAY - timedelta(days=60)),
    }
    inv["voided"] = inv["voided"].model_copy(update={"voided": True, "status": InvoiceStatus.VOIDED})
    inv["open"] = inv["open"].model_copy(
        update={
            "lines": [
                InvoiceLine(description="Water, 12 kgal", fee_code="WATER", unit_amount=10_000, amount=10_000),
                InvoiceLine(description='Sewer "base" fee', fee_code="SEWER", unit_amount=2_345, amount=2_345),
            ]
        }
    )
    receipt_no = f"R-2611-{b.n():06d}"
    first = b.payment(cid, amount=4_000, at=b.NOW - timedelta(days=30), receipt_number=receipt_no)
    second = b.payment(cid, amount=5_500, at=b.NOW - timedelta(days=10), receipt_number=f"R-2611-{b.n():06d}")
    declined = b.payment(cid, amount=999, at=b.NOW - timedelta(days=2), status=PaymentStatus.FAILED)
    allocations = [
        Allocation(
            payment_id=first.payment_id,
            invoice_id=inv["partial"].invoice_id,
            invoice_number=inv["partial"].invoice_number,
            customer_id=cid,
            account_number=water.account_number,
            department="utilities",
            amount=4_000,
            currency="USD",
            applied_at=first.created_at,
        ),
        Allocation(
            payment_id=second.payment_id,
            invoice_id=inv["paid"].invoice_id,
            invoice_number=inv["paid"].invoice_number,
            customer_id=cid,
            account_number=water.account_number,
            department="utilities",
            amount=5_000,
            currency="USD",
            applied_at=second.created_at,
        ),
    ]
    overpaid = b.credit_note(cid, water.account_number, amount=500).model_copy(  # as the posting names it
        update={
            "credit_note_id": "cn_" + second.payment_id.removeprefix("pay_"),
            "reason": f"Overpayment held as credit from payment {second.payment_id}",
        }
    )
    applied = b.credit_note(cid, water.account_number, amount=1_500)
    applied = applied.model_copy(
        update={
            "remaining": 1_000,
            "applications": [
                CreditApplication(
                    invoice_id=inv["open"].invoice_id,
                    invoice_number=inv["open"].invoice_number,
                    amount=500,
                    applied_at=b.NOW - timedelta(days=1),
                )
            ],
        }
    )
    order = SalesOrder(
        order_id=f"so_{b.n():026d}",
        number=f"SO-{b.n():06d}",
        customer_id=cid,
        account_number=water.account_number,
        department="utilities",
        order_date=TODAY - timedelta(days=5),
        currency="USD",
        lines=[InvoiceLine(description="Meter install", fee_code="METER", unit_amount=7_500, amount=7_500)],
        total=7_500,
    )
    document = Document(
        document_id=f"doc_{b.n():026d}",
        customer_id=cid,
        kind=DocumentKind.RECEIPT,
        title=f"Receipt {receipt_no}",
        filename=f"{receipt_no}.pdf",
        content_type="application/pdf",
        size=1234,
        storage_key=f"customers/{cid}/receipts/{receipt_no}.pdf",
        created_at=first.created_at,
        document_date=first.created_at.date(),
        reference=receipt_no,
        created_by="system",
    )
    plan = b.plan(cid, tax.account_number, amounts=(40_000, 40_000))
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [c, water, tax, *inv.values(), first, second, declined, *allocations, overpaid, applied, order, document, plan]
    )
    user = local_env.create_user(f"views-{uuid.uuid4().hex[:10]}@example.com", customer_id=cid)
    token = local_env.login(user.username).id_token
    return {
        "customer": c,
        "water": water,
        "tax": tax,
        "inv": inv,
        "payments": {"first": first, "second": second, "declined": declined},
        "receipt": receipt_no,
        "document": document,
        "credit": {"overpaid": overpaid, "applied": applied},
        "order": order,
        "plan": plan,
        "token": token,
    }


def _get(gateway, world, path):
    return gateway.request("GET", path, token=world["token"])


class TestInvoiceList:
    def test_every_invoice_with_its_computed_status(self, gateway, world):
        reply = _get(gateway, world, "/v1/portal/invoices?limit=100")
        assert reply.status == 200, reply.body
        statuses = {i["invoice_id"]: i["status"] for i in reply.body["invoices"]}
        inv = world["inv"]
        assert statuses == {
            inv["open"].invoice_id: "open",
            inv["partial"].invoice_id: "partially_paid",
            inv["paid"].invoice_id: "paid",
            inv["overdue"].invoice_id: "overdue",
            inv["voided"].invoice_id: "voided",
        }
        assert reply.body["total"] == 5 and reply.body["next_cursor"] is None
        row = next(i for i in reply.body["invoices"] if i["invoice_id"] == inv["partial"].invoice_id)
        assert row["amount"] == {"amount": 10_000, "currency": "USD"}
        assert row["amount_paid"]["amount"] == 4_000 and row["balance"]["amount"] == 6_000
        assert row["lines"][0]["fee_code"] == "WATER"

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("status=overdue", {"overdue"}),
            ("status=open&status=partially_paid", {"open", "partial"}),
            ("status=paid&status=voided", {"paid", "voided"}),
            ("department=property_tax", {"overdue"}),
            ("account={water}", {"open", "partial", "paid", "voided"}),
            ("account={water}&status=open", {"open"}),
            ("account=XX-000000", set()),
        ],
    )
    def test_filters(self, gateway, world, query, expected):
        reply = _get(gateway, world, "/v1/portal/invoices?" + query.format(water=world["water"].account_number))
        assert reply.status == 200, reply.body
        ids = {i["invoice_id"] for i in reply.body["invoices"]}
        assert ids == {world["inv"][name].invoice_id for name in expected}
        assert reply.body["total"] == len(expected)

    def test_date_range_is_on_the_issue_date_inclusive(self, gateway, world):
        overdue = world["inv"]["overdue"]
        day = overdue.issue_date.isoformat()
        reply = _get(gateway, world, f"/v1/portal/invoices?from={day}&to={day}")
        assert overdue.invoice_id in {i["invoice_id"] for i in reply.body["invoices"]}
        assert all(i["issue_date"] == day for i in reply.body["invoices"])
        backwards = _get(gateway, world, f"/v1/portal/invoices?from={day}&to=2000-01-01")
        assert backwards.status == 422 and backwards.body["error"]["details"][0]["field"] == "query.from"

    @pytest.mark.parametrize("sort", ["due_date", "-due_date", "issue_date", "-issue_date"])
    def test_sorting(self, gateway, world, sort):
        rows = _get(gateway, world, f"/v1/portal/invoices?sort={sort}").body["invoices"]
        dates = [r[sort.lstrip("-")] for r in rows]
        assert dates == sorted(dates, reverse=sort.startswith("-")) and len(rows) == 5

    def test_pages_walk_the_whole_selection_once(self, gateway, world):
        full = [r["invoice_id"] for r in _get(gateway, world, "/v1/portal/invoices?sort=due_date").body["invoices"]]
        seen, cursor, pages = [], None, 0
        while True:
            path = "/v1/portal/invoices?sort=due_date&limit=2" + (f"&cursor={cursor}" if cursor else "")
            body = _get(gateway, world, path).body
            assert len(body["invoices"]) <= 2
            seen += [r["invoice_id"] for r in body["invoices"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == full and pages == 3

    def test_a_cursor_of_another_ordering_or_list_is_refused(self, gateway, world):
        cursor = _get(gateway, world, "/v1/portal/invoices?sort=due_date&limit=1").body["next_cursor"]
        other = _get(gateway, world, f"/v1/portal/invoices?sort=-issue_date&cursor={cursor}")
        assert other.status == 400 and other.body["error"]["code"] == "invalid_cursor"
        payments_cursor = _get(gateway, world, "/v1/portal/payments?limit=1").body["next_cursor"]
        assert payments_cursor
        mixed = _get(gateway, world, f"/v1/portal/invoices?cursor={payments_cursor}")
        assert mixed.status == 400
        assert _get(gateway, world, f"/v1/portal/credit-notes?cursor={payments_cursor}").status == 400

    @pytest.mark.parametrize("limit", ["0", "101", "-1", "lots"])
    def test_page_size_is_bounded(self, gateway, world, limit):
        reply = _get(gateway, world, f"/v1/portal/invoices?limit={limit}")
        assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "query.limit"

    def test_unknown_status_or_sort_is_422(self, gateway, world):
        for query in ("status=late", "sort=amount", "format=xlsx"):
            assert _get(gateway, world, f"/v1/portal/invoices?{query}").status == 422, query


def _csv_rows(reply) -> list[list[str]]:
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("text/csv")
    assert "attachment" in reply.headers["content-disposition"]
    raw = reply.body if isinstance(reply.body, bytes) else str(reply.body).encode()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]  # UTF-8 BOM: spreadsheets read the encoding right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


class TestInvoiceCsv:
    def test_exports_exactly_the_selection_as_decimals_with_currency(self, gateway, world, monkeypatch):
        monkeypatch.setattr(portal_views, "_EXPORT_PAGE", 1)  # every page, not the first
        water = world["water"].account_number
        json_rows = _get(gateway, world, f"/v1/portal/invoices?account={water}&sort=due_date&limit=100").body
        rows = _csv_rows(_get(gateway, world, f"/v1/portal/invoices?account={water}&sort=due_date&format=csv"))
        header, data = rows[0], rows[1:]
        assert header[:3] == ["Invoice number", "Account", "Department"] and "Currency" in header
        assert len(data) == json_rows["total"] == 4 and json_rows["next_cursor"] is None
        by_number = {r[0]: dict(zip(header, r, strict=True)) for r in data}
        opened = by_number[world["inv"]["open"].invoice_number]
        assert opened["Amount"] == "123.45" and Decimal(opened["Balance"]) == Decimal("123.45")
        assert opened["Currency"] == "USD" and opened["Status"] == "open"
        # A comma and quotes inside a cell survive the round trip through the csv module.
        assert opened["Lines"] == 'Water, 12 kgal; Sewer "base" fee'
        due_dates = [r[header.index("Due date")] for r in data]
        assert due_dates == sorted(due_dates)

    def test_csv_of_an_empty_selection_is_just_the_header(self, gateway, world):
        rows = _csv_rows(_get(gateway, world, "/v1/portal/invoices?account=XX-000000&format=csv"))
        assert len(rows) == 1


class TestInvoiceDetail:
    def test_lines_payments_and_credit_applied(self, gateway, world):
        partial = world["inv"]["partial"]
        body = _get(gateway, world, f"/v1/portal/invoices/{partial.invoice_id}").body
        assert body["invoice"]["invoice_number"] == partial.invoice_number
        assert [p["payment_id"] for p in body["payments"]] == [world["payments"]["first"].payment_id]
        paid_by = body["payments"][0]
        assert paid_by["amount"]["amount"] == 4_000 and paid_by["method"] == {
            "type": "card",
            "brand": "visa",
            "last4": "4242",
        }
        opened = _get(gateway, world, f"/v1/portal/invoices/{world['inv']['open'].invoice_id}").body
        assert [c["credit_note_id"] for c in opened["credit_notes"]] == [world["credit"]["applied"].credit_note_id]
        assert opened["credit_notes"][0]["amount"]["amount"] == 500 and opened["payments"] == []

    def test_unknown_invoice_is_404_without_details(self, gateway, world):
        reply = _get(gateway, world, "/v1/portal/invoices/inv_doesnotexist")
        assert reply.status == 404 and reply.body["error"]["details"] is None


class TestPayments:
    def test_newest_first_with_method_fee_and_history(self, gateway, world):
        rows = _get(gateway, world, "/v1/portal/payments").body["payments"]
        pays = world["payments"]
        assert [r["payment_id"] for r in rows] == [
            pays["declined"].payment_id,
            pays["second"].payment_id,
            pays["first"].payment_id,
        ]
        assert rows[0]["status"] == "failed" and rows[0]["history"][0]["status"] == "failed"
        assert rows[1]["method"] == {"type": "card", "brand": "visa", "last4": "4242"}
        assert rows[1]["fee"]["amount"] == 0 and rows[1]["total"]["amount"] == 5_500

    def test_filters_and_pages(self, gateway, world):
        pays = world["payments"]
        posted = _get(gateway, world, "/v1/portal/payments?status=posted").body["payments"]
        assert {r["payment_id"] for r in posted} == {pays["first"].payment_id, pays["second"].payment_id}
        day = pays["second"].created_at.date().isoformat()
        one_day = _get(gateway, world, f"/v1/portal/payments?from={day}&to={day}").body["payments"]
        assert [r["payment_id"] for r in one_day] == [pays["second"].payment_id]
        first = _get(gateway, world, "/v1/portal/payments?limit=2").body
        assert len(first["payments"]) == 2 and first["next_cursor"]
        rest = _get(gateway, world, f"/v1/portal/payments?limit=2&cursor={first['next_cursor']}").body
        assert [r["payment_id"] for r in rest["payments"]] == [pays["first"].payment_id]
        assert rest["next_cursor"] is None

    def test_csv(self, gateway, world):
        rows = _csv_rows(_get(gateway, world, "/v1/portal/payments?format=csv&status=posted"))
        header, data = rows[0], rows[1:]
        assert len(data) == 2 and "Currency" in header
        second = dict(zip(header, data[0], strict=True))
        assert second["Amount"] == "55.00" and second["Total"] == "55.00" and second["Last four"] == "4242"
        # the day and hour the agency's people read, in its zone (the demo's America/Chicago), named
        local = AgencyTime(settings().time_zone).local(world["payments"]["second"].created_at)
        assert (second["Date"], second["Time"]) == (local.date().isoformat(), local.strftime("%H:%M:%S"))
        assert second["Time zone"] in {"CST", "CDT"}

    def test_detail_allocation_credit_and_receipt_link(self, gateway, world):
        pays = world["payments"]
        body = _get(gateway, world, f"/v1/portal/payments/{pays['second'].payment_id}").body
        assert [a["invoice_id"] for a in body["allocations"]] == [world["inv"]["paid"].invoice_id]
        assert body["credit_held"]["amount"]["amount"] == 500
        assert body["credit_held"]["credit_note_id"] == world["credit"]["overpaid"].credit_note_id
        assert body["receipt"]["document_id"] is None  # no receipt document rendered for this one
        first = _get(gateway, world, f"/v1/portal/payments/{pays['first'].payment_id}").body
        assert first["credit_held"] is None
        assert first["receipt"]["receipt_number"] == world["receipt"]
        assert first["receipt"]["document_url"] == f"/v1/portal/documents/{world['document'].document_id}"
        declined = _get(gateway, world, f"/v1/portal/payments/{pays['declined'].payment_id}").body
        assert declined["allocations"] == [] and declined["credit_held"] is None and declined["receipt"] is None


class TestOtherLists:
    def test_credit_notes_with_applications_and_remaining(self, gateway, world):
        rows = _get(gateway, world, "/v1/portal/credit-notes").body["credit_notes"]
        by_id = {r["credit_note_id"]: r for r in rows}
        applied = by_id[world["credit"]["applied"].credit_note_id]
        assert applied["remaining"]["amount"] == 1_000 and applied["applications"][0]["amount"]["amount"] == 500
        assert applied["reason"] == "Meter misread" and applied["source_payment_id"] is None
        # an overpayment's credit says so in words, and names its payment apart (no internal id in the words)
        overpaid = by_id[world["credit"]["overpaid"].credit_note_id]
        assert overpaid["reason"] == "Overpayment held as credit"
        assert overpaid["source_payment_id"] == world["payments"]["second"].payment_id
        page = _get(gateway, world, "/v1/portal/credit-notes?limit=1").body
        assert len(page["credit_notes"]) == 1 and page["next_cursor"]
        rest = _get(gateway, world, f"/v1/portal/credit-notes?limit=1&cursor={page['next_cursor']}").body
        assert {page["credit_notes"][0]["credit_note_id"], rest["credit_notes"][0]["credit_note_id"]} == set(by_id)

    def test_sales_orders_and_schedules(self, gateway, world):
        orders = _get(gateway, world, "/v1/portal/sales-orders").body["sales_orders"]
        assert [o["number"] for o in orders] == [world["order"].number]
        assert orders[0]["total"] == {"amount": 7_500, "currency": "USD"}
        schedules = _get(gateway, world, "/v1/portal/schedules").body["schedules"]
        assert [s["schedule_id"] for s in schedules] == [world["plan"].schedule_id]
        assert [i["amount"]["amount"] for i in schedules[0]["instalments"]] == [40_000, 40_000]
        assert {i["status"] for i in schedules[0]["instalments"]} == {"scheduled"}

    def test_accounts_with_balances(self, gateway, world):
        rows = {a["account_number"]: a for a in _get(gateway, world, "/v1/portal/accounts").body["accounts"]}
        water, tax = rows[world["water"].account_number], rows[world["tax"].account_number]
        assert water["balance"]["amount"] == 12_345 + 6_000 and water["overdue"]["amount"] == 0
        assert water["open_invoices"] == 2 and water["credit"]["amount"] == 500 + 1_000
        assert tax["balance"]["amount"] == 80_000 and tax["overdue"]["amount"] == 80_000


class TestRoundTrips:
    @pytest.mark.parametrize(
        ("path", "budget"),
        [
            ("/v1/portal/invoices", 1),
            ("/v1/portal/invoices?format=csv", 1),
            ("/v1/portal/invoices/{invoice}", 3),
            ("/v1/portal/payments", 1),
            ("/v1/portal/payments/{payment}", 4),
            ("/v1/portal/credit-notes", 1),
            ("/v1/portal/sales-orders", 1),
            ("/v1/portal/schedules", 1),
            ("/v1/portal/accounts", 2),
        ],
    )
    def test_reads_use_only_keyed_operations_within_budget(self, gateway, world, path, budget):
        target = path.format(invoice=world["inv"]["partial"].invoice_id, payment=world["payments"]["second"].payment_id)
        with dynamodb_round_trips() as trips:
            reply = _get(gateway, world, target)
        assert reply.status == 200, reply.body
        assert _ops(trips) <= ALLOWED_OPERATIONS, trips.calls
        assert len(trips) <= budget, trips.calls
