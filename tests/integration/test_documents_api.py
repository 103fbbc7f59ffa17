"""Documents through the gateway: attached by the service, listed by type and page, downloaded through a
short-lived link, and never reachable by another customer's id or cursor."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.documents import DynamoDocuments
from arportal.adapters.s3 import S3DocumentStore
from arportal.api.pagination import encode_cursor
from arportal.config import settings
from arportal.domain.models import DocumentKind
from arportal.services.documents import attach_document
from tests import builders as b
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips


def _attach(cid: str, kind: DocumentKind, n: int, body: bytes = b"%PDF-1.4 test"):
    config = settings()
    return attach_document(
        store=S3DocumentStore(config.documents_bucket),
        documents=DynamoDocuments(config.ledger_table),
        customers=DynamoCustomerRecords(config.ledger_table),
        customer_id=cid,
        kind=kind,
        title=f"{kind.value} {n}",
        filename=f"{kind.value}-{n}.pdf",
        content_type="application/pdf",
        body=body,
        created_by="integration:test",
        now=datetime.now(UTC) + timedelta(milliseconds=n),  # ids sort by creation time
    )


@pytest.fixture
def two_customers(local_env, make_users):
    """Given customers A and B, each with documents of several types."""
    world = {}
    for name in ("a", "b"):
        cid = new_customer_id()
        DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid)])
        docs = [
            _attach(cid, kind, i, f"{name}-{i}".encode())
            for i, kind in enumerate(
                [
                    DocumentKind.RECEIPT,
                    DocumentKind.TAX_FORM,
                    DocumentKind.RECEIPT,
                    DocumentKind.NOTICE,
                    DocumentKind.RECEIPT,
                ]
            )
        ]
        world[name] = {"cid": cid, "docs": docs, "token": make_users(customer_id=cid).customer_token}
    return world


def test_listing_is_newest_first_paged_and_filtered(gateway, two_customers):
    a = two_customers["a"]
    with dynamodb_round_trips() as trips:
        first = gateway.request("GET", "/v1/portal/documents?limit=2", token=a["token"])
    assert first.status == 200, first.body
    assert set(trips.calls) == {"DynamoDB_20120810.Query"}
    newest = [d.document_id for d in reversed(a["docs"])]
    assert [d["document_id"] for d in first.body["documents"]] == newest[:2]
    seen = [d["document_id"] for d in first.body["documents"]]
    cursor = first.body["next_cursor"]
    while cursor:
        page = gateway.request("GET", f"/v1/portal/documents?limit=2&cursor={cursor}", token=a["token"]).body
        seen += [d["document_id"] for d in page["documents"]]
        cursor = page["next_cursor"]
    assert seen == newest
    receipts = gateway.request("GET", "/v1/portal/documents?type=receipt&limit=2", token=a["token"]).body
    assert [d["type"] for d in receipts["documents"]] == ["receipt", "receipt"] and receipts["next_cursor"]
    rest = gateway.request(
        "GET", f"/v1/portal/documents?type=receipt&limit=2&cursor={receipts['next_cursor']}", token=a["token"]
    ).body
    assert len(rest["documents"]) == 1 and rest["next_cursor"] is None
    shown = first.body["documents"][0]
    assert {"document_id", "type", "title", "filename", "content_type", "size", "date", "created_at"} <= set(shown)
    assert "storage_key" not in shown


def test_the_owner_downloads_through_a_short_lived_link(gateway, two_customers):
    a = two_customers["a"]
    doc = a["docs"][1]
    reply = gateway.request("GET", f"/v1/portal/documents/{doc.document_id}", token=a["token"])
    assert reply.status == 200, reply.body
    assert reply.body["filename"] == doc.filename and reply.body["content_type"] == "application/pdf"
    expires = datetime.fromisoformat(reply.body["expires_at"])
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(minutes=5)
    with urllib.request.urlopen(reply.body["url"], timeout=10) as response:  # noqa: S310  # moto on loopback
        assert response.read() == b"a-1"


def test_another_customers_document_is_not_found_and_says_nothing(gateway, two_customers):
    a, other = two_customers["a"], two_customers["b"]
    for doc in other["docs"]:
        reply = gateway.request("GET", f"/v1/portal/documents/{doc.document_id}", token=a["token"])
        assert reply.status == 404
        assert reply.body["error"]["code"] == "not_found" and reply.body["error"]["details"] is None
        assert "url" not in str(reply.body) and doc.filename not in str(reply.body)
    for bad in ("doc_..%2F..", "DOC%23x", "nonsense"):
        assert gateway.request("GET", f"/v1/portal/documents/{bad}", token=a["token"]).status == 404


def test_a_cursor_into_another_customers_partition_is_refused(gateway, two_customers):
    a, other = two_customers["a"], two_customers["b"]
    forged = encode_cursor({"PK": {"S": f"CUST#{other['cid']}"}, "SK": {"S": f"DOC#{other['docs'][-1].document_id}"}})
    reply = gateway.request("GET", f"/v1/portal/documents?cursor={forged}", token=a["token"])
    assert reply.status == 400 and reply.body["error"]["code"] == "invalid_cursor"
    assert gateway.request("GET", "/v1/portal/documents?cursor=!!!", token=a["token"]).status == 400


def test_page_sizes_are_bounded(gateway, two_customers):
    token = two_customers["a"]["token"]
    for limit in (0, 101, "x"):
        reply = gateway.request("GET", f"/v1/portal/documents?limit={limit}", token=token)
        assert reply.status == 422 and reply.body["error"]["details"][0]["field"] == "query.limit"
    assert gateway.request("GET", "/v1/portal/documents?type=passport", token=token).status == 422
