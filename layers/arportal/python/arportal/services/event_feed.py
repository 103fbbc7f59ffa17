"""Reading back what happened: the event feed, and the payments that changed, page by page from a position.

Both read events made before the horizon (``domain/event_feed``: the settle window behind ``now``), so a position
handed out never has to be revisited: an event that commits late is still ahead of it. A page ends after its last
event; with nothing new it ends where it started, and a reader polls again from there.

Payments are read through their events (the ``payment`` entity's): each page of events names the payments that
changed, and each of those is answered once, as it is now (its status, its allocations), at the place of its last
change in the page. A payment that changes again later is answered again on a later page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arportal.domain.event_feed import FeedEvent, FeedPage, horizon
from arportal.domain.models import Allocation, Payment
from arportal.ports.readback import EventFeedStore, PaymentReadbackStore, PaymentRef


@dataclass(frozen=True)
class PaymentChange:
    payment: Payment
    allocations: list[Allocation]
    changed_at: datetime  # when the last change of the page happened (its event's occurred_at)
    event_id: str  # that change's event


@dataclass(frozen=True)
class PaymentChangesPage:
    changes: list[PaymentChange]
    next_position: str


def read_events(feed: EventFeedStore, *, after: str, limit: int, now: datetime) -> FeedPage:
    events = feed.events(after=after, before=horizon(now), limit=limit)
    return FeedPage(events, events[-1].event_id if events else after)


def read_payment_changes(
    feed: EventFeedStore, payments: PaymentReadbackStore, *, after: str, limit: int, now: datetime
) -> PaymentChangesPage:
    events = feed.payment_events(after=after, before=horizon(now), limit=limit)
    last: dict[str, FeedEvent] = {}
    for event in events:
        if event.entity is None:
            continue
        last.pop(event.entity.id, None)  # re-inserted: the payment takes the place of its latest change
        last[event.entity.id] = event
    found = payments.payments([PaymentRef(_customer_of(e), payment_id) for payment_id, e in last.items()])
    changes = [
        PaymentChange(found[payment_id].payment, found[payment_id].allocations, e.occurred_at, e.event_id)
        for payment_id, e in last.items()
        if payment_id in found
    ]
    return PaymentChangesPage(changes, events[-1].event_id if events else after)


def _customer_of(event: FeedEvent) -> str | None:
    customer_id = event.detail.get("customer_id")
    return str(customer_id) if customer_id else None
