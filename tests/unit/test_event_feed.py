"""The event feed's pure parts: positions between event ids, the settle horizon, each event's entity and sequence,
and the services that page the feed and the payments that changed (over in-memory stores)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.adapters.dynamodb.event_feed_items import range_start
from arportal.domain import event_entities
from arportal.domain.audit_chain import Head
from arportal.domain.event_entities import EventEntity
from arportal.domain.event_feed import (
    SETTLE_WINDOW,
    START,
    FeedEvent,
    horizon,
    is_position,
    may_resume,
    position_at,
    position_time,
)
from arportal.domain.ids import new_id
from arportal.ports.readback import PaymentRef, PaymentWithAllocations
from arportal.services.event_feed import read_events, read_payment_changes
from tests import builders as b

# Hypothesis takes naive bounds and adds the time zone itself.
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def event_at(at: datetime, *, entity: EventEntity | None = None, customer_id: str | None = None) -> FeedEvent:
    millis = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    eid = new_id("evt", now_ms=millis)
    return FeedEvent(eid, "test.happened", at, entity, {"customer_id": customer_id} if customer_id else {})


# --- positions ---------------------------------------------------------------------------------------------------


@given(instants, st.integers(min_value=-5_000, max_value=5_000))
def test_a_position_at_an_instant_is_before_that_millisecond_s_events_and_after_earlier_ones(at, shift_ms):
    event = event_at(at + timedelta(milliseconds=shift_ms)).event_id
    position = position_at(at)
    assert (event > position) == (shift_ms >= 0)
    assert position > START


@given(st.lists(instants, min_size=2, max_size=20))
def test_the_events_after_a_position_are_the_ids_at_or_above_its_range_start(times):
    ids = sorted(event_at(t).event_id for t in times)
    for after in ids:
        low = range_start(after)
        assert [i for i in ids if i > after] == [i for i in ids if i >= low]
    assert all(i >= range_start(START) for i in ids)


def test_a_page_read_now_stops_before_what_has_not_settled():
    now = b.NOW
    settled = event_at(now - SETTLE_WINDOW - timedelta(milliseconds=1)).event_id
    unsettled = event_at(now - SETTLE_WINDOW).event_id
    assert settled < horizon(now) < unsettled


def test_positions_are_event_ids_times_or_the_start_and_never_in_the_future():
    now = b.NOW
    eid = event_at(now - timedelta(minutes=5)).event_id
    assert is_position(eid) and is_position(position_at(now)) and is_position(START)
    assert position_time(position_at(now)) == now.replace(microsecond=now.microsecond // 1000 * 1000)
    assert position_time(START) is None and position_time("evt_" + "Z" * 10) is None
    assert position_at(datetime(1969, 12, 31, tzinfo=UTC)) == START
    for forged in ("", "evt", "evt_1", "pay_01JD3ZZZZZZZZZZZZZZZZZZZZZ", eid.lower(), eid + "0", "evt_" + "I" * 10):
        assert not is_position(forged), forged
    assert may_resume(eid, now) and may_resume(START, now)
    assert not may_resume(event_at(now + timedelta(seconds=1)).event_id, now)
    assert not may_resume("evt_" + "Z" * 10, now)


# --- entities and sequences --------------------------------------------------------------------------------------


def test_payments_and_invoices_are_sequenced_by_their_version():
    payment = b.payment("CUS-1234")
    assert event_entities.of_payment(payment) == EventEntity("payment", payment.payment_id, 1)
    later = payment.model_copy(update={"version": 4})
    assert event_entities.of_payment(later).sequence == 4
    invoice = b.invoice("CUS-1234", "UT-1234").model_copy(update={"version": 7})
    assert event_entities.of_invoice(invoice) == EventEntity("invoice", invoice.invoice_id, 7)


def test_a_loaded_record_is_sequenced_by_its_audit_chain_and_a_loaded_invoice_by_its_version():
    assert event_entities.loaded("customer", "CUS-1234", b.customer("CUS-1234"), None).sequence == 1
    assert event_entities.loaded("account", "UT-1234", object(), Head(3, "h")).sequence == 4
    invoice = b.invoice("CUS-1234", "UT-1234").model_copy(update={"version": 2})
    assert event_entities.loaded("invoice", invoice.invoice_id, invoice, Head(9, "h")) == EventEntity(
        "invoice", invoice.invoice_id, 2
    )


def test_a_payment_intent_attempt_is_sequenced_by_when_it_opened():
    opened = datetime(2026, 5, 1, 12, 0, 0, 250_001, tzinfo=UTC)
    first = event_entities.of_intent_attempt("customer:CUS-1:key", opened)
    assert first.sequence == int(opened.timestamp()) * 1_000_000 + 250_001
    reopened = event_entities.of_intent_attempt("customer:CUS-1:key", opened + timedelta(minutes=5, microseconds=1))
    assert reopened.sequence > first.sequence


def test_what_is_created_once_is_sequence_one_and_the_detail_names_it():
    entity = event_entities.created("interaction", "int_1")
    assert entity.as_detail() == {"type": "interaction", "id": "int_1", "sequence": 1}


# --- the services ------------------------------------------------------------------------------------------------


class MemoryFeed:
    def __init__(self, events: Sequence[FeedEvent]) -> None:
        self.stored = sorted(events, key=lambda e: e.event_id)
        self.asked: list[tuple[str, str, int]] = []

    def events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        self.asked.append((after, before, limit))
        return [e for e in self.stored if after < e.event_id < before][:limit]

    def payment_events(self, *, after: str, before: str, limit: int) -> list[FeedEvent]:
        about = [e for e in self.stored if e.entity and e.entity.type == "payment"]
        return [e for e in about if after < e.event_id < before][:limit]


class MemoryPayments:
    def __init__(self, *payments: PaymentWithAllocations) -> None:
        self.by_id = {p.payment.payment_id: p for p in payments}
        self.asked: list[PaymentRef] = []

    def payments(self, wanted: Sequence[PaymentRef]) -> dict[str, PaymentWithAllocations]:
        self.asked += wanted
        return {r.payment_id: self.by_id[r.payment_id] for r in wanted if r.payment_id in self.by_id}


def test_pages_follow_each_other_and_polling_with_nothing_new_keeps_the_cursor():
    now = b.NOW
    events = [event_at(now - timedelta(minutes=10, seconds=-i)) for i in range(5)]
    feed = MemoryFeed(events)
    first = read_events(feed, after=START, limit=2, now=now)
    second = read_events(feed, after=first.next_position, limit=2, now=now)
    third = read_events(feed, after=second.next_position, limit=2, now=now)
    assert [e.event_id for e in first.events + second.events + third.events] == [e.event_id for e in events]
    idle = read_events(feed, after=third.next_position, limit=2, now=now)
    assert idle.events == [] and idle.next_position == third.next_position
    assert {before for _, before, _ in feed.asked} == {horizon(now)}


def test_an_event_that_commits_late_is_still_ahead_of_the_cursor():
    now = b.NOW
    early = event_at(now - timedelta(seconds=20))  # its id was made, its transaction not yet committed
    later = event_at(now - timedelta(seconds=10))
    feed = MemoryFeed([later])
    page = read_events(feed, after=START, limit=100, now=now)
    assert page.events == [] and page.next_position == START  # neither has settled: the cursor stays
    feed.stored = sorted([early, later], key=lambda e: e.event_id)  # the late commit
    settled = read_events(feed, after=page.next_position, limit=100, now=now + SETTLE_WINDOW)
    assert [e.event_id for e in settled.events] == [early.event_id, later.event_id]


def test_payment_changes_answer_each_payment_once_as_it_is_now_at_its_latest_change():
    now = b.NOW
    a, c = b.payment("CUS-1234"), b.payment(None)
    gone = "pay_" + "9" * 26
    ev = [
        event_at(now - timedelta(minutes=9), entity=EventEntity("payment", a.payment_id, 1), customer_id="CUS-1234"),
        event_at(now - timedelta(minutes=8), entity=EventEntity("payment", c.payment_id, 1)),
        event_at(now - timedelta(minutes=7), entity=EventEntity("invoice", "inv_1", 2)),
        event_at(now - timedelta(minutes=6), entity=EventEntity("payment", a.payment_id, 2), customer_id="CUS-1234"),
        event_at(now - timedelta(minutes=5), entity=EventEntity("payment", gone, 1), customer_id="CUS-1234"),
    ]
    refunded = replace(PaymentWithAllocations(a, []), payment=a.model_copy(update={"version": 2}))
    store = MemoryPayments(refunded, PaymentWithAllocations(c, []))
    page = read_payment_changes(MemoryFeed(ev), store, after=START, limit=10, now=now)
    assert [(ch.payment.payment_id, ch.event_id) for ch in page.changes] == [
        (c.payment_id, ev[1].event_id),
        (a.payment_id, ev[3].event_id),
    ]
    assert page.changes[1].payment.version == 2 and page.changes[1].changed_at == ev[3].occurred_at
    assert PaymentRef(None, c.payment_id) in store.asked and PaymentRef("CUS-1234", a.payment_id) in store.asked
    assert page.next_position == ev[4].event_id


@pytest.mark.parametrize("limit", [1, 2])
def test_payment_changes_page_by_their_events(limit):
    now = b.NOW
    a = b.payment("CUS-1234")
    ev = [
        event_at(now - timedelta(minutes=9 - i), entity=EventEntity("payment", a.payment_id, i + 1)) for i in range(3)
    ]
    feed, store = MemoryFeed(ev), MemoryPayments(PaymentWithAllocations(a, []))
    seen, after = [], START
    for _ in range(5):
        page = read_payment_changes(feed, store, after=after, limit=limit, now=now)
        seen += [ch.event_id for ch in page.changes]
        after = page.next_position
    assert seen[-1] == ev[-1].event_id and after == ev[-1].event_id
