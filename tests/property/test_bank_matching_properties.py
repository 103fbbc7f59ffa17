"""Bank matching over generated books and files: what is applied never exceeds the line's amount nor an invoice's
balance (in one line, or all lines of a run together), and which deposit a line takes does not depend on the order
of the file."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.bank_matches import (
    ExpectedDeposit,
    KnownPayer,
    MatchBook,
    MatchOutcome,
    MatchSettings,
    MatchTarget,
    OpenInvoice,
)
from arportal.domain.bank_matching import match
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.remittance_reference import reference_for

DAY = date(2031, 3, 12)
NAMES = ["Jordan Rivera", "Okafor Plumbing", "Lan Nguyen", "Maria Lopez", "Acme Water Co"]
CUSTOMERS = [f"CUS-0000{i}" for i in range(len(NAMES))]


@st.composite
def books(draw):
    invoices = tuple(
        OpenInvoice(
            customer_id=draw(st.sampled_from(CUSTOMERS)),
            invoice_id=f"inv_{n:012d}",
            invoice_number=f"UT-2031-{n:05d}",
            account_number=None,
            balance=draw(st.sampled_from([1_000, 2_500, 5_000, 7_500, 12_000])),
            currency="USD",
            due_date=DAY - timedelta(days=draw(st.integers(0, 90))),
        )
        for n in range(draw(st.integers(0, 12)))
    )
    payers = tuple(KnownPayer(c, n, reference_for(c)) for c, n in zip(CUSTOMERS, NAMES, strict=True))
    return MatchBook(invoices=invoices, payers=payers)


@st.composite
def payer_lines(draw, book):
    lines = []
    for k in range(draw(st.integers(1, 8))):
        remittance = draw(
            st.sampled_from(
                ["", "thanks"]
                + [reference_for(c) for c in CUSTOMERS]
                + [f"inv {i.invoice_number}" for i in book.invoices]
            )
        )
        lines.append(
            BankLine(
                f"L{k}",
                DAY,
                None,
                draw(st.integers(1, 40_000)),
                "USD",
                draw(st.sampled_from([LineKind.WIRE, LineKind.ACH_CREDIT, LineKind.LOCKBOX])),
                "195",
                payer_name=draw(st.sampled_from([None, *NAMES, "J RIVERA", "OKAFR PLUMBING"])),
                remittance=remittance,
            )
        )
    return lines


@settings(max_examples=150)
@given(st.data(), books(), st.integers(0, 200))
def test_applied_money_never_exceeds_the_line_nor_a_balance(data, book, tolerance):
    lines = data.draw(payer_lines(book))
    results = match(lines, book, MatchSettings(amount_tolerance=tolerance))
    assert [r.line_key for r in results] == [line.line_key for line in lines]
    balances = {i.invoice_id: i.balance for i in book.invoices}
    taken: Counter[str] = Counter()
    for bank_line, result in zip(lines, results, strict=True):
        for candidate in result.suggestions:
            assert sum(a.amount for a in candidate.allocations) <= bank_line.amount
            assert all(0 < a.amount <= balances[a.invoice_id] for a in candidate.allocations)
        if result.outcome is MatchOutcome.MATCHED:
            assert result.best is not None and result.best.score >= 90
            for allocation in result.best.allocations:
                taken[allocation.invoice_id] += allocation.amount
    assert all(amount <= balances[invoice] for invoice, amount in taken.items())


@st.composite
def deposit_days(draw):
    amounts = draw(st.lists(st.integers(1_000, 90_000), min_size=1, max_size=8, unique=True))
    deposits = tuple(
        ExpectedDeposit(
            f"po_{i}",
            draw(st.sampled_from(["stripe", "counter"])),
            amount,
            "USD",
            DAY + timedelta(days=draw(st.integers(-4, 4))),
        )
        for i, amount in enumerate(amounts + draw(st.lists(st.sampled_from(amounts), max_size=4)))
    )
    line_amounts = draw(st.lists(st.sampled_from(amounts + [a + 7 for a in amounts]), max_size=8, unique=True))
    lines = [
        BankLine(
            f"D{k}",
            DAY,
            None,
            amount,
            "USD",
            draw(st.sampled_from([LineKind.PROCESSOR_DEPOSIT, LineKind.BRANCH_DEPOSIT])),
            "165",
        )
        for k, amount in enumerate(line_amounts)
    ]
    return deposits, lines


@settings(max_examples=150)
@given(deposit_days(), st.randoms(use_true_random=False))
def test_the_order_of_lines_does_not_change_which_deposits_match(generated, rng):
    deposits, lines = generated
    book = MatchBook(deposits=deposits)
    shuffled = list(lines)
    rng.shuffle(shuffled)

    def taken(ordered):
        results = match(ordered, book, MatchSettings())
        return {
            r.line_key: (r.best.deposit_id, r.best.deposit_ids)
            for r in results
            if r.outcome is MatchOutcome.MATCHED and r.best and r.best.target is MatchTarget.DEPOSIT
        }

    first = taken(lines)
    assert first == taken(shuffled)
    used = [d for deposit_id, ids in first.values() for d in (ids or (deposit_id,))]
    assert len(used) == len(set(used))  # and no deposit twice
