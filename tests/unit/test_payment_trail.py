"""The trail of a payment, assembled from its records (``domain/payment_trail.py``): which stages are done, pending
or not applicable, with who and when, for a card payment at each step, a cash payment closed out of its drawer
and a refunded payment with its GL lines on two days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from arportal.domain.journals import JournalLine, SourceRef
from arportal.domain.models import Allocation, AuditEvent, MethodDetail, Payment, PaymentMethodType, StatusChange
from arportal.domain.payment_trail import (
    DrawerDeposit,
    GlBatch,
    Payout,
    StageName,
    StageStatus,
    TrailFacts,
    covering_day,
    journal_days,
    payment_trail,
)
from arportal.domain.status import PaymentStatus

S, N, DONE, PENDING, NA = PaymentStatus, StageName, StageStatus.DONE, StageStatus.PENDING, StageStatus.NOT_APPLICABLE
THURSDAY = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
PID = "pay_01TRAILTEST0000000000000001"


def _payment(*history: tuple[PaymentStatus, datetime, str], method: PaymentMethodType = PaymentMethodType.CARD, **kw):
    changes = [
        StatusChange(status=s, at=at, by=by, amount=kw.pop(f"amount_{i}", None))
        for i, (s, at, by) in enumerate(history)
    ]
    offline = method in (PaymentMethodType.CASH, PaymentMethodType.CHEQUE)
    return Payment(
        payment_id=PID,
        customer_id="CUS-00000001",
        amount=9_000,
        fee_amount=0 if offline else 225,
        currency="USD",
        method=MethodDetail(type=method),
        channel="counter" if offline else "portal",
        status=changes[-1].status,
        history=changes,
        processor="offline" if offline else "sandbox",
        transaction_id=None if offline else "sbx_charge_1",
        receipt_number="R-2610-000001",
        created_at=history[0][1],
        **kw,
    )


def _allocations() -> list[Allocation]:
    return [
        Allocation(
            payment_id=PID,
            invoice_id=f"inv_{n}",
            invoice_number=f"W-{n}",
            customer_id="CUS-00000001",
            account_number="UT-00000001",
            department="utilities",
            amount=amount,
            currency="USD",
            applied_at=THURSDAY,
        )
        for n, amount in ((1, 5_000), (2, 4_000))
    ]


def _line(n: int, account: str, debit: int, credit: int, kind: str = "payment") -> JournalLine:
    return JournalLine(n, kind, "100", None, account, debit, credit, "USD", kind, SourceRef(payment_id=PID))


def _batch(day: date, *lines: JournalLine, sequence: int = 1) -> GlBatch:
    created = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=11)
    return GlBatch(f"GL-city-{day:%Y%m%d}-{sequence:02d}", day, created, "system:journal", tuple(lines))


POSTING_LINES = (_line(1, "1013", 9_225, 0), _line(2, "4410", 0, 9_000), _line(3, "4810", 0, 225))


def _statuses(trail) -> dict[StageName, StageStatus]:
    return {s.stage: s.status for s in trail.stages}


def test_the_journal_of_a_day_is_the_banking_day_that_takes_it():
    assert covering_day(date(2026, 10, 1)) == date(2026, 10, 1)
    assert covering_day(date(2026, 10, 3)) == date(2026, 10, 5)  # Saturday -> Monday
    assert covering_day(date(2026, 10, 10)) == date(2026, 10, 13)  # Saturday before Columbus Day -> Tuesday
    saturday = datetime(2026, 10, 10, 9, tzinfo=UTC)
    paid = _payment((S.POSTED, THURSDAY, "customer"), (S.REFUNDED, saturday, "staff_1"))
    assert journal_days(paid) == (date(2026, 10, 1), date(2026, 10, 13))
    # an ACH payment is journaled when accepted (pending), not again when it posts; a decline never
    ach = _payment((S.PENDING, THURSDAY, "customer"), (S.POSTED, THURSDAY + timedelta(days=4), "processor"))
    assert journal_days(ach) == (date(2026, 10, 1),)
    assert journal_days(_payment((S.FAILED, THURSDAY, "processor"))) == ()


def test_a_card_payment_only_posted_waits_for_settlement_and_its_journal():
    trail = payment_trail(TrailFacts(_payment((S.POSTED, THURSDAY, "customer")), allocations=_allocations()))
    assert _statuses(trail) == {
        N.AUTHORIZED: DONE,
        N.POSTED: DONE,
        N.SETTLED: PENDING,
        N.PAID_OUT: PENDING,
        N.DEPOSITED: PENDING,
        N.IN_GL: PENDING,
        N.BANK_LINE: NA,
    }
    posted = trail.stage(N.POSTED)
    assert (posted.at, posted.by) == (THURSDAY, "customer")
    assert ("invoice", "inv_1") in posted.references and ("receipt", "R-2610-000001") in posted.references
    assert posted.amounts == {"applied": 9_000, "held_as_credit": 0}
    assert trail.stage(N.AUTHORIZED).references[0] == ("transaction", "sbx_charge_1")
    assert trail.stage(N.AUTHORIZED).amounts["charged"] == 9_225
    assert trail.stage(N.IN_GL).on == date(2026, 10, 1) and "2026-10-01" in trail.stage(N.IN_GL).note


def test_a_settled_paid_out_and_deposited_card_payment_in_the_gl():
    settled_at = THURSDAY + timedelta(days=4)
    confirmed = datetime(2026, 10, 6, 14, tzinfo=UTC)
    paid = _payment(
        (S.POSTED, THURSDAY, "customer"),
        (S.SETTLED, settled_at, "system:settlement"),
        settled_at=settled_at,
        payout_id="sbxpo_1",
        paid_out_on=date(2026, 10, 5),
        processor_fee=297,
    )
    audit = [
        AuditEvent(
            event_id="aud_1",
            entity_type="payment",
            entity_id=PID,
            action="payment.settled",
            actor="system:settlement",
            at=settled_at,
        )
    ]
    facts = TrailFacts(
        paid,
        allocations=_allocations(),
        audit=audit,
        payout=Payout("sbxpo_1", "sandbox", 120_000, date(2026, 10, 5), "trace_9", "deposited", "fin_1", confirmed),
        batches={date(2026, 10, 1): [_batch(date(2026, 10, 1), *POSTING_LINES)]},
    )
    trail = payment_trail(facts)
    assert [s.status for s in trail.stages] == [DONE] * 6 + [NA]
    settled = trail.stage(N.SETTLED)
    assert (settled.at, settled.by, settled.amounts) == (
        settled_at,
        "system:settlement",
        {"processor_fee": 297, "net": 8_928},
    )
    assert ("audit", "aud_1") in settled.references
    paid_out = trail.stage(N.PAID_OUT)
    assert paid_out.on == date(2026, 10, 5) and paid_out.by == "processor:sandbox"
    assert paid_out.references == (("payout", "sbxpo_1"), ("bank_trace", "trace_9"))
    assert paid_out.amounts == {"payout": 120_000}
    deposited = trail.stage(N.DEPOSITED)
    assert (deposited.by, deposited.at, deposited.references) == ("fin_1", confirmed, (("deposit", "sbxpo_1"),))
    gl = trail.stage(N.IN_GL)
    assert gl.references == (("journal_batch", "GL-city-20261001-01"),)
    assert gl.amounts == {"debits": 9_225, "credits": 9_225} and gl.by == "system:journal"


def test_a_payout_expected_but_not_confirmed_leaves_the_deposit_pending():
    paid = _payment(
        (S.POSTED, THURSDAY, "customer"),
        (S.SETTLED, THURSDAY, "system:settlement"),
        settled_at=THURSDAY,
        payout_id="sbxpo_2",
        paid_out_on=date(2026, 10, 5),
        processor_fee=1,
    )
    payout = Payout("sbxpo_2", "sandbox", 100, date(2026, 10, 5), None, "expected")
    trail = payment_trail(TrailFacts(paid, payout=payout))
    assert trail.stage(N.PAID_OUT).status is DONE and trail.stage(N.DEPOSITED).status is PENDING
    assert "2026-10-05" in trail.stage(N.DEPOSITED).note
    # settled in the match step, the payout recorded only when the run finishes: paid out is pending till then
    assert payment_trail(TrailFacts(paid)).stage(N.PAID_OUT).status is PENDING


def test_cash_at_the_counter_is_closed_into_a_deposit_and_never_settles():
    taken = _payment(
        (S.POSTED, THURSDAY, "clerk_7"), method=PaymentMethodType.CASH, drawer_id="drawer-1", taken_by="staff:clerk_7"
    )
    in_drawer = payment_trail(TrailFacts(taken))
    assert _statuses(in_drawer)[N.SETTLED] is NA
    assert in_drawer.stage(N.PAID_OUT).status is PENDING and "drawer-1" in in_drawer.stage(N.PAID_OUT).note
    closed_at = THURSDAY + timedelta(hours=3)
    deposit = Payout("dep_1", "counter", 50_000, date(2026, 10, 2), None, "deposited", "fin_2", closed_at)
    trail = payment_trail(
        TrailFacts(
            taken,
            payout=deposit,
            drawer_deposit=DrawerDeposit("dep_1", closed_at, "supervisor_3"),
            batches={
                date(2026, 10, 1): [_batch(date(2026, 10, 1), _line(1, "1011", 9_000, 0), _line(2, "4410", 0, 9_000))]
            },
        )
    )
    assert _statuses(trail) == {
        N.AUTHORIZED: DONE,
        N.POSTED: DONE,
        N.SETTLED: NA,
        N.PAID_OUT: DONE,
        N.DEPOSITED: DONE,
        N.IN_GL: DONE,
        N.BANK_LINE: NA,
    }
    closed = trail.stage(N.PAID_OUT)
    assert (closed.by, closed.at, closed.references) == ("supervisor_3", closed_at, (("deposit", "dep_1"),))
    assert trail.stage(N.DEPOSITED).by == "fin_2"
    assert trail.stage(N.AUTHORIZED).references == ()  # no processor charge
    assert trail.stage(N.AUTHORIZED).note == "cash at the counter, taken by staff:clerk_7"


def test_a_refunded_payment_has_its_refund_and_the_refund_s_gl_lines_on_the_later_day():
    refunded_at = datetime(2026, 10, 3, 10, tzinfo=UTC)  # a Saturday: Monday's journal takes it
    paid = _payment((S.POSTED, THURSDAY, "customer"), (S.REFUNDED, refunded_at, "staff_9"), amount_1=9_000)
    refund_lines = (_line(1, "4910", 9_000, 0, "refund"), _line(2, "1013", 0, 9_000, "refund"))
    posted_day = _batch(date(2026, 10, 1), *POSTING_LINES)
    facts = TrailFacts(paid, allocations=_allocations(), batches={date(2026, 10, 1): [posted_day]})
    waiting = payment_trail(facts)
    assert waiting.stage(N.IN_GL).status is PENDING and waiting.stage(N.IN_GL).on == date(2026, 10, 5)
    done = payment_trail(
        TrailFacts(
            paid,
            allocations=_allocations(),
            batches={date(2026, 10, 1): [posted_day], date(2026, 10, 5): [_batch(date(2026, 10, 5), *refund_lines)]},
        )
    )
    assert [(m.status, m.by, m.amount) for m in done.money_back] == [("refunded", "staff_9", 9_000)]
    assert _statuses(done)[N.SETTLED] is NA  # refunded before the payout: it never settles
    gl = done.stage(N.IN_GL)
    assert gl.status is DONE
    assert [r for _, r in gl.references] == ["GL-city-20261001-01", "GL-city-20261005-01"]
    assert [x.kind for b in done.gl_batches for x in b.lines] == ["payment"] * 3 + ["refund"] * 2
    assert gl.amounts == {"debits": 18_225, "credits": 18_225}


def test_a_declined_payment_has_nothing_after_the_charge():
    trail = payment_trail(TrailFacts(_payment((S.FAILED, THURSDAY, "processor"))))
    assert {s.status for s in trail.stages} == {NA}
