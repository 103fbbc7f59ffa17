"""Receipts and confirmations after a payment: stored, linked and emailed, and never able to undo the payment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arportal.adapters.sandbox import SandboxProcessor
from arportal.domain.fees import FeeRule, FeeSchedule
from arportal.domain.ids import new_id
from arportal.domain.models import Channel, DocumentKind, NotificationPreferences, PaymentMethodType
from arportal.domain.status import PaymentStatus
from arportal.services.payment_notices import decline_advice
from arportal.services.payments import PayCommand, PaymentsConfig
from arportal.services.receipts import Contact, pay_and_confirm, send_receipt
from tests import builders as b
from tests.fakes import InMemoryPaymentPosting, ReceiptKit

CID = "CUS-000400"
CONFIG = PaymentsConfig("USD", FeeSchedule(rules={PaymentMethodType.CARD: FeeRule(basis_points=250)}), "sandbox")


@pytest.fixture
def kit() -> ReceiptKit:
    acct = b.account(CID, number="UT-200400")
    invoices = [
        b.invoice(CID, acct.account_number, amount=3_000, due=b.TODAY),
        b.invoice(CID, acct.account_number, amount=5_000, due=b.TODAY + timedelta(days=30)),
    ]
    return ReceiptKit(InMemoryPaymentPosting(invoices, [acct]), [b.customer(CID, email="pat@example.org")])


def checkout(
    kit: ReceiptKit,
    amount: int,
    *,
    token="tok_visa",
    method=PaymentMethodType.CARD,
    key=None,
    contact=None,
    channel=Channel.PORTAL,
    portal_url="https://pay.springfield.example",
):
    command = PayCommand(
        idempotency_key=key or new_id("key"),
        scope=CID,
        customer_id=CID,
        amount=amount,
        currency="USD",
        method=method,
        channel=channel,
        actor="customer:pat",
        token=token,
    )
    return pay_and_confirm(
        command,
        ledger=kit.ledger,
        processor=SandboxProcessor(),
        config=CONFIG,
        services=kit.services(portal_url=portal_url),
        contact=contact,
        now=b.NOW,
    )


def test_a_posted_payment_gets_its_receipt_filed_and_emailed_and_renders_no_pdf(kit):
    done = checkout(kit, 4_000)
    payment = done.result.payment
    assert payment.status is PaymentStatus.POSTED
    [document] = kit.documents
    assert document.kind is DocumentKind.RECEIPT and document.reference == payment.receipt_number
    assert document.storage_key == f"customers/{CID}/receipts/{document.document_id}.pdf"
    assert document.size == 0 and kit.files == {}  # rendered on first download, not on every payment
    assert done.delivery.document_id == document.document_id and done.delivery.url is None
    [email] = kit.sent
    assert email.to == ("pat@example.org",) and payment.receipt_number in email.subject
    assert email.attachments == () and "Keep this email as your receipt." in email.text
    assert f"Receipt number: {payment.receipt_number}" in email.text
    assert f"Transaction id: {payment.transaction_id}" in email.text
    assert "Total paid: 41.00 USD" in email.text  # 4,000 + the 2.5 % fee, in major units
    assert "https://pay.springfield.example/" in email.text
    # the receipt link: the payment's page in the portal, where the receipt downloads (a presigned URL would expire)
    assert f"https://pay.springfield.example/payment.html?id={payment.payment_id}" in email.text
    assert done.balances == {
        i.invoice_id: 0 if i.amount == 3_000 else 4_000 for i in kit.ledger.invoices_by_id.values()
    }


def test_a_payer_who_wants_no_receipts_gets_none_but_the_pdf_is_kept(kit):
    kit.customers[CID] = kit.customers[CID].model_copy(
        update={"preferences": NotificationPreferences(email_receipts=False)}
    )
    done = checkout(kit, 1_000)
    assert kit.sent == [] and len(kit.documents) == 1 and done.delivery.emailed_to == ()


@pytest.mark.parametrize(
    ("failing", "problems", "stored", "channel"),
    [
        # rendered at payment time only where nobody could download it later (a guest)
        ({"render"}, {"receipt_not_stored"}, False, Channel.GUEST),
        ({"store"}, {"receipt_not_stored"}, False, Channel.GUEST),
        ({"record"}, {"receipt_not_stored"}, False, Channel.GUEST),
        ({"record"}, {"receipt_not_stored"}, False, Channel.PORTAL),
        ({"mail"}, {"receipt_email_not_sent"}, True, Channel.GUEST),
        ({"mail"}, {"receipt_email_not_sent"}, True, Channel.PORTAL),
        ({"profile"}, set(), True, Channel.PORTAL),  # nobody to email: not a failure of the receipt
    ],
)
def test_a_failure_after_posting_is_reported_never_raised(kit, failing, problems, stored, channel):
    kit.failing = failing
    done = checkout(kit, 1_000, channel=channel)
    assert done.result.payment.status is PaymentStatus.POSTED and len(kit.ledger.postings) == 1
    assert set(done.delivery.problems) == problems
    assert (done.delivery.document_id is not None) is stored


def test_a_receipt_can_be_sent_again_from_the_ledger(kit):
    kit.failing = {"render"}
    done = checkout(kit, 1_000)
    kit.failing = set()
    again = send_receipt(
        CID, done.result.payment.payment_id, to="clerk@example.org", services=kit.services(), now=b.NOW
    )
    assert again and again.document_id and again.emailed_to == ("clerk@example.org",)
    assert again.receipt_number == done.result.payment.receipt_number
    assert send_receipt(CID, "pay_missing", to=None, services=kit.services(), now=b.NOW) is None


def test_pending_and_declined_payments_are_acknowledged_differently(kit):
    pending = checkout(kit, 3_000, token="tok_ach", method=PaymentMethodType.ACH)
    declined = checkout(kit, 1_000, token="tok_expired")
    assert pending.delivery.receipt_number is None and kit.documents == []
    assert declined.advice and declined.advice.code == "expired_card"
    assert [e.subject for e in kit.sent] == [
        "Springfield: your bank payment is being processed",
        "Springfield: your payment did not go through",
    ]
    assert "Nothing was charged" in kit.sent[1].text
    assert f"What to do next: {declined.advice.next_step}" in kit.sent[1].text


def test_a_replay_answers_from_the_ledger_and_tells_nobody_twice(kit):
    key = new_id("key")
    first = checkout(kit, 4_000, key=key)
    again = checkout(kit, 4_000, key=key)
    assert again.result.replayed and again.result.payment.payment_id == first.result.payment.payment_id
    assert [a.amount for a in again.allocations] == [a.amount for a in first.allocations]
    assert len(kit.sent) == 1 and len(kit.documents) == 1


def test_a_guest_is_emailed_only_at_the_address_given(kit):
    # A guest has no portal account to download from later: the PDF is rendered now and attached
    checkout(kit, 1_000, contact=Contact("Guest payer", "guest@example.net"), channel=Channel.GUEST)
    assert [e.to for e in kit.sent] == [("guest@example.net",)]
    assert kit.sent[0].attachments and kit.sent[0].attachments[0][2].startswith(b"%PDF")
    assert b"Guest payer" in next(iter(kit.files.values()))


@pytest.mark.parametrize(
    ("code", "public", "retryable"),
    [
        ("stolen_card", "card_declined", False),
        ("lost_card", "card_declined", False),
        ("insufficient_funds", "insufficient_funds", True),
        ("processing_error", "processing_error", True),
        ("rate_limited", "rate_limited", True),
        ("something_new", "something_new", False),
        (None, "declined", False),
    ],
)
def test_decline_advice_says_what_to_do_and_hides_what_it_must(code, public, retryable):
    advice = decline_advice(code)
    assert (advice.code, advice.retryable) == (public, retryable)
    assert advice.message and advice.next_step and "stolen" not in advice.message.lower()


def test_emails_date_a_payment_by_the_agency_s_calendar():
    # A payment at 03:00 UTC is the evening before in Chicago: the payer's email says that day
    from datetime import UTC, datetime

    from arportal.domain.agency_time import AgencyTime
    from arportal.domain.models import Receipt, ReceiptLine
    from arportal.services.payment_notices import pending_notice, receipt_email

    at = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    payment = b.payment("CUS-000500", amount=1_000).model_copy(update={"created_at": at})
    chicago = AgencyTime("America/Chicago")
    assert "on 2 December 2026." in pending_notice(payment, "City", "Pat", None, time=chicago).text
    assert "on 3 December 2026." in pending_notice(payment, "City", "Pat", None).text  # no zone named: UTC
    line = ReceiptLine(description="Water", amount=1_000)
    receipt = Receipt(
        receipt_number="R-2612-7K3M9Q", payment_id=payment.payment_id, customer_id="CUS-000500", issued_at=at,
        currency="USD", lines=[line], fee_amount=0, total=1_000,
    )  # fmt: skip
    assert "Date: 2 December 2026" in receipt_email(payment, receipt, "City", "Pat", None, time=chicago).text
