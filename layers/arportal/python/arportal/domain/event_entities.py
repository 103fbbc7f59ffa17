"""What an event is about, and where it stands among that entity's events: ``entity: {type, id, sequence}``.

Every outbox event names one entity and a sequence number that increases with every event about that entity, so a
reader applies one entity's events in order and drops a stale one (a sequence not above the last it applied),
whatever order the bus or the feed hands them over in. Numbers may skip (a change that publishes nothing still
moves the counter an entity's sequence is taken from); they never repeat or go back.

Each number comes from a counter the writer already moves, in the same transaction as the event, under a condition
on the value it read, so two writers can never publish one number:

- ``payment``, ``invoice``: the item's ``version`` after the write (every write of a payment or an invoice is
  conditioned on the version read and raises it by one);
- a record a connected system loaded (``customer``, ``account``, ``credit_note``, ``sales_order``, ``document``):
  the seq of the entity's audit chain record written with it (the chain head is put conditioned on the seq read);
  a loaded invoice is an ``invoice`` like any other, by its version;
- ``credit_application``, ``interaction`` (a support request): created by their one event and never changed by
  another: 1;
- ``payment_intent``: the microseconds of the intent attempt's ``created_at``. The reconciler publishes at most one
  event per attempt (``payment_intent.closed``, or ``payment.reconciled`` once it posted the charge), at least
  ``RECONCILE_AFTER`` (5 minutes) after the attempt opened, and a retry re-opens an intent only after that, with a
  later ``created_at``.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from arportal.domain.audit_chain import Head
from arportal.domain.models import Invoice, Payment

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EventEntity:
    type: str  # payment, invoice, customer, account, credit_note, ...
    id: str  # the platform's id of it: pay_..., inv_..., the customer id, the account number, ...
    sequence: int

    def as_detail(self) -> dict[str, object]:
        return {"type": self.type, "id": self.id, "sequence": self.sequence}


def of_payment(payment: Payment) -> EventEntity:
    """An event about ``payment`` as it is after the write that publishes it."""
    return EventEntity("payment", payment.payment_id, payment.version)


def of_invoice(invoice: Invoice) -> EventEntity:
    """An event about ``invoice`` as it is after the write that publishes it."""
    return EventEntity("invoice", invoice.invoice_id, invoice.version)


def created(entity_type: str, entity_id: str) -> EventEntity:
    """The one event of an entity no other event changes."""
    return EventEntity(entity_type, entity_id, 1)


def chained(entity_type: str, entity_id: str, head: Head | None) -> EventEntity:
    """An event written with the next record of the entity's audit chain (``head``: the chain's head as read)."""
    return EventEntity(entity_type, entity_id, (head.seq if head else 0) + 1)


def loaded(entity_type: str, entity_id: str, after: object, head: Head | None) -> EventEntity:
    """An event about a record a connected system loaded: an invoice by its version (payments and staff adjustments
    move it too), anything else by its audit chain, which the load extends in the same transaction."""
    if isinstance(after, Invoice):
        return of_invoice(after)
    return chained(entity_type, entity_id, head)


def of_intent_attempt(charge_key: str, attempt_opened_at: datetime) -> EventEntity:
    """An event about one attempt of a payment intent (see the module: one event per attempt at most)."""
    delta = attempt_opened_at.astimezone(UTC) - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return EventEntity("payment_intent", charge_key, micros)
