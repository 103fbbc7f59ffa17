"""Bank matching: what each bank line is, as one pure function (``match``), the rules tried in this order:

1. a processor's payout ↔ an expected processor deposit, and 2. a branch deposit ↔ a counter deposit slip
   (``bank_matching_deposits``);
3. a payer's ACH credit, wire or lockbox cheque ↔ invoices: remittance reference, invoice or account number,
   amount and payer name, one line for several invoices and several lines for one (``bank_matching_invoices``,
   ``bank_matching_groups``);
4. an ACH return ↔ the debit it returns (``bank_matching_returns``).

Other debits (bank fees, transfers out) are IGNORED. A line is MATCHED when its best candidate scores at least
``settings.auto_apply_score`` and no different candidate scores as much; SUGGESTED when it has candidates below
that; UNMATCHED when it has none. Suggestions are best first, at most ``settings.max_suggestions``.

One call is one run: a deposit or a returned debit is taken by at most one line, and the invoices' balances
taken by MATCHED lines are not offered again to later lines. Deposit lines are matched first, in an order of their
own (amount, date, key), so which deposit a line takes does not depend on the order of the file. Everything is
looked up in indexes built once per call (``bank_matching_index``): no step compares every line with every invoice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from functools import partial

from arportal.domain import bank_matching_deposits as deposits
from arportal.domain import bank_matching_invoices as invoices
from arportal.domain import bank_matching_returns as returns
from arportal.domain.bank_matches import Candidate, LineMatch, MatchBook, MatchOutcome, MatchSettings, MatchTarget
from arportal.domain.bank_matching_groups import PAYER_KINDS, SharedInvoice, SharedInvoices
from arportal.domain.bank_matching_index import MatchIndex
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.banking_days import NO_CLOSURES

DEPOSIT_KINDS = frozenset({LineKind.PROCESSOR_DEPOSIT, LineKind.BRANCH_DEPOSIT})
# Payer kinds that may also be a payout the bank did not label as one (a lockbox cheque never is).
MAYBE_DEPOSIT_KINDS = frozenset({LineKind.ACH_CREDIT, LineKind.WIRE, LineKind.OTHER_CREDIT})
Rule = Callable[[], list[Candidate]]


def match(
    lines: Sequence[BankLine], book: MatchBook, settings: MatchSettings, *, closures: frozenset[date] = NO_CLOSURES
) -> list[LineMatch]:
    index = MatchIndex.build(book)
    pool = deposits.DepositPool.build(book.deposits)
    debits = returns.DebitPool.build(book.debits)
    results: dict[int, LineMatch] = {}

    deposit_lines = sorted(
        (p for p, line in enumerate(lines) if line.kind in DEPOSIT_KINDS and line.amount > 0),
        key=lambda p: (lines[p].amount, lines[p].booking_date, lines[p].line_key),
    )
    first_pass: dict[int, list[Candidate]] = {}
    for p in deposit_lines:  # one line, one deposit, for every line before any line takes several
        first_pass[p] = deposits.by_trace(lines[p], pool) + deposits.one_deposit(lines[p], pool, settings, closures)
        results[p] = _decided(lines[p], first_pass[p], settings)
        _take(results[p], index, pool, debits)
    for p in deposit_lines:
        if results[p].outcome is not MatchOutcome.MATCHED:
            several = deposits.several_deposits(lines[p], pool, settings, closures)
            results[p] = _decided(lines[p], first_pass[p] + several, settings)
            _take(results[p], index, pool, debits)

    shared = SharedInvoices(lines, index, settings)

    def settled(p: int) -> bool:
        return p in results and results[p].outcome is MatchOutcome.MATCHED

    for p, line in enumerate(lines):
        if p not in results:
            found = partial(shared.of, p, settled)
            rules = _rules(line, index, pool, debits, settings=settings, closures=closures, shared=found)
            results[p] = (
                _first_sure(line, rules, settings) if rules else LineMatch(line.line_key, MatchOutcome.IGNORED, None)
            )
            _take(results[p], index, pool, debits)
    return [results[p] for p in range(len(lines))]


def _rules(
    line: BankLine, index: MatchIndex, pool: deposits.DepositPool, debits: returns.DebitPool, *,
    settings: MatchSettings, closures: frozenset[date], shared: Callable[[], SharedInvoice | None],
) -> list[Rule]:  # fmt: skip
    """The rules a line is tried against, in order; none for a line that is not receivables."""
    if line.kind is LineKind.ACH_RETURN:
        return [lambda: returns.by_original(line, debits), lambda: returns.by_amount(line, debits, index, closures)]
    if line.amount < 0 or line.kind not in PAYER_KINDS:
        return []
    rules: list[Rule] = []
    if line.kind in MAYBE_DEPOSIT_KINDS:
        rules += [
            lambda: deposits.by_trace(line, pool),
            lambda: deposits.one_deposit(line, pool, settings, closures),
        ]
    rules += [
        lambda: invoices.by_reference(index, line),
        lambda: invoices.by_number(index, line),
        lambda: invoices.by_amount_and_name(index, line),
        lambda: invoices.one_line_several_invoices(index, line, settings),
    ]
    rules.append(lambda: invoices.one_of_several_lines(index, line, s) if (s := shared()) else [])
    return rules


def _first_sure(line: BankLine, rules: list[Rule], settings: MatchSettings) -> LineMatch:
    """The rules in order until one gives a candidate sure enough to apply; the best of all tried otherwise."""
    candidates: list[Candidate] = []
    for rule in rules:
        candidates += rule()
        decided = _decided(line, candidates, settings)
        if decided.outcome is MatchOutcome.MATCHED:
            return decided
    return _decided(line, candidates, settings)


def _identity(c: Candidate) -> tuple[object, ...]:
    return (c.target, c.deposit_id, c.deposit_ids, c.customer_id, c.allocations, c.payment_id)


def _decided(line: BankLine, candidates: list[Candidate], settings: MatchSettings) -> LineMatch:
    unique: dict[tuple[object, ...], Candidate] = {}
    for c in sorted(candidates, key=lambda c: -c.score):  # stable: a rule's own order breaks ties
        unique.setdefault(_identity(c), c)
    ranked = list(unique.values())[: settings.max_suggestions]
    if not ranked:
        return LineMatch(line.line_key, MatchOutcome.UNMATCHED, None)
    best = ranked[0]
    tied = len(ranked) > 1 and ranked[1].score == best.score
    if best.score >= settings.auto_apply_score and not tied:
        return LineMatch(line.line_key, MatchOutcome.MATCHED, best, tuple(ranked))
    if tied and best.score >= settings.auto_apply_score:
        best = _demoted(best, settings)
        ranked = [best, *(_demoted(c, settings) if c.score >= settings.auto_apply_score else c for c in ranked[1:])]
    return LineMatch(line.line_key, MatchOutcome.SUGGESTED, best, tuple(ranked))


def _demoted(c: Candidate, settings: MatchSettings) -> Candidate:
    """Two different candidates as sure as each other: neither is applied without a person."""
    reasons = (*c.reasons, "another candidate scores as high")
    return replace(c, score=settings.auto_apply_score - 1, reasons=reasons)


def _take(
    result: LineMatch, index: MatchIndex, pool: deposits.DepositPool, debits: returns.DebitPool
) -> None:  # fmt: skip
    if result.outcome is not MatchOutcome.MATCHED or result.best is None:
        return
    best = result.best
    if best.target is MatchTarget.DEPOSIT:
        pool.take(best)
    elif best.target is MatchTarget.RETURN and best.payment_id:
        debits.taken.add(best.payment_id)
    index.take(best.allocations)
