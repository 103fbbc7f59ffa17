"""GET /v1/portal/statements through the gateway: JSON inline, CSV and PDF stored as documents, no Scan."""

from __future__ import annotations

import csv
import io
import urllib.request
from datetime import UTC, date, datetime, timedelta

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.models import Allocation, CreditApplication
from arportal.domain.status import PaymentStatus
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips
from tests.unit.test_pdf_writer import parse_pdf

TODAY = datetime.now(UTC).date()
START = TODAY - timedelta(days=60)
READ_ONLY_CALLS = {"DynamoDB_20120810.Query", "DynamoDB_20120810.GetItem"}


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=UTC)


@pytest.fixture
def ledger_world(local_env, make_users):
    """Given a customer with two accounts: invoices before and inside the range, payments of every kind of
    status, a credit note partly applied, and an overpayment held as credit."""
    cid = new_customer_id()
    water = b.account(cid, number=f"UT-{b.n() + 800000}")
    tax = b.account(cid, number=f"PT-{b.n() + 800000}", department="property_tax")
    old = b.invoice(cid, water.account_number, amount=10_000, paid=10_000, due=START - timedelta(days=20))
    overdue = b.invoice(cid, water.account_number, amount=7_000, paid=1_000, due=TODAY - timedelta(days=45))
    recent = b.invoice(cid, tax.account_number, amount=50_000, paid=20_000, due=TODAY + timedelta(days=10))
    paid_old = b.payment(cid, amount=10_000, at=_at(START - timedelta(days=25)))
    paid_recent = b.payment(cid, amount=22_500, at=_at(TODAY - timedelta(days=5))).model_copy(
        update={"unapplied": 2_500}  # 20,000 paid the tax invoice, the rest is held as credit on the tax account
    )
    failed = b.payment(cid, amount=99_999, status=PaymentStatus.FAILED, at=_at(TODAY - timedelta(days=4)))
    pending = b.payment(cid, amount=1_000, status=PaymentStatus.PENDING, at=_at(TODAY - timedelta(days=3)))
    credit = b.credit_note(cid, water.account_number, amount=1_500)
    credit = credit.model_copy(update={"issued_on": TODAY - timedelta(days=10)})
    hold = b.credit_note(cid, tax.account_number, amount=2_500).model_copy(
        update={"reason": f"Overpayment held as credit from payment {paid_recent.payment_id}"}
    )
    allocations = [
        Allocation(
            payment_id=p.payment_id,
            invoice_id=inv.invoice_id,
            invoice_number=inv.invoice_number,
            customer_id=cid,
            account_number=inv.account_number,
            department=inv.department,
            amount=amount,
            currency="USD",
            applied_at=p.created_at,
        )
        for p, inv, amount in ((paid_old, old, 10_000), (paid_recent, recent, 20_000), (pending, overdue, 1_000))
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [
            *(b.customer(cid, name="Nadia Okafor"), water, tax, old, overdue, recent),
            *(paid_old, paid_recent, failed, pending, credit, hold, *allocations),
        ]
    )
    users = make_users(customer_id=cid)
    return {"cid": cid, "token": users.customer_token, "water": water, "tax": tax, "old": old, "recent": recent}


def _get(gateway, token, query):
    return gateway.request("GET", f"/v1/portal/statements?{query}", token=token)


def test_json_statement_adds_up_and_reads_only_with_queries(gateway, ledger_world):
    # When the customer asks for the last 60 days
    with dynamodb_round_trips() as trips:
        reply = _get(gateway, ledger_world["token"], f"from={START}&to={TODAY}")
    # Then the opening balance is everything before: two invoices (17,000), one payment (10,000)
    assert reply.status == 200, reply.body
    body = reply.body
    assert body["opening_balance"] == {"amount": 7_000, "currency": "USD"}
    kinds = [line["kind"] for line in body["lines"]]
    # the failed payment never appears, the pending one does, marked; the overpayment hold is not a credit line
    assert sorted(kinds) == ["credit", "invoice", "payment", "payment"]
    assert [line["pending"] for line in body["lines"] if line["kind"] == "payment"].count(True) == 1
    expected_closing = 7_000 + 50_000 - 22_500 - 1_000 - 1_500
    assert body["closing_balance"]["amount"] == expected_closing
    assert body["lines"][-1]["balance"]["amount"] == expected_closing
    dates = [line["date"] for line in body["lines"]]
    assert dates == sorted(dates)
    # and the aging explains the closing balance: 6,000 is 45 days late, 30,000 is not due yet, credit 4,000
    aging = body["aging"]
    assert aging["days_31_60"]["amount"] == 6_000
    assert aging["current"]["amount"] == 30_000
    assert aging["credit"]["amount"] == 1_500 + 2_500
    assert aging["total_due"]["amount"] - aging["credit"]["amount"] == expected_closing
    assert set(trips.calls) <= READ_ONLY_CALLS, trips.calls


def test_an_account_statement_holds_only_that_account(gateway, ledger_world):
    tax = ledger_world["tax"].account_number
    reply = _get(gateway, ledger_world["token"], f"from={START}&to={TODAY}&account={tax}")
    assert reply.status == 200, reply.body
    lines = reply.body["lines"]
    assert {line["account_number"] for line in lines if line["kind"] == "invoice"} == {tax}
    # the payment counts as far as it paid this account's invoices or left credit on it (the overpayment held
    # here is in the payment's line, not a second credit line)
    assert [line["amount"]["amount"] for line in lines if line["kind"] == "payment"] == [-22_500]
    assert [line["kind"] for line in lines if line["kind"] == "credit"] == []
    assert reply.body["closing_balance"]["amount"] == 50_000 - 20_000 - 2_500
    aging = reply.body["aging"]
    assert (aging["total_due"]["amount"], aging["credit"]["amount"]) == (30_000, 2_500)


def test_a_past_period_ages_as_it_was_then(gateway, ledger_world):
    # Given the old invoice was paid 25 days before START; on its due date + 3 days it was still open
    old = ledger_world["old"]
    end = old.issue_date + timedelta(days=2)
    reply = _get(gateway, ledger_world["token"], f"from={old.issue_date}&to={end}")
    assert reply.status == 200, reply.body
    assert reply.body["closing_balance"]["amount"] == 10_000
    assert reply.body["aging"]["current"]["amount"] == 10_000


def test_csv_is_stored_and_opens_in_a_spreadsheet(gateway, ledger_world):
    reply = _get(gateway, ledger_world["token"], f"from={START}&to={TODAY}&format=csv")
    assert reply.status == 200, reply.body
    assert set(reply.body) == {"url", "expires_at", "document_id"}
    with urllib.request.urlopen(reply.body["url"], timeout=10) as response:  # noqa: S310  # moto on loopback
        raw = response.read()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "date",
        "type",
        "reference",
        "description",
        "account",
        "due_date",
        "status",
        "amount",
        "balance",
        "currency",
    ]
    assert rows[0]["type"] == "opening_balance" and rows[-1]["type"] == "closing_balance"
    assert rows[-1]["balance"] == "320.00" and {r["currency"] for r in rows} == {"USD"}
    assert any(r["amount"] == "-225.00" and r["type"] == "payment" for r in rows)
    # and it is one of the customer's documents now
    docs = gateway.request("GET", "/v1/portal/documents?type=statement", token=ledger_world["token"]).body
    assert reply.body["document_id"] in {d["document_id"] for d in docs["documents"]}


def test_pdf_is_a_real_pdf_with_the_agency_name(gateway, ledger_world):
    reply = _get(gateway, ledger_world["token"], f"from={START}&to={TODAY}&format=pdf")
    assert reply.status == 200, reply.body
    link = gateway.request("GET", f"/v1/portal/documents/{reply.body['document_id']}", token=ledger_world["token"])
    assert link.status == 200 and link.body["content_type"] == "application/pdf"
    with urllib.request.urlopen(link.body["url"], timeout=10) as response:  # noqa: S310
        pdf = response.read()
    parsed = parse_pdf(pdf)
    assert parsed.page_count == 1
    assert settings().agency_name in parsed.text
    assert "Nadia Okafor" in parsed.text and "Closing balance" in parsed.text


class TestRefusals:
    def test_dates_must_make_sense(self, gateway, ledger_world):
        token = ledger_world["token"]
        backwards = _get(gateway, token, f"from={TODAY}&to={START}")
        assert backwards.status == 422 and backwards.body["error"]["details"][0]["field"] == "from"
        missing = _get(gateway, token, f"from={START}")
        assert missing.status == 422
        assert "query.to" in {d["field"] for d in missing.body["error"]["details"]}
        wrong = _get(gateway, token, f"from={START}&to={TODAY}&format=docx")
        assert wrong.status == 422

    def test_another_customers_account_is_not_found(self, gateway, ledger_world, make_users):
        other = make_users()
        DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(other.customer.customer_id)])
        tax = ledger_world["tax"].account_number
        reply = _get(gateway, other.customer_token, f"from={START}&to={TODAY}&account={tax}")
        assert reply.status == 404
        assert "Nadia" not in str(reply.body)

    def test_staff_and_anonymous_callers_are_refused(self, gateway, make_users):
        assert _get(gateway, None, f"from={START}&to={TODAY}").status == 401
        assert _get(gateway, make_users().staff_token, f"from={START}&to={TODAY}").status == 403


def test_credit_applied_after_the_end_counts_as_open_then(gateway, local_env, make_users):
    # Given an invoice credited in full after the statement's end
    cid = new_customer_id()
    acct = b.account(cid)
    inv = b.invoice(cid, acct.account_number, amount=4_000, due=TODAY - timedelta(days=40))
    inv = inv.model_copy(update={"credited": 4_000, "balance": 0})
    note = b.credit_note(cid, acct.account_number, amount=4_000).model_copy(
        update={
            "issued_on": TODAY - timedelta(days=2),
            "remaining": 0,
            "applications": [
                CreditApplication(
                    invoice_id=inv.invoice_id,
                    invoice_number=inv.invoice_number,
                    amount=4_000,
                    applied_at=_at(TODAY - timedelta(days=2)),
                )
            ],
        }
    )
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), acct, inv, note])
    token = make_users(customer_id=cid).customer_token
    # When the statement ends before the credit
    end = TODAY - timedelta(days=5)
    reply = _get(gateway, token, f"from={inv.issue_date}&to={end}")
    # Then the invoice was 35 days late then, and the credit is not in it
    assert reply.status == 200, reply.body
    assert reply.body["closing_balance"]["amount"] == 4_000
    assert reply.body["aging"]["days_31_60"]["amount"] == 4_000
    assert reply.body["aging"]["credit"]["amount"] == 0


def test_the_agency_logo_is_drawn_when_there_is_one(gateway, local_env, ledger_world):
    from local.branding import install_logo, remove_logo

    s3, bucket = local_env.client("s3"), local_env.resources.documents_bucket
    install_logo(s3, bucket)
    try:
        reply = _get(gateway, ledger_world["token"], f"from={START}&to={TODAY}&format=pdf")
        assert reply.status == 200, reply.body
        link = gateway.request("GET", f"/v1/portal/documents/{reply.body['document_id']}", token=ledger_world["token"])
        with urllib.request.urlopen(link.body["url"], timeout=10) as response:  # noqa: S310
            parsed = parse_pdf(response.read())
    finally:
        remove_logo(s3, bucket)
    images = [body for body in parsed.objects.values() if b"/Subtype /Image" in body]
    assert len(images) == 1 and b"/Filter /DCTDecode" in images[0]
