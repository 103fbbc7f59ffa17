"""Presenting a returned ACH debit again, at staff's request (NACHA re-presentment of an R01/R09 return).

The rules are ``domain/representment.py``'s. The new presentment is a payment like any other, through
``receipts.pay_and_confirm`` (the same posting transaction, allocation, receipt, outbox event and audit): the same
customer, amount and invoices as the returned debit (those its return reopened; an invoice paid since makes the
presentment refused, not partly applied), charged through the processor's ``represent_debit`` on the original
bank account and authorization. It continues the original's series as its next try (``Payment.attempt``), so
the NACHA count and the 180 days are read from the payments themselves, and the return-rate monitor and a later
return of the new debit see it as a re-presentment.

Once per presentment: its idempotency key is the series and the presentment's number, whoever asks and however
often, so two staff members pressing the button at once make one debit, and asking again for an earlier
presentment returns the payment it made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.models import Payment, PaymentMethodType, SeriesRef
from arportal.domain.payment_series import OpenSeries
from arportal.domain.representment import Representment, representment
from arportal.ports import ChargeRequest, ChargeResult, PaymentPosting, PaymentProcessor, PaymentStatusReader
from arportal.services.payments import PayCommand, PaymentsConfig
from arportal.services.receipts import Checkout, ReceiptServices, pay_and_confirm

SCOPE = "representment"  # the idempotency scope of every presentment, whoever asked for it


@dataclass(frozen=True)
class Represented:
    original: Payment
    answer: Representment  # the rules' answer for the original, when it was presented again
    checkout: Checkout  # the new presentment (pending until its bank settles it, like any ACH debit)


def eligibility(payment_id: str, *, reads: PaymentStatusReader, ledger: PaymentPosting, now: datetime) -> Representment:
    """The rules' answer, and whether the next presentment was made already (then it is not allowed again)."""
    record = reads.payment_status(payment_id)
    if record is None:
        raise NotFoundError(f"no payment {payment_id}")
    answer = representment(record.payment, now.date())
    made = ledger.posted_payment(SCOPE, answer.key) if answer.allowed else None
    if made is None:
        return answer
    return replace(answer, allowed=False, reason="it was presented again already", presented_as=made.payment_id)


def represent(
    payment_id: str,
    *,
    actor: str,
    reads: PaymentStatusReader,
    ledger: PaymentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    services: ReceiptServices,
    now: datetime,
) -> Represented:
    record = reads.payment_status(payment_id)
    if record is None:
        raise NotFoundError(f"no payment {payment_id}")
    original = record.payment
    answer = representment(original, now.date())
    if not answer.allowed:
        raise BusinessRuleError(f"this debit cannot be presented again: {answer.reason}", details=answer.as_json())
    assert original.transaction_id is not None  # representment() allows only a processor's debit
    invoices = tuple((a.invoice_id, a.amount) for a in record.allocations)
    series = original.series or SeriesRef(
        series_id=original.payment_id, started_at=original.created_at, channel=original.channel,
        method=original.method.type,
    )  # fmt: skip
    command = PayCommand(
        idempotency_key=answer.key,
        scope=SCOPE,
        customer_id=original.customer_id,
        amount=original.amount,
        currency=original.currency,
        method=PaymentMethodType.ACH,
        channel=original.channel,
        actor=actor,
        token=original.transaction_id,  # what is debited: the original's account (``represent_debit``)
        invoices=invoices or None,
        hold_as_credit=not invoices,
        description=f"Bank debit presented again ({answer.next_presentment} of 3)",
        series=OpenSeries(series, original.attempt),
    )
    checkout = pay_and_confirm(
        command,
        ledger=ledger,
        processor=cast(PaymentProcessor, _Representing(processor, original.transaction_id)),
        config=config,
        services=services,
        contact=None,
        now=now,
    )
    return Represented(original, answer, checkout)


class _Representing:
    """The processor as ``pay`` charges it for a presentment: a charge is a new debit of the original's account."""

    def __init__(self, processor: PaymentProcessor, original_transaction_id: str) -> None:
        self._processor = processor
        self._original = original_transaction_id
        self.name = processor.name

    def charge(self, request: ChargeRequest) -> ChargeResult:
        return self._processor.represent_debit(self._original, request)

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        return self._processor.find_charge(idempotency_key)
