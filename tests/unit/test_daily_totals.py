"""The daily totals' folding rules: a payment's share of its day, and the reports and metrics read from the sum of
the shares, which must answer what the per-payment reports answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.daily_totals import (
    MAX_BUCKET,
    collections_from_counters,
    difference,
    exceptions_from_counters,
    fold,
    share_of,
    stage_days,
)
from arportal.domain.metrics import metrics_of, p90
from arportal.domain.models import Allocation, Channel, Interaction, InteractionKind, StatusChange
from arportal.domain.reports import collections_of_day, exceptions_of_day
from arportal.domain.status import PaymentStatus
from tests import builders as b

S = PaymentStatus
CID = "CUS-0001ABCD"
TAKEN = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # a Monday
DAY = TAKEN.date()


def alloc(payment, department: str, amount: int) -> Allocation:
    return Allocation(
        payment_id=payment.payment_id,
        invoice_id=f"inv_{b.n()}",
        invoice_number=f"INV-{b.n():05d}",
        customer_id=CID,
        account_number="UT-200001",
        department=department,
        amount=amount,
        currency="USD",
        applied_at=payment.created_at,
    )


def later(payment, status: S, *, days: int = 1, amount: int | None = None, **more):
    change = StatusChange(status=status, at=payment.created_at + timedelta(days=days), by="processor", amount=amount)
    update = {"status": status, "history": [*payment.history, change], "version": payment.version + 1, **more}
    return payment.model_copy(update=update)


def pay(amount: int, status: S = S.POSTED, channel: Channel = Channel.PORTAL, fee: int = 0):
    return b.payment(CID, amount=amount, status=status, channel=channel, at=TAKEN).model_copy(
        update={"departments": ["utilities"], "fee_amount": fee}
    )


def test_a_posted_payment_counts_as_attempted_succeeded_and_collected_in_its_channel_and_departments():
    p = pay(10_000, fee=250)
    share = share_of(p, [alloc(p, "utilities", 6_000), alloc(p, "parks", 3_000)])
    assert share.day == DAY and share.currency == "USD" and not share.discrepancy
    c = share.counters
    assert c["m.portal.card.attempted"] == c["m.portal.card.succeeded"] == c["m.portal.card.first_time"] == 1
    assert "m.portal.card.failed" not in c
    assert (c["col.n"], c["col.amt"], c["ch.portal.amt"], c["out.fees"]) == (1, 10_000, 10_000, 250)
    assert (c["dep.utilities.amt"], c["dep.parks.amt"], c["dep.unallocated.amt"]) == (6_000, 3_000, 1_000)


def test_a_failed_payment_is_an_attempt_and_nothing_collected():
    share = share_of(pay(5_000, S.FAILED), [])
    # A decline starts a series of tries (a retry of it would continue it), which has not succeeded.
    assert share.counters == {
        "m.portal.card.attempted": 1,
        "m.portal.card.failed": 1,
        "m.portal.card.series": 1,
        "exc.failed.n": 1,  # and it stands among the day's exceptions
        "exc.failed.amt": 5_000,
    }


def test_a_pending_payment_leaves_the_days_exceptions_when_it_posts():
    pending = pay(9_000, S.PENDING)
    assert {k: v for k, v in share_of(pending, []).counters.items() if k.startswith("exc.")} == {
        "exc.pending.n": 1,
        "exc.pending.amt": 9_000,
    }
    posted = share_of(later(pending, S.POSTED), []).counters
    moved = difference(posted, share_of(pending, []).counters)
    assert (moved["exc.pending.n"], moved["exc.pending.amt"]) == (-1, -9_000)
    assert not any(k.startswith("exc.") for k in posted)


def test_a_refunded_payment_is_not_right_the_first_time_and_says_what_went_back():
    p = later(pay(8_000), S.PARTIALLY_REFUNDED, amount=3_000, refunded=3_000)
    c = share_of(p, []).counters
    assert c["out.refunded"] == 3_000 and "m.portal.card.first_time" not in c and c["col.amt"] == 8_000


def test_stage_days_are_banking_days_so_a_weekend_does_not_count():
    friday = datetime(2026, 11, 6, 20, 0, tzinfo=UTC)
    p = b.payment(CID, amount=100, status=S.PENDING, at=friday)
    posted = later(p, S.POSTED, days=3)  # Monday
    settled = later(posted, S.SETTLED, days=4)  # Tuesday
    assert stage_days(settled) == {"authorized_to_posted": 1, "posted_to_settled": 1}
    assert stage_days(p) == {}


def test_settled_to_paid_out_counts_banking_days_to_the_payouts_arrival():
    posted = b.payment(CID, amount=100, status=S.POSTED, at=datetime(2026, 11, 6, 15, 0, tzinfo=UTC))  # Friday
    settled = later(posted, S.SETTLED, days=0, settled_at=posted.created_at, paid_out_on=date(2026, 11, 10))
    assert stage_days(settled)["settled_to_paid_out"] == 2  # Monday, Tuesday
    assert "settled_to_paid_out" not in stage_days(later(posted, S.SETTLED, days=0))  # no payout known yet
    m = metrics_of(share_of(settled, []).counters)
    assert [(s.stage, s.count, s.p90_days) for s in m.stages][-1] == ("settled_to_paid_out", 1, 2)


def test_the_difference_moves_old_counters_to_new_ones_and_back():
    old, new = {"a": 1, "b": 5}, {"b": 7, "c": 2}
    assert difference(new, old) == {"a": -1, "b": 2, "c": 2}
    assert fold([old, difference(new, old)]) == new
    assert fold([new, difference({}, new)]) == {}


def test_p90_is_the_smallest_day_count_within_which_nine_in_ten_finished():
    assert p90([0] * (MAX_BUCKET + 1)) is None
    assert p90([5, 4, 1]) == 1  # 9 of 10 within 1 day
    assert p90([5, 3, 2]) == 2
    assert p90([0, 0, 10]) == 2


def test_metrics_give_success_rates_per_channel_and_method_and_overall():
    shares = [share_of(pay(100), []), share_of(pay(100, S.FAILED), []), share_of(pay(100, channel=Channel.COUNTER), [])]
    m = metrics_of(fold(s.counters for s in shares))
    assert m.by_channel_method["portal/card"].rate == 0.5
    assert m.by_channel_method["counter/card"].rate == 1.0
    assert (m.overall.attempted, m.overall.succeeded, m.overall.failed) == (3, 2, 1)
    assert m.accuracy.receipts == 2 and m.accuracy.rate == 1.0


statuses = st.sampled_from([S.POSTED, S.SETTLED, S.FAILED, S.PENDING, S.PARTIALLY_REFUNDED, S.REFUNDED, S.REVERSED])


@st.composite
def payments(draw):
    status = draw(statuses)
    amount = draw(st.integers(min_value=1, max_value=100_000))
    channel = draw(st.sampled_from([Channel.PORTAL, Channel.COUNTER, Channel.GUEST]))
    p = pay(
        amount,
        S.POSTED if status is not S.FAILED and status is not S.PENDING else status,
        channel,
        fee=draw(st.integers(0, 500)),
    )
    if status in {S.SETTLED, S.REVERSED}:
        p = later(p, S.SETTLED, days=draw(st.integers(0, 20)))
    if status is S.REVERSED:
        p = later(p, S.REVERSED, days=2)
    if status in {S.PARTIALLY_REFUNDED, S.REFUNDED}:
        back = amount if status is S.REFUNDED else draw(st.integers(0, amount))
        p = later(p, status, amount=back, refunded=back)
    parts = draw(
        st.lists(st.tuples(st.sampled_from(["utilities", "parks", "permits"]), st.integers(1, amount)), max_size=3)
    )
    allocations = [alloc(p, d, a) for d, a in parts]
    return p, allocations


@settings(max_examples=150, deadline=None)
@given(st.lists(payments(), max_size=12))
def test_the_days_counters_answer_what_the_per_payment_report_answers(drawn):
    allocations = [a for _, found in drawn for a in found]
    expected = collections_of_day(DAY, [p for p, _ in drawn], allocations, currency="USD")
    shares = [share_of(p, found) for p, found in drawn]
    discrepancies = [p.payment_id for (p, _), s in zip(drawn, shares, strict=True) if s.discrepancy]
    assert collections_from_counters(DAY, fold(s.counters for s in shares), discrepancies) == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(payments(), max_size=12), st.lists(st.sampled_from(list(InteractionKind)), max_size=6))
def test_the_days_exceptions_from_counters_answer_what_the_per_payment_report_answers(drawn, kinds):
    interactions = [
        Interaction(interaction_id=f"int_{i}", customer_id=CID, kind=k, summary="handled", at=TAKEN)
        for i, k in enumerate(kinds)
    ]
    expected = exceptions_of_day(DAY, [p for p, _ in drawn], interactions, currency="USD")
    counted: dict[str, int] = {}
    for k in kinds:
        counted[f"int.{k.value}"] = counted.get(f"int.{k.value}", 0) + 1
    assert exceptions_from_counters(DAY, fold(share_of(p, f).counters for p, f in drawn), counted) == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(payments(), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_folding_shares_in_any_order_with_repeats_gives_the_same_counters(drawn, rnd):
    """Each fold replaces the share held with the newest version's (what the store's condition allows), so
    repeated and late deliveries change nothing."""
    versions = []
    for p, found in drawn:
        refunded = later(p, S.REFUNDED, amount=p.amount, refunded=p.amount) if p.status is S.POSTED else p
        versions += [
            (p.payment_id, p.version, share_of(p, found)),
            (p.payment_id, refunded.version, share_of(refunded, found)),
        ]
    deliveries = versions + rnd.sample(versions, k=len(versions) // 2)  # duplicates
    rnd.shuffle(deliveries)
    held: dict[str, tuple[int, dict[str, int]]] = {}
    totals: dict[str, int] = {}
    for payment_id, version, share in deliveries:
        before = held.get(payment_id)
        if before is not None and before[0] >= version:
            continue
        totals = fold([totals, difference(share.counters, before[1] if before else {})])
        held[payment_id] = (version, share.counters)
    newest = {}
    for payment_id, version, share in versions:
        if newest.get(payment_id, (0, None))[0] < version:
            newest[payment_id] = (version, share.counters)
    assert totals == fold(c for _, c in newest.values())
