"""Unread notices: counted on the dashboard per account and in total within its two round trips, and read
(conditionally, once) when the customer takes the download link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import document_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.documents import DynamoDocuments
from arportal.adapters.s3 import S3DocumentStore
from arportal.config import settings
from arportal.domain.models import DocumentKind
from arportal.services.documents import attach_document
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips


def _attach(cid: str, n: int, *, account: str | None, kind: DocumentKind = DocumentKind.NOTICE):
    config = settings()
    return attach_document(
        store=S3DocumentStore(config.documents_bucket),
        documents=DynamoDocuments(config.ledger_table),
        customers=None,
        customer_id=cid,
        kind=kind,
        title=f"{kind.value} {n}",
        filename=f"notice-{n}.pdf",
        content_type="application/pdf",
        body=b"%PDF-1.4 notice",
        created_by="integration:test",
        now=datetime.now(UTC) + timedelta(milliseconds=n),  # ids and created_at sort by n
        account_number=account,
    )


def _raw(cid: str, document_id: str) -> dict:
    return client("dynamodb").get_item(
        TableName=settings().ledger_table,
        Key={k: {"S": v} for k, v in document_items.document_key(cid, document_id).items()},
    )["Item"]


@pytest.fixture
def noticed(local_env, make_users):
    """Given a customer with two accounts, four unread notices on water, one on tax, one on no account,
    and a tax form (which is never 'unread')."""
    cid = new_customer_id()
    water = b.account(cid, number=f"UT-{b.n() + 800000}")
    tax = b.account(cid, number=f"PT-{b.n() + 800000}", department="property_tax")
    DynamoCustomerRecords(settings().ledger_table).put_new(
        [b.customer(cid), water, tax, b.invoice(cid, water.account_number, amount=4_200)]
    )
    on_water = [_attach(cid, i, account=water.account_number) for i in range(4)]
    on_tax = _attach(cid, 4, account=tax.account_number)
    general = _attach(cid, 5, account=None)
    form = _attach(cid, 6, account=water.account_number, kind=DocumentKind.TAX_FORM)
    token = make_users(customer_id=cid).customer_token
    return {
        "cid": cid,
        "water": water,
        "tax": tax,
        "water_notices": on_water,
        "tax_notice": on_tax,
        "general": general,
        "form": form,
        "token": token,
    }


def _board(gateway, token):
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", "/v1/portal/dashboard", token=token)
    assert reply.status == 200, reply.body
    return reply.body, trips


def test_the_dashboard_counts_unread_notices_per_account_and_in_total_in_two_round_trips(gateway, noticed):
    # When the customer opens the dashboard
    board, trips = _board(gateway, noticed["token"])

    # Then it still costs two round trips, and shows six unread notices, the latest three first
    assert 1 <= len(trips) <= 2, trips.calls
    assert board["unread_notices"]["count"] == 6
    assert [n["document_id"] for n in board["unread_notices"]["latest"]] == [
        noticed["general"].document_id,
        noticed["tax_notice"].document_id,
        noticed["water_notices"][3].document_id,
    ]
    accounts = {a["account_number"]: a["unread_notices"] for a in board["accounts"]}
    water = accounts[noticed["water"].account_number]
    assert water["count"] == 4
    assert [n["document_id"] for n in water["latest"]] == [d.document_id for d in noticed["water_notices"][:0:-1]]
    assert water["latest"][0]["account_number"] == noticed["water"].account_number
    assert accounts[noticed["tax"].account_number]["count"] == 1


def test_taking_the_link_reads_a_notice_once_and_the_count_drops(gateway, noticed):
    token, first = noticed["token"], noticed["water_notices"][3]

    # When the customer takes the notice's download link twice
    reply = gateway.request("GET", f"/v1/portal/documents/{first.document_id}", token=token)
    assert reply.status == 200, reply.body
    read_at = _raw(noticed["cid"], first.document_id)["read_at"]["S"]
    again = gateway.request("GET", f"/v1/portal/documents/{first.document_id}", token=token)

    # Then the first reading is kept, the notice has left the OpenItems index, and the counts drop by one
    assert again.status == 200
    item = _raw(noticed["cid"], first.document_id)
    assert item["read_at"]["S"] == read_at and "OPK" not in item and "OSK" not in item
    board, _ = _board(gateway, token)
    assert board["unread_notices"]["count"] == 5
    water = next(a for a in board["accounts"] if a["account_number"] == noticed["water"].account_number)
    assert water["unread_notices"]["count"] == 3
    assert first.document_id not in {n["document_id"] for n in board["unread_notices"]["latest"]}
    listed = gateway.request("GET", "/v1/portal/documents?type=notice", token=token).body["documents"]
    assert {d["document_id"]: d["read_at"] is not None for d in listed}[first.document_id] is True
    assert sum(d["read_at"] is None for d in listed) == 5


def test_opening_a_tax_form_changes_no_count(gateway, noticed):
    token = noticed["token"]
    assert gateway.request("GET", f"/v1/portal/documents/{noticed['form'].document_id}", token=token).status == 200
    assert "read_at" not in _raw(noticed["cid"], noticed["form"].document_id)
    assert _board(gateway, token)[0]["unread_notices"]["count"] == 6


def test_another_customer_cannot_read_someone_elses_notice(gateway, noticed, make_users):
    # Given another customer with a record of their own
    other = new_customer_id()
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(other)])
    stranger = make_users(customer_id=other).customer_token

    # When they ask for the first customer's notice, it is not found and stays unread
    reply = gateway.request("GET", f"/v1/portal/documents/{noticed['general'].document_id}", token=stranger)
    assert reply.status == 404
    assert "read_at" not in _raw(noticed["cid"], noticed["general"].document_id)
    assert _board(gateway, stranger)[0]["unread_notices"] == {"count": 0, "latest": []}


def test_concurrent_first_openings_record_one_reading(noticed):
    docs = DynamoDocuments(settings().ledger_table)
    cid, doc = noticed["cid"], noticed["tax_notice"]
    now = datetime.now(UTC)
    assert [docs.mark_read(cid, doc.document_id, now + timedelta(seconds=s)) for s in range(3)] == [True, False, False]
    assert docs.get(cid, doc.document_id).read_at == now  # type: ignore[union-attr]
    assert docs.mark_read(cid, "doc_00000000000000000000000000", now) is False  # no such document: nothing created
