"""Request and response models of what the agency's systems read back (``routes/events.py``,
``routes/readback.py``): the event feed, the payments that changed, and the balances comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from arportal.api.schemas import In, Out, StrictMinorAmount
from arportal.domain.balance_comparison import MAX_INVOICES, BalanceDifference, Comparison, TheirBalance
from arportal.domain.event_feed import FeedEvent
from arportal.domain.models import Allocation
from arportal.domain.values import Currency, CustomerId, InvoiceNumber
from arportal.services.event_feed import PaymentChange

# --- the event feed --------------------------------------------------------------------------------------------


class FeedEntityOut(Out):
    type: str = Field(description="What the event is about: payment, invoice, customer, account, credit_note, ...")
    id: str = Field(description="The platform's id of it (pay_..., inv_..., the customer id, the account number)")
    sequence: int = Field(
        description="Higher for every later event about this entity (numbers may skip): apply an entity's events "
        "in this order and drop one whose sequence is not above the last you applied"
    )


class FeedEventOut(Out):
    event_id: str = Field(description="Unique; the bus event's detail.event_id")
    type: str = Field(description="The event's detail-type on the bus: payment.posted, invoice.loaded, ...")
    occurred_at: datetime
    entity: FeedEntityOut | None = Field(description="What the event is about; every event names one")
    detail: dict[str, Any] = Field(description="The event's detail as published on the bus (docs/events.md)")

    @classmethod
    def of(cls, event: FeedEvent) -> FeedEventOut:
        entity = event.entity
        return cls(
            event_id=event.event_id,
            type=event.type,
            occurred_at=event.occurred_at,
            entity=FeedEntityOut(type=entity.type, id=entity.id, sequence=entity.sequence) if entity else None,
            detail=dict(event.detail),
        )


class FeedPageOut(Out):
    events: list[FeedEventOut] = Field(description="Oldest first")
    next_cursor: str = Field(
        description="Where to go on from: after the last event served, or the cursor sent when nothing new has "
        "settled. Always given: poll with it"
    )


# --- payments that changed -------------------------------------------------------------------------------------


class PaidInvoiceOut(Out):
    invoice_id: str = Field(description="The invoice's number: the source system's own id of it")
    account_number: str
    amount: int = Field(description="Minor units this payment applied to it")

    @classmethod
    def of(cls, allocation: Allocation) -> PaidInvoiceOut:
        return cls(
            invoice_id=allocation.invoice_number, account_number=allocation.account_number, amount=allocation.amount
        )


class ChangedPaymentOut(Out):
    payment_id: str
    customer_id: str | None = Field(description="null: a guest's payment")
    status: str = Field(description="As it is now: pending, posted, settled, failed, refunded, voided, reversed, ...")
    amount: int = Field(description="Minor units paid, without the fee")
    fee_amount: int
    refunded: int = Field(description="Minor units given back so far")
    unapplied: int = Field(description="Minor units held as the customer's credit")
    currency: str
    method: str = Field(description="card, debit, ach, wallet, cash, cheque, credit, wire, ach_credit")
    channel: str = Field(description="portal, guest, counter, phone, autopay, integration, bank")
    receipt_number: str | None
    transaction_id: str | None = Field(description="The processor's id of the charge")
    created_at: datetime
    updated_at: datetime = Field(description="When its latest change on this page happened")
    allocations: list[PaidInvoiceOut] = Field(description="What it paid, invoice by invoice")

    @classmethod
    def of(cls, change: PaymentChange) -> ChangedPaymentOut:
        p = change.payment
        return cls(
            payment_id=p.payment_id,
            customer_id=p.customer_id,
            status=p.status.value,
            amount=p.amount,
            fee_amount=p.fee_amount,
            refunded=p.refunded,
            unapplied=p.unapplied,
            currency=p.currency,
            method=p.method.type.value,
            channel=p.channel.value,
            receipt_number=p.receipt_number,
            transaction_id=p.transaction_id,
            created_at=p.created_at,
            updated_at=change.changed_at,
            allocations=[PaidInvoiceOut.of(a) for a in change.allocations],
        )


class ChangedPaymentsOut(Out):
    payments: list[ChangedPaymentOut] = Field(description="Oldest change first; each payment once a page")
    next_cursor: str = Field(description="Where to go on from (always given: poll with it)")


# --- balances compared -----------------------------------------------------------------------------------------


class HeldBalanceIn(In):
    customer_id: CustomerId
    invoice_id: InvoiceNumber = Field(description="The invoice's number, as loaded (invoice_number)")
    balance: StrictMinorAmount = Field(description="What the back end holds as owed, minor units")
    currency: Currency

    def held(self) -> TheirBalance:
        return TheirBalance(self.customer_id, self.invoice_id, self.balance, self.currency)


class BalancesCompareIn(In):
    invoices: list[HeldBalanceIn] = Field(min_length=1, max_length=MAX_INVOICES)


class BalanceDifferenceOut(Out):
    customer_id: str
    invoice_id: str = Field(description="The invoice's number")
    theirs: int = Field(description="The balance sent")
    ours: int = Field(description="What the platform says is owed (0 once voided)")
    currency: str = Field(description="The platform's currency of the invoice")
    status: str = Field(description="The platform's invoice status: open, partially_paid, paid, voided")
    reason: str = Field(description="balance: another amount; currency: another currency")

    @classmethod
    def of(cls, d: BalanceDifference) -> BalanceDifferenceOut:
        return cls(
            customer_id=d.customer_id,
            invoice_id=d.invoice_number,
            theirs=d.theirs,
            ours=d.ours,
            currency=d.currency,
            status=d.status,
            reason=d.reason,
        )


class UnknownInvoiceOut(Out):
    customer_id: str
    invoice_id: str


class BalancesCompareOut(Out):
    differences: list[BalanceDifferenceOut] = Field(description="Only the invoices that differ, in the order sent")
    unknown: list[UnknownInvoiceOut] = Field(description="Invoices the platform never loaded for that customer")
    compared: int = Field(description="Invoices sent")

    @classmethod
    def of(cls, comparison: Comparison) -> BalancesCompareOut:
        return cls(
            differences=[BalanceDifferenceOut.of(d) for d in comparison.differences],
            unknown=[
                UnknownInvoiceOut(customer_id=u.customer_id, invoice_id=u.invoice_number) for u in comparison.unknown
            ],
            compared=comparison.compared,
        )
