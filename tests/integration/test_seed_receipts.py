"""Seeded payments have real receipts: the portal finds each one's receipt document and it opens as the PDF of that
receipt (rendered on its first download, as a payment's is), however the agency was written (straight into moto, or
through the APIs), never "being prepared"."""

from __future__ import annotations

import urllib.request
import uuid

import pytest

from local import seed
from tests.reliability.worlds import pdf_text


@pytest.mark.parametrize("write", ["import", "api"])
def test_every_seeded_receipt_opens_as_its_pdf(local_env, gateway, write):
    # Given a small agency seeded the way `make dev` does (a seed no other test seeds), with a demo login of its own
    demo_email = f"receipts-{uuid.uuid4().hex[:8]}@demo.local"
    prepared = seed.generate_items(11, customers=3, today=None, currency="USD")
    assert prepared.counts["receipt"] == prepared.counts["document"]  # each receipt filed, its PDF made when opened
    seed.load(local_env, write=write, prepared=prepared, demo_email=demo_email, staff_logins={})
    token = local_env.login(demo_email).id_token

    # When the demo customer opens each of their payments that has a receipt number
    listed = gateway.request("GET", "/v1/portal/payments?limit=100", token=token)
    assert listed.status == 200, listed.body
    with_receipts = [p for p in listed.body["payments"] if p.get("receipt_number")]
    assert with_receipts
    for payment in with_receipts:
        detail = gateway.request("GET", f"/v1/portal/payments/{payment['payment_id']}", token=token)
        assert detail.status == 200, detail.body
        receipt = detail.body["receipt"]
        # Then the receipt is a document the portal can open: its PDF, for that receipt number
        assert receipt["document_id"], payment
        link = gateway.request("GET", f"/v1/portal/documents/{receipt['document_id']}", token=token)
        assert link.status == 200, link.body
        assert link.body["filename"] == f"receipt-{receipt['receipt_number']}.pdf"
        with urllib.request.urlopen(link.body["url"]) as opened:  # noqa: S310 - the local S3's presigned URL
            pdf = opened.read()
        assert pdf.startswith(b"%PDF-")
        assert receipt["receipt_number"].encode() in pdf_text(pdf)

    # And they are listed among the customer's documents
    documents = gateway.request("GET", "/v1/portal/documents?type=receipt&limit=100", token=token)
    assert {d["reference"] for d in documents.body["documents"]} >= {p["receipt_number"] for p in with_receipts}
