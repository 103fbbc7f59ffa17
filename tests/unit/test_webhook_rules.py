"""The webhook rules (``domain/webhooks.py``): the retry schedule, what a 410 and five days of failures do, which
events an endpoint's filters take, and what a replay or a release makes of a delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arportal.domain.webhooks import (
    DISABLE_AFTER,
    EVENT_TYPES,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    TEST_EVENT_TYPE,
    Delivery,
    DeliveryStatus,
    DisabledReason,
    Endpoint,
    InvalidEndpointError,
    SendResult,
    after_attempt,
    after_send,
    held,
    matches,
    next_attempt_at,
    released,
    replayed,
    validate_filters,
)
from tests.clock import SESSION_NOW

NOW = SESSION_NOW
OK, DOWN, GONE = SendResult(200, 5), SendResult(503, 5), SendResult(410, 5)
TIMEOUT = SendResult(None, 10_000, error="timeout")


def delivery(**changes: object) -> Delivery:
    base = Delivery("whe_1", "evt_1", "payment.posted", '{"type":"payment.posted"}', DeliveryStatus.PENDING)
    return Delivery(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def endpoint(**changes: object) -> Endpoint:
    base = Endpoint("whe_1", "https://erp.example/hooks", ("payment.*",))
    return Endpoint(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_the_schedule_is_svixs_at_once_then_5s_5min_30min_2h_5h_10h_10h() -> None:
    expected = [0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600]
    assert [d.total_seconds() for d in RETRY_DELAYS] == expected
    assert [next_attempt_at(made, NOW) for made in range(MAX_ATTEMPTS)] == [NOW + d for d in RETRY_DELAYS]
    assert next_attempt_at(MAX_ATTEMPTS, NOW) is None
    assert next_attempt_at(2, NOW, scale=0.01) == NOW + timedelta(seconds=3)


def test_failures_follow_the_schedule_then_fail_for_good() -> None:
    current, at, times = delivery(), NOW, []
    while current.status is DeliveryStatus.PENDING:
        current = after_send(current, DOWN, at)
        times.append(current.next_attempt_at)
        at = current.next_attempt_at or at
    assert current.status is DeliveryStatus.FAILED
    assert current.attempts == MAX_ATTEMPTS
    assert current.last_status_code == 503
    spans = [(b - a) for a, b in zip([NOW, *times[:-2]], times[:-1], strict=True)]
    assert spans == list(RETRY_DELAYS[1:])
    assert times[-1] is None
    assert sum(RETRY_DELAYS, timedelta()) == timedelta(hours=27, minutes=35, seconds=5)  # "about 3 days" at most


def test_a_2xx_delivers_and_a_timeout_counts_as_a_failure() -> None:
    done = after_send(delivery(attempts=3), OK, NOW)
    assert (done.status, done.attempts, done.next_attempt_at) == (DeliveryStatus.DELIVERED, 4, None)
    timed_out = after_send(delivery(), TIMEOUT, NOW)
    assert (timed_out.status, timed_out.next_attempt_at, timed_out.last_status_code) == (
        DeliveryStatus.PENDING,
        NOW + timedelta(seconds=5),
        None,
    )


def test_a_410_stops_the_delivery_and_switches_the_endpoint_off_at_once() -> None:
    assert after_send(delivery(), GONE, NOW).status is DeliveryStatus.FAILED
    off = after_attempt(endpoint(), GONE, NOW)
    assert (off.enabled, off.disabled_reason) == (False, DisabledReason.GONE)


def test_five_days_of_failures_switch_an_endpoint_off_and_one_success_resets_the_streak() -> None:
    failing = after_attempt(endpoint(), DOWN, NOW)
    assert (failing.enabled, failing.failing_since) == (True, NOW)
    assert after_attempt(failing, DOWN, NOW + timedelta(days=2)) == failing  # nothing to write
    almost = after_attempt(failing, TIMEOUT, NOW + DISABLE_AFTER - timedelta(seconds=1))
    assert almost.enabled
    off = after_attempt(failing, TIMEOUT, NOW + DISABLE_AFTER)
    assert (off.enabled, off.disabled_reason) == (False, DisabledReason.FAILING)
    recovered = after_attempt(failing, OK, NOW + timedelta(days=4))
    assert recovered.failing_since is None and recovered.enabled
    assert after_attempt(recovered, DOWN, NOW + timedelta(days=6)).enabled  # a new streak starts


@pytest.mark.parametrize(
    ("event_type", "event_filter", "taken"),
    [
        ("payment.posted", "payment.*", True),
        ("payment.posted", "payment.posted", True),
        ("payment.posted", "*", True),
        ("payment_intent.closed", "payment.*", False),  # a prefix is a whole name, not the start of one
        ("payment.posted", "payment.refunded", False),
        ("invoice.loaded", "payment.*", False),
    ],
)
def test_filters_match_exact_types_wildcards_and_everything(event_type: str, event_filter: str, taken: bool) -> None:
    assert matches(event_type, event_filter) is taken


def test_filters_naming_no_published_event_are_refused_with_each_one_named() -> None:
    assert validate_filters(["payment.*", "invoice.adjustment", "payment.*"]) == ("payment.*", "invoice.adjustment")
    assert validate_filters(["*"]) == ("*",)
    with pytest.raises(InvalidEndpointError) as refused:
        validate_filters(["payment.*", "payment.teleported", "nothing.*", "Payment.Posted", "payment."])
    assert refused.value.details["unknown"] == ["payment.teleported", "nothing.*", "Payment.Posted", "payment."]
    with pytest.raises(InvalidEndpointError):
        validate_filters([])
    for event_type in EVENT_TYPES:  # every published type can be subscribed to by name
        assert validate_filters([event_type]) == (event_type,)


def test_a_test_event_is_taken_whatever_the_filters_but_not_subscribable() -> None:
    assert endpoint(event_types=("invoice.loaded",)).takes(TEST_EVENT_TYPE)
    assert not endpoint(event_types=("invoice.loaded",)).takes("payment.posted")
    with pytest.raises(InvalidEndpointError):
        validate_filters([TEST_EVENT_TYPE])


def test_a_replay_is_a_new_round_with_the_same_id_and_body_due_at_once() -> None:
    spent = after_send(delivery(attempts=MAX_ATTEMPTS - 1), DOWN, NOW)
    again = replayed(spent, NOW + timedelta(days=3))
    assert (again.status, again.attempts, again.round) == (DeliveryStatus.PENDING, 0, 2)
    assert (again.event_id, again.body) == (spent.event_id, spent.body)
    assert again.next_attempt_at == NOW + timedelta(days=3)
    assert replayed(again, NOW).round == 3


def test_held_deliveries_leave_the_schedule_and_come_back_due_when_released() -> None:
    kept = held(delivery(attempts=2, next_attempt_at=NOW), NOW)
    assert (kept.status, kept.next_attempt_at, kept.attempts) == (DeliveryStatus.HELD, None, 2)
    back = released(kept, NOW + timedelta(days=1))
    assert (back.status, back.next_attempt_at, back.attempts, back.round) == (
        DeliveryStatus.PENDING,
        NOW + timedelta(days=1),
        0,
        2,
    )
    never_tried = released(held(delivery(), NOW), NOW)
    assert (never_tried.round, never_tried.attempts, never_tried.status) == (1, 0, DeliveryStatus.PENDING)


answers = st.sampled_from(
    [OK, DOWN, GONE, TIMEOUT, SendResult(301, 3), SendResult(429, 3), SendResult(204, 1), SendResult(500, 9)]
)


@given(results=st.lists(answers, min_size=1, max_size=20), scale=st.sampled_from([1.0, 0.01]))
def test_after_send_never_schedules_beyond_max_attempts(results: list[SendResult], scale: float) -> None:
    current, at = delivery(), NOW
    for result in results:
        if current.status is not DeliveryStatus.PENDING:
            break
        before = current
        current = after_send(current, result, at, scale=scale)
        assert current.attempts == before.attempts + 1 <= MAX_ATTEMPTS
        if current.status is DeliveryStatus.PENDING:
            assert current.next_attempt_at is not None and current.next_attempt_at >= at
            assert current.attempts < MAX_ATTEMPTS
        else:
            assert current.next_attempt_at is None
        assert (current.status is DeliveryStatus.DELIVERED) is result.delivered
        at = current.next_attempt_at or at
    assert current.attempts <= MAX_ATTEMPTS
