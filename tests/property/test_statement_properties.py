"""The statement builder's ledger invariants, for random ledgers (domain/statement.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.statement import (
    EntryKind,
    LedgerEntry,
    Receivable,
    adjustment_entry,
    build_statement,
    debit_adjustment,
)

DAY0 = date(2025, 1, 1)
KINDS = list(EntryKind)


@st.composite
def entries(draw: st.DrawFn) -> LedgerEntry:
    kind = draw(st.sampled_from(KINDS))
    bound = 10**9
    amount = draw(st.integers(-bound, bound) if kind is EntryKind.ADJUSTMENT else st.integers(0, bound))
    return LedgerEntry(
        on=DAY0 + timedelta(days=draw(st.integers(0, 400))),
        kind=kind,
        amount=amount,
        reference=draw(st.sampled_from(["A-1", "B-2", "C-3"])),
        description="x",
        source_id=draw(st.text("abcdef0123456789", min_size=1, max_size=6)),
        pending=draw(st.booleans()),
    )


ranges = st.tuples(st.integers(0, 400), st.integers(0, 400)).map(sorted)


@settings(max_examples=300, deadline=None)
@given(ledger=st.lists(entries(), max_size=80), bounds=ranges)
def test_closing_is_opening_plus_the_lines_and_every_running_balance_agrees(ledger, bounds):
    start, end = (DAY0 + timedelta(days=d) for d in bounds)
    statement = build_statement(ledger, customer_id="CUS-0001", currency="USD", start=start, end=end)

    # opening = everything before the range; closing = everything up to its end
    assert statement.opening == sum(e.effect for e in ledger if e.on < start)
    assert statement.closing == sum(e.effect for e in ledger if e.on <= end)
    # opening + invoices - payments - credits + refunds + reversals +/- adjustments = closing
    t = statement.totals
    assert statement.closing == (
        statement.opening + t.invoiced - t.paid - t.credited + t.refunded + t.reversed + t.adjusted
    )
    # each line moves the balance by its own effect; the last line lands on the closing balance
    balance = statement.opening
    lines = list(statement.lines())
    for line in lines:
        balance += line.entry.effect
        assert line.balance == balance
        assert start <= line.entry.on <= end
    assert balance == statement.closing
    # every entry in the range appears once, in date order
    assert sorted(id(e) for e in statement.entries) == sorted(id(e) for e in ledger if start <= e.on <= end)
    assert [line.entry.on for line in lines] == sorted(line.entry.on for line in lines)


@settings(max_examples=100, deadline=None)
@given(ledger=st.lists(entries(), max_size=40), bounds=ranges, seed=st.randoms())
def test_the_order_entries_arrive_in_does_not_change_the_statement(ledger, bounds, seed):
    start, end = (DAY0 + timedelta(days=d) for d in bounds)
    shuffled = list(ledger)
    seed.shuffle(shuffled)
    one = build_statement(ledger, customer_id="C", currency="USD", start=start, end=end)
    two = build_statement(shuffled, customer_id="C", currency="USD", start=start, end=end)
    assert [(line.entry.sort_key(), line.balance) for line in one.lines()] == [
        (line.entry.sort_key(), line.balance) for line in two.lines()
    ]
    assert (one.opening, one.closing, one.totals) == (two.opening, two.closing, two.totals)


@settings(max_examples=200, deadline=None)
@given(
    owed=st.lists(st.tuples(st.integers(1, 10**7), st.integers(-200, 200)), max_size=30),
    credits=st.lists(st.integers(1, 10**6), max_size=5),
)
def test_aging_buckets_add_up_to_what_is_owed(owed, credits):
    as_of = DAY0 + timedelta(days=300)
    receivables = [Receivable(a, as_of - timedelta(days=late)) for a, late in owed] + [Receivable(-c) for c in credits]
    aging = build_statement(receivables, customer_id="C", currency="USD", start=DAY0, end=as_of).aging
    assert aging.total_due == sum(a for a, _ in owed)
    assert aging.credit == sum(credits)
    assert sum(amount for _, amount in aging.buckets()) == aging.total_due
    assert aging.current == sum(a for a, late in owed if late <= 0)
    assert aging.days_over_90 == sum(a for a, late in owed if late > 90)


# --- every movement of a ledger, from its invoices' point of view ----------------------------------------------


@st.composite
def ledger_histories(draw: st.DrawFn):
    """Random ledgers driven through the movements staff and customers make, with what each invoice owes after."""
    count = draw(st.integers(1, 4))
    issued = [draw(st.integers(1, 50_000)) for _ in range(count)]
    balances = list(issued)
    debits = [0] * count
    credit = 0
    entries: list[LedgerEntry] = []
    day = 0
    for _ in range(draw(st.integers(0, 25))):
        day += draw(st.integers(0, 5))
        on = DAY0 + timedelta(days=day)
        i = draw(st.integers(0, count - 1))
        move = draw(st.sampled_from(["pay", "debit", "lower", "write_off", "credit_note", "apply", "refund"]))
        amount = draw(st.integers(1, 20_000))
        if move == "pay" and balances[i]:
            paid = min(amount, balances[i])
            balances[i] -= paid
            entries.append(LedgerEntry(on, EntryKind.PAYMENT, paid, "R-1", "payment", f"p{len(entries)}"))
        elif move == "refund" and balances[i] < issued[i] + debits[i]:
            back = min(amount, issued[i] + debits[i] - balances[i])  # a refund reopens what was paid
            balances[i] += back
            entries.append(LedgerEntry(on, EntryKind.REFUND, back, "R-1", "refund", f"r{len(entries)}"))
        elif move == "debit":
            balances[i] += amount
            debits[i] += debit_adjustment("adjustment", amount)
            entries.append(
                adjustment_entry(
                    adjustment_id=f"a{len(entries)}",
                    kind="adjustment",
                    amount=amount,
                    on=on,
                    invoice_number=f"INV-{i}",
                    account_number=None,
                )
            )
        elif move in {"lower", "write_off"} and balances[i]:
            lowered = min(amount, balances[i])
            balances[i] -= lowered
            signed = -lowered if move == "lower" else lowered
            entries.append(
                adjustment_entry(
                    adjustment_id=f"a{len(entries)}",
                    kind=move if move == "write_off" else "adjustment",
                    amount=signed,
                    on=on,
                    invoice_number=f"INV-{i}",
                    account_number=None,
                )
            )
        elif move == "credit_note":
            credit += amount
            entries.append(LedgerEntry(on, EntryKind.CREDIT, amount, "CN-1", "credit", f"c{len(entries)}"))
        elif move == "apply" and credit and balances[i]:
            applied = min(credit, balances[i])
            credit -= applied
            balances[i] -= applied
            entries.append(LedgerEntry(on, EntryKind.CREDIT_APPLIED, applied, "CN-1", "applied", f"x{len(entries)}"))
    # Each invoice's own line is the amount it was issued for: what is stored now, less its debit adjustments.
    for i, amount in enumerate(issued):
        stored = amount + debits[i]
        entries.append(LedgerEntry(DAY0, EntryKind.INVOICE, stored - debits[i], f"INV-{i}", "invoice", f"i{i}"))
    return entries, balances, credit, day


@settings(max_examples=300, deadline=None)
@given(history=ledger_histories(), cut=st.integers(0, 130))
def test_the_statement_agrees_with_what_the_invoices_owe_less_the_credit_held(history, cut):
    entries, balances, credit, last_day = history
    end = DAY0 + timedelta(days=last_day)
    whole = build_statement(entries, customer_id="C", currency="USD", start=DAY0, end=end)
    # Then the closing balance is what the invoices still owe less the credit the customer holds
    assert whole.closing == sum(balances) - credit
    # And a credit application moves nothing, while every other movement is a line with its own sign
    assert all(line.entry.effect == 0 for line in whole.lines() if line.entry.kind is EntryKind.CREDIT_APPLIED)
    assert whole.totals.applied_credit == sum(e.amount for e in entries if e.kind is EntryKind.CREDIT_APPLIED)
    # And any later start still gives opening + lines = the same closing
    start = DAY0 + timedelta(days=min(cut, last_day))
    part = build_statement(entries, customer_id="C", currency="USD", start=start, end=end)
    assert part.opening + sum(line.entry.effect for line in part.lines()) == part.closing == whole.closing
