"""A receipt's PDF is rendered on first download, once, not on every payment (issue 18, part 5)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.errors import NotFoundError
from arportal.domain.fees import FeeSchedule
from arportal.domain.ids import new_id
from arportal.domain.models import Channel, PaymentMethodType
from arportal.services import documents
from arportal.services.payments import PayCommand, PaymentsConfig
from arportal.services.receipt_pdfs import render_on_download
from arportal.services.receipts import pay_and_confirm
from tests import builders as b
from tests.fakes import InMemoryPaymentPosting, ReceiptKit

CID = "CUS-000410"
PORTAL = "https://pay.springfield.example"


@pytest.fixture
def kit() -> ReceiptKit:
    acct = b.account(CID, number="UT-200410")
    invoices = [b.invoice(CID, acct.account_number, amount=3_000, due=b.TODAY + timedelta(days=5))]
    return ReceiptKit(InMemoryPaymentPosting(invoices, [acct]), [b.customer(CID, email="pat@example.org")])


def pay(kit: ReceiptKit, *, portal_url: str | None = PORTAL):
    command = PayCommand(
        idempotency_key=new_id("key"), scope=CID, customer_id=CID, amount=3_000, currency="USD",
        method=PaymentMethodType.CARD, channel=Channel.PORTAL, actor="customer:pat", token="tok_visa",
    )  # fmt: skip
    config = PaymentsConfig("USD", FeeSchedule(rules={}), "sandbox")
    services = kit.services(portal_url=portal_url)
    return pay_and_confirm(
        command, ledger=kit.ledger, processor=SandboxProcessor(), config=config, services=services, contact=None,
        now=b.NOW,
    )  # fmt: skip


def download(kit: ReceiptKit, document_id: str):
    services = kit.services(portal_url=PORTAL)
    return documents.download_link(
        kit, kit, CID, document_id, now=b.NOW, render=lambda d: render_on_download(d, services)
    )  # type: ignore[arg-type]


class CountingKit(ReceiptKit):
    """Counts renders, and holds every renderer at a barrier so two downloads race through it together."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.renders = 0
        self.stored: list[str] = []
        self.barrier: threading.Barrier | None = None
        self._lock = threading.Lock()

    def render(self, receipt, payment, *, agency_name, payer):
        with self._lock:
            self.renders += 1
        if self.barrier is not None:
            self.barrier.wait(timeout=5)
        return super().render(receipt, payment, agency_name=agency_name, payer=payer)

    def put_new(self, key, body, *, content_type, metadata=None):
        with self._lock:
            stored = super().put_new(key, body, content_type=content_type, metadata=metadata)
            if stored:
                self.stored.append(key)
            return stored


def test_a_payment_renders_no_pdf_and_the_first_download_renders_it_once():
    kit = CountingKit(_ledger(), [b.customer(CID, email="pat@example.org")])
    done = pay(kit)
    assert kit.renders == 0 and kit.files == {}
    document_id = done.delivery.document_id
    first = download(kit, document_id)
    assert kit.renders == 1 and list(kit.files) == [first.document.storage_key]
    assert (
        kit.files[first.document.storage_key].startswith(b"%PDF")
        and b"Pat Example" in kit.files[first.document.storage_key]
    )
    assert first.document.size == len(kit.files[first.document.storage_key]) and first.url
    [stored] = kit.documents
    assert stored.size == first.document.size  # recorded: the next download renders nothing
    download(kit, document_id)
    assert kit.renders == 1


def test_two_racing_first_downloads_store_one_pdf():
    kit = CountingKit(_ledger(), [b.customer(CID, email="pat@example.org")])
    document_id = pay(kit).delivery.document_id
    kit.barrier = threading.Barrier(2)
    links, errors = [], []

    def open_it():
        try:
            links.append(download(kit, document_id))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == [] and len(links) == 2
    assert kit.renders == 2 and len(kit.stored) == 1  # both rendered; the conditional put stored one
    assert {link.document.storage_key for link in links} == set(kit.stored)
    [document] = kit.documents
    assert document.size == len(kit.files[kit.stored[0]])


def test_the_receipt_email_reaches_the_payer_with_what_it_needs():
    kit = ReceiptKit(_ledger(), [b.customer(CID, email="pat@example.org")])
    payment = pay(kit).result.payment
    [email] = kit.sent
    assert email.to == ("pat@example.org",) and email.attachments == ()
    for needed in (
        f"Receipt number: {payment.receipt_number}",
        f"Transaction id: {payment.transaction_id}",
        "Total paid: 30.00 USD",
        f"{PORTAL}/payment.html?id={payment.payment_id}",  # where the PDF downloads
    ):
        assert needed in email.text


def test_without_a_portal_link_the_email_still_says_where_the_pdf_is():
    kit = ReceiptKit(_ledger(), [b.customer(CID, email="pat@example.org")])
    done = pay(kit, portal_url=None)
    [document] = kit.documents
    assert document.size == 0 and kit.files == {} and done.delivery.url is None
    assert kit.sent[0].attachments == () and "Its PDF is in the portal, under Documents." in kit.sent[0].text


def test_an_unrendered_document_without_a_renderer_or_a_receipt_is_not_found():
    kit = ReceiptKit(_ledger(), [b.customer(CID, email="pat@example.org")])
    document_id = pay(kit).delivery.document_id
    with pytest.raises(NotFoundError):
        documents.download_link(kit, kit, CID, document_id, now=b.NOW)  # type: ignore[arg-type]
    kit.ledger.postings.clear()  # the ledger no longer has the receipt it was made from
    with pytest.raises(NotFoundError):
        download(kit, document_id)
    assert kit.files == {}


def _ledger() -> InMemoryPaymentPosting:
    acct = b.account(CID, number="UT-200410")
    return InMemoryPaymentPosting([b.invoice(CID, acct.account_number, amount=3_000, due=b.TODAY)], [acct])
