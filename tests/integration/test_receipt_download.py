"""A portal payment's receipt PDF is rendered on first download against the real adapters (moto): none at payment
time, one stored however many first downloads race (S3's conditional put), the email without it (issue 18)."""

from __future__ import annotations

import threading
import uuid

import pytest

from arportal import clock
from arportal.adapters import processors
from arportal.adapters.sandbox import SandboxProcessor
from arportal.config import settings
from arportal.services import documents
from arportal.services.receipt_pdfs import render_on_download
from arportal.wiring import stores
from tests.fakes import CountingProcessor
from tests.integration.conftest import new_customer_id
from tests.reliability.worlds import PayWorld, pay_world, pdf_text


@pytest.fixture
def world(local_env, make_users, monkeypatch) -> PayWorld:
    monkeypatch.setattr(processors, "processor_for", lambda _settings: CountingProcessor(SandboxProcessor()))
    cid = new_customer_id()
    w = pay_world((3_000,), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


class _Racing:
    """The real S3 store, with every put_new held at a barrier so two first downloads reach S3 together."""

    def __init__(self, store, parties: int) -> None:
        self.store, self.barrier, self.outcomes = store, threading.Barrier(parties), []

    def put_new(self, key, body, *, content_type, metadata=None):
        self.barrier.wait(timeout=10)
        stored = self.store.put_new(key, body, content_type=content_type, metadata=metadata)
        self.outcomes.append(stored)
        return stored

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_a_payment_stores_no_pdf_and_racing_first_downloads_store_one(gateway, world, local_env):
    reply = gateway.request(
        "POST", "/v1/portal/payments", token=world.token, headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"amount": 3_000, "currency": "USD", "method": "card", "token": "tok_visa"},
    )  # fmt: skip
    assert reply.status == 201, reply.body
    receipt = reply.body["receipt"]
    [document] = world.partition("DOC#")
    s3, bucket, key = local_env.client("s3"), settings().documents_bucket, document["storage_key"]
    assert int(document["size"]) == 0 and s3.list_objects_v2(Bucket=bucket, Prefix=key)["KeyCount"] == 0
    mail = [m for m in gateway.request("GET", "/local/mailbox").body["messages"] if world.customer.email in m["to"]]
    assert len(mail) == 1 and mail[0]["attachments"] == [] and receipt["receipt_number"] in mail[0]["body"]

    racing = _Racing(stores.document_files(), 2)
    services = stores.receipt_services()
    services = type(services)(**{**services.__dict__, "files": racing})
    links, errors = [], []

    def download() -> None:
        try:
            link = documents.download_link(
                stores.documents(),
                racing,  # type: ignore[arg-type]
                world.customer_id,
                receipt["document_id"],
                now=clock.now(),
                render=lambda d: render_on_download(d, services),
            )
            links.append(link)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and len(links) == 2
    assert sorted(racing.outcomes) == [False, True]  # one PUT stored it; S3 refused the other's (If-None-Match)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body.startswith(b"%PDF-") and receipt["receipt_number"].encode() in pdf_text(body)
    assert int(world.partition("DOC#")[0]["size"]) == len(body)
    # Opened again through the portal: linked, nothing rendered or stored again
    again = gateway.request("GET", f"/v1/portal/documents/{receipt['document_id']}", token=world.token)
    assert again.status == 200 and again.body["filename"] == f"receipt-{receipt['receipt_number']}.pdf"
    assert again.body["url"] and s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body


def test_the_first_download_through_the_portal_draws_and_stores_the_pdf(gateway, world, local_env):
    reply = gateway.request(
        "POST", "/v1/portal/payments", token=world.token, headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"amount": 3_000, "currency": "USD", "method": "card", "token": "tok_visa"},
    )  # fmt: skip
    assert reply.status == 201, reply.body
    receipt = reply.body["receipt"]

    first = gateway.request("GET", f"/v1/portal/documents/{receipt['document_id']}", token=world.token)

    assert first.status == 200 and first.body["url"], first.body
    [document] = world.partition("DOC#")
    stored = local_env.client("s3").get_object(Bucket=settings().documents_bucket, Key=document["storage_key"])
    body = stored["Body"].read()
    assert body.startswith(b"%PDF-") and int(document["size"]) == len(body)
    assert receipt["receipt_number"].encode() in pdf_text(body)
