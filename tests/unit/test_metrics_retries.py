"""Success with retries: series of tries in the daily totals. A series is counted once, on its first attempt's day,
channel and method, and as succeeded when one of its tries did; every share is a function of its payment alone,
so folding in any order, with repeats, gives the same totals, and the figures' lists agree with the counters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.daily_totals import difference, fold, share_of
from arportal.domain.metrics import figure_days, in_figure, metrics_of
from arportal.domain.models import Channel, MethodDetail, Payment, PaymentMethodType, StatusChange
from arportal.domain.payment_series import SERIES_WINDOW, after_try, continues, in_series, series_key
from arportal.domain.status import PaymentStatus
from tests import builders as b

S = PaymentStatus
CID = "CUS-0001ABCD"
FIRST = datetime(2026, 11, 2, 23, 0, tzinfo=UTC)  # a Monday, an hour before midnight
DAY = FIRST.date()


def attempt(status: S, *, at: datetime = FIRST, channel: Channel = Channel.PORTAL, method=PaymentMethodType.CARD):
    p = b.payment(CID, amount=4_000, status=status, at=at, channel=channel)
    return p.model_copy(update={"method": MethodDetail(type=method)})


def retry(first: Payment, status: S, *, minutes: int, method=PaymentMethodType.CARD) -> Payment:
    """The payer's next try after ``first`` was declined, as ``payments.pay`` links it."""
    left_open = after_try(first)
    nxt = attempt(status, at=first.created_at + timedelta(minutes=minutes), channel=Channel.PHONE, method=method)
    return in_series(nxt, continues(left_open, nxt.created_at))


def returned(p: Payment) -> Payment:
    """An ACH debit the bank returned: the payment becomes failed (a newer version)."""
    change = StatusChange(status=S.FAILED, at=p.created_at + timedelta(days=3), by="processor")
    return p.model_copy(update={"status": S.FAILED, "history": [*p.history, change], "version": p.version + 1})


def totals_by_day(shares) -> dict[date, dict[str, int]]:
    out: dict[date, dict[str, int]] = {}
    for share in shares:
        for day, counters in share.by_day().items():
            out[day] = fold([out.get(day, {}), counters])
    return {d: c for d, c in out.items() if c}


def test_a_decline_then_a_success_is_two_attempts_and_one_series_that_succeeded():
    first = attempt(S.FAILED)
    second = retry(first, S.POSTED, minutes=90)
    assert second.series is not None and second.series.series_id == first.payment_id and second.attempt == 2
    days = totals_by_day([share_of(first, []), share_of(second, [])])
    # The retry was taken after midnight (another day, another channel): the series' success is counted on the
    # first attempt's day, channel and method, where the series itself is.
    assert second.created_at.date() == DAY + timedelta(days=1)
    assert days[DAY]["m.portal.card.series"] == days[DAY]["m.portal.card.series_succeeded"] == 1
    assert "m.phone.card.series" not in days[DAY + timedelta(days=1)]
    m = metrics_of(fold(days.values()))
    assert (m.overall.attempted, m.overall.succeeded, m.overall.failed) == (2, 1, 1)
    assert (m.overall.rate, m.overall.rate_with_retries) == (0.5, 1.0)
    assert m.by_channel_method["portal/card"].rate_with_retries == 1.0
    assert m.by_channel_method["phone/card"].series == 0


def test_a_series_that_never_succeeded_counts_once_and_failed():
    first = attempt(S.FAILED)
    second = retry(first, S.FAILED, minutes=5)
    third = in_series(attempt(S.FAILED, at=FIRST + timedelta(minutes=9)), continues(after_try(second), FIRST))
    assert third.attempt == 3 and third.series == second.series
    m = metrics_of(fold(c for p in (first, second, third) for c in share_of(p, []).by_day().values()))
    assert (m.overall.attempted, m.overall.failed, m.overall.series, m.overall.series_succeeded) == (3, 3, 1, 0)
    assert m.overall.rate_with_retries == 0.0


def test_a_try_after_the_window_starts_a_series_of_its_own():
    first = attempt(S.FAILED)
    late = attempt(S.POSTED, at=FIRST + SERIES_WINDOW + timedelta(seconds=1))
    assert continues(after_try(first), late.created_at) is None
    assert after_try(in_series(late, None)) is None  # a success leaves nothing open


def test_a_returned_ach_retry_takes_back_the_series_success():
    first = attempt(S.FAILED)
    second = retry(first, S.POSTED, minutes=10, method=PaymentMethodType.ACH)
    before = totals_by_day([share_of(first, []), share_of(second, [])])
    after = totals_by_day([share_of(first, []), share_of(returned(second), [])])
    assert fold(before.values())["m.portal.card.series_succeeded"] == 1
    assert "m.portal.card.series_succeeded" not in fold(after.values())


def test_a_scheduled_charge_record_stands_for_all_its_tries():
    taken = attempt(S.POSTED, channel=Channel.AUTOPAY).model_copy(update={"attempt": 3})
    given_up = attempt(S.FAILED, channel=Channel.AUTOPAY).model_copy(update={"attempt": 4})
    m = metrics_of(fold([share_of(taken, []).counters, share_of(given_up, []).counters]))
    rate = m.by_channel_method["autopay/card"]
    assert (rate.attempted, rate.succeeded, rate.failed) == (7, 1, 6)
    assert (rate.series, rate.series_succeeded, rate.rate_with_retries) == (2, 1, 0.5)


def test_what_a_try_is_at_paying_does_not_depend_on_the_order_of_its_invoices():
    assert series_key(["inv_b", "inv_a"], None) == series_key(["inv_a", "inv_b", "inv_a"], "UT-1")
    assert series_key(["inv_a"], None) != series_key(["inv_b"], None)
    assert series_key([], "UT-1") != series_key([], "UT-2")


def test_the_figures_list_what_the_counters_count_on_the_day_they_count_it():
    first = attempt(S.FAILED)
    second = retry(first, S.POSTED, minutes=90)
    assert figure_days(second, "series_succeeded") == {DAY}
    assert in_figure(second, "series_succeeded", channel="portal", method="card", start=DAY, end=DAY)
    assert not in_figure(second, "series_succeeded", channel="phone")
    assert not in_figure(second, "series_succeeded", start=DAY + timedelta(days=1))
    assert figure_days(first, "series") == {DAY} and figure_days(second, "series") == set()
    assert figure_days(first, "series_succeeded") == set()


# --- property: any series, any order of delivery, any repeats -------------------------------------------------

methods = st.sampled_from([PaymentMethodType.CARD, PaymentMethodType.ACH])


@st.composite
def series_of_tries(draw):
    """A series: some declined tries, maybe a success last (which may later be returned), over up to a day."""
    start = FIRST + timedelta(hours=draw(st.integers(-30, 30)))
    first = attempt(S.FAILED, at=start, method=draw(methods))
    tries = [first]
    for _ in range(draw(st.integers(0, 3))):
        minutes = draw(st.integers(1, 600))
        nxt = attempt(S.FAILED, at=tries[-1].created_at + timedelta(minutes=minutes), method=draw(methods))
        linked = continues(after_try(tries[-1]), nxt.created_at)
        tries.append(in_series(nxt, linked))
    outcome = draw(st.sampled_from(["failed", "succeeded", "returned"]))
    versions = [[p] for p in tries]
    if outcome != "failed":
        nxt = attempt(S.POSTED, at=tries[-1].created_at + timedelta(minutes=draw(st.integers(1, 300))))
        last = in_series(nxt, continues(after_try(tries[-1]), nxt.created_at))
        versions.append([last, returned(last)] if outcome == "returned" else [last])
    if draw(st.booleans()):  # the first try succeeded: a series of one
        versions = [[attempt(S.POSTED, at=start, method=draw(methods))]]
    return versions


@settings(max_examples=200, deadline=None)
@given(st.lists(series_of_tries(), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_folding_tries_in_any_order_with_repeats_counts_each_series_once(drawn, rnd):
    deliveries = [(p.payment_id, p.version, share_of(p, [])) for versions in drawn for ps in versions for p in ps]
    deliveries += rnd.sample(deliveries, k=len(deliveries) // 2)
    rnd.shuffle(deliveries)
    held: dict[str, tuple[int, dict[date, dict[str, int]]]] = {}
    days: dict[date, dict[str, int]] = {}
    for payment_id, version, share in deliveries:  # what the store's conditional replace does, day by day
        before = held.get(payment_id)
        if before is not None and before[0] >= version:
            continue
        old = before[1] if before else {}
        new = share.by_day()
        for day in set(old) | set(new):
            days[day] = fold([days.get(day, {}), difference(new.get(day, {}), old.get(day, {}))])
        held[payment_id] = (version, new)
    totals = fold(days.values())
    newest = [ps[-1] for versions in drawn for ps in versions]
    # A try past the window after its series' first starts a series of its own: count them from the payments.
    starts = {p.payment_id for p in newest if p.series is None}
    expected_series = len(starts)
    expected_ok = len({p.series.series_id if p.series else p.payment_id for p in newest if p.status is not S.FAILED})
    assert {p.series.series_id for p in newest if p.series} <= starts
    series = sum(v for n, v in totals.items() if n.endswith(".series"))
    succeeded = sum(v for n, v in totals.items() if n.endswith(".series_succeeded"))
    assert (series, succeeded) == (expected_series, expected_ok)
    # Each series on its first attempt's day; and the lists agree with the counters, day by day.
    for p in newest:
        if p.series is None:
            assert days[p.created_at.date()].get(f"m.portal.{p.method.type.value}.series", 0) >= 1
    for figure in ("series", "series_succeeded", "attempted", "failed", "succeeded"):
        listed: dict[date, int] = {}
        for p in newest:
            for day in figure_days(p, figure):
                listed[day] = listed.get(day, 0) + (share_of(p, []).by_day()[day].get(_counter(p, day, figure), 0))
        counted = {d: sum(v for n, v in c.items() if n.endswith(f".{figure}")) for d, c in days.items()}
        assert {d: v for d, v in listed.items() if v} == {d: v for d, v in counted.items() if v}


def _counter(p: Payment, day: date, figure: str) -> str:
    return next(n for n in share_of(p, []).by_day()[day] if n.endswith(f".{figure}") and n.startswith("m."))
