"""Balance checkpoints (``domain/balance_checkpoints.py``) agree with replaying the whole history.

Ledgers are driven through the product's own rules (the simulator of ``test_statement_properties``: payments,
ACH payments that fail, refunds, voids, reversals, settlement, credit notes and their application, adjustments and
write-offs), then read as the statement reader reads them, dated by an agency calendar (Honolulu: the simulator's
08:00 UTC is the evening before). For any range, the opening balance from the months before it plus the lines
from its month's first day equals the statement built from the whole history.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arportal.domain.agency_time import AgencyTime
from arportal.domain.balance_checkpoints import (
    add,
    adjustment_months,
    balance_before,
    by_month,
    change,
    credit_note_months,
    invoice_months,
    month_of,
    month_start,
    payment_months,
)
from arportal.domain.statement import LedgerEntry, build_statement
from arportal.domain.statement_reading import AllocationFacts, InvoiceFacts, StatementReading
from tests.property.test_statement_properties import CID, SIM_DAY0, _Ledger, _simulate

HONOLULU = AgencyTime("Pacific/Honolulu")


def _entries(ledger: _Ledger, today: date) -> list[LedgerEntry]:
    """Every line of the customer's statement up to today, read as ``adapters/dynamodb/history.py`` reads."""
    day = HONOLULU.day
    reading = StatementReading(until=today, day=day)
    for a in ledger.allocations:
        reading.allocation(AllocationFacts(a.payment_id, a.invoice_id, a.account_number, a.amount, day(a.applied_at)))
    for adjustment in ledger.adjustments:
        reading.adjustment(adjustment)
    out = []
    for note in ledger.notes.values():
        out.extend(reading.credit_note(note))
    for payment in ledger.payments.values():
        if payment.status.value in {"failed", "voided"}:
            reading.payment_without_money(payment.payment_id)
        else:
            out.extend(reading.payment(payment))
    out.extend(reading.payments_done())
    for i in ledger.invoices.values():
        facts = InvoiceFacts(
            i.invoice_id, i.invoice_number, i.account_number, i.department, i.issue_date, i.due_date, i.amount,
            i.balance, i.voided,
        )  # fmt: skip
        out.extend(reading.invoice(facts))
    out.extend(reading.finish())
    return [e for e in out if isinstance(e, LedgerEntry)]


def _checkpoints(ledger: _Ledger) -> dict[str, int]:
    """What the writers' checkpoint changes add up to: each record's months as it stands."""
    issued = {i.invoice_id: i.issue_date for i in ledger.invoices.values()}
    return add(
        *(invoice_months(i) for i in ledger.invoices.values()),
        *(payment_months(p, day=HONOLULU.day) for p in ledger.payments.values()),
        *(credit_note_months(n) for n in ledger.notes.values()),
        *(
            adjustment_months(kind=a.kind, amount=a.amount, on=a.on, invoice_issued=issued[a.invoice_id])
            for a in ledger.adjustments
        ),
    )


@st.composite
def ledgers_and_ranges(draw: st.DrawFn) -> tuple[_Ledger, date, date]:
    ledger, today = _simulate(draw)
    first = min(i.issue_date for i in ledger.invoices.values()) - timedelta(days=40)
    start = first + timedelta(days=draw(st.integers(0, (today - first).days + 1)))
    return ledger, today, start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=ledgers_and_ranges())
def test_checkpoint_and_the_range_equal_replaying_the_whole_history(case):
    ledger, today, start = case
    end = max(today, start)
    entries = _entries(ledger, end)
    months = _checkpoints(ledger)
    # Each month's checkpoint is exactly what that month's lines moved
    assert months == by_month(entries)
    # And the statement from the checkpoint before the range plus the lines from the range's month on is the one
    # built from the whole history
    whole = build_statement(entries, customer_id=CID, currency="USD", start=start, end=end)
    first_day = month_start(month_of(start))
    read = [e for e in entries if e.on >= first_day]
    from_checkpoint = balance_before(months, month_of(start))
    part = build_statement(read, customer_id=CID, currency="USD", start=start, end=end)
    assert from_checkpoint + part.opening == whole.opening
    assert from_checkpoint + part.closing == whole.closing
    assert part.entries == whole.entries


@given(before=st.dictionaries(st.sampled_from(["2025-01", "2025-02", "2025-03"]), st.integers(-9, 9)),
       after=st.dictionaries(st.sampled_from(["2025-01", "2025-02", "2025-04"]), st.integers(-9, 9)))  # fmt: skip
def test_a_change_added_to_the_months_before_gives_the_months_after(before, after):
    assert add(before, change(after, before)) == add(after)


def test_a_payment_at_three_in_the_morning_utc_on_the_first_is_the_month_before_in_chicago():
    from datetime import UTC, datetime

    from tests import builders as b

    payment = b.payment(CID, amount=500, at=datetime(2025, 3, 1, 3, tzinfo=UTC))
    assert payment_months(payment, day=AgencyTime("America/Chicago").day) == {"2025-02": -500}
    assert payment_months(payment) == {"2025-03": -500}
    assert SIM_DAY0.year == 2025
