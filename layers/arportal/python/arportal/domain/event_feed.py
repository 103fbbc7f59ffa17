"""The event feed: every event the outbox published, oldest first, read back page by page from a position.

Order. An event id is a ULID (``ids.new_id("evt")``: 10 characters of milliseconds, then 16 random, Crockford
base32), made just before the transaction that writes the event, and the feed is in the order of the ids. Events
of one millisecond come in the order of their random part, so the order of two events about one entity is their
sequence (``event_entities``), not their place in the feed.

Positions. A position is a point between events, and a page serves the events after one:
- an event id: just after that event (where the previous page ended);
- ``evt_`` and 10 characters of time: just before every event made in that millisecond (``position_at``);
- ``START``: before every event.

Settling. An id is made before its transaction commits, so an event can appear after events with later ids; a
reader already past its id would never see it. So a page never goes past the *horizon*: it serves only events
made more than ``SETTLE_WINDOW`` ago by the product clock. No event commits that late: between making its id and
its commit a writer makes at most one read (an audit chain's head) and one ``TransactWriteItems``, each at most 3
attempts of 2 s to connect and 5 s to read with at most 3 s of back-off between them (``adapters/aws.py``): 48 s,
plus the index's propagation, normally well under a second. 60 s covers both.

Retention: an event is kept ``RETENTION`` (400 days, longer than the bus archive's 365), then the table's TTL
removes it. A TTL delete is no event: the relay publishes new outbox items only.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from arportal.domain.event_entities import EventEntity
from arportal.domain.ids import id_millis, new_id

EVENT_PREFIX = "evt"
START = f"{EVENT_PREFIX}_"
SETTLE_WINDOW = timedelta(seconds=60)
RETENTION = timedelta(days=400)
DEFAULT_PAGE = 100
MAX_PAGE = 500
_TIME_CHARS = 10
_RANDOM_CHARS = 16
_CROCKFORD = "[0-9A-HJKMNP-TV-Z]"
_POSITION = re.compile(rf"^{START}(?:{_CROCKFORD}{{{_TIME_CHARS}}}(?:{_CROCKFORD}{{{_RANDOM_CHARS}}})?)?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_MILLIS = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


@dataclass(frozen=True)
class FeedEvent:
    event_id: str
    type: str  # the detail-type on the bus
    occurred_at: datetime
    entity: EventEntity | None  # every outbox writer names one (``outbox_item``); None if a detail lacks it
    detail: Mapping[str, Any] = field(default_factory=dict)  # as published on the bus


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    next_position: str  # after the last event served; the position read from when there was nothing new


def position_at(instant: datetime) -> str:
    """Just before every event made in ``instant``'s millisecond (and after every earlier one)."""
    millis = _to_millis(instant)
    if millis < 0:  # before 1970: before every event
        return START
    return new_id(EVENT_PREFIX, now_ms=millis)[: len(START) + _TIME_CHARS]


def horizon(now: datetime) -> str:
    """Where a page read at ``now`` stops: before every event made within ``SETTLE_WINDOW`` of it."""
    return position_at(now - SETTLE_WINDOW)


def position_time(position: str) -> datetime | None:
    """The millisecond a position names (None for ``START``, for what is not a position, or past year 9999)."""
    millis = _millis(position)
    if millis is None or millis > _LAST_MILLIS:
        return None
    return _EPOCH + timedelta(milliseconds=millis)


def is_position(value: str) -> bool:
    return bool(_POSITION.match(value))


def may_resume(position: str, now: datetime) -> bool:
    """Whether ``position`` is one the feed could have given out by ``now``: well formed, and not in the future
    (a page never ends past its horizon)."""
    if position == START:
        return True
    millis = _millis(position)
    return millis is not None and millis <= _to_millis(now)


def _millis(position: str) -> int | None:
    if not is_position(position) or position == START:
        return None
    time_part = position[len(START) : len(START) + _TIME_CHARS]
    return id_millis(f"{START}{time_part}{'0' * _RANDOM_CHARS}")


def _to_millis(instant: datetime) -> int:
    return (instant.astimezone(UTC) - _EPOCH) // timedelta(milliseconds=1)
