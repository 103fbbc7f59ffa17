"""Where the outbox's events are found again, in order: the index entries every ``OUTBOX#`` item carries.

    ByActivityDay   DAYPK = EVENTS           DAYSK = <event_id>   every event: the feed (/v1/integrations/events)
    OpenItems       OPK   = EVENTS#payment   OSK   = <event_id>   the events about payments: the payments read back
                                                                  (/v1/integrations/payments)

Event ids are ULIDs of one length, so the sort key orders events by the millisecond their id was made, and a page
is one key-condition Query: ``DAYSK BETWEEN <after>0 AND <before>``. An id above ``after`` differs from it at some
character, where it is the greater, so it is above ``<after>0`` too, and ``after`` itself is below it; no event id
equals ``<before>`` (a position: ``domain/event_feed``). So the bounds are exactly what the positions say.

Why these two indexes rather than a new one: both have an ALL projection, so the entry holds the whole event and a
page needs no second read; both already keep partitions that are not a customer's (``APPROVALS``,
``PAYINTENTS#OPEN``); and no reader of either queries a partition by a prefix these names could fall into. One
partition takes every event, so the feed's writes share one index partition's throughput (about 1,000 write
units a second: several hundred events a second). That is far above an agency's payments; a bulk import that
outruns it has its transactions throttled by the index and retried, nothing lost.
"""

from __future__ import annotations

from arportal.domain.event_entities import EventEntity

FEED = "EVENTS"
PAYMENT_CHANGES = "EVENTS#payment"


def feed_index_attributes(event_id: str, entity: EventEntity) -> dict[str, str]:
    attributes = {"DAYPK": FEED, "DAYSK": event_id}
    if entity.type == "payment":
        attributes |= {"OPK": PAYMENT_CHANGES, "OSK": event_id}
    return attributes


def range_start(after: str) -> str:
    """The least sort key of an event after the position ``after``."""
    return f"{after}0"
