"""Rules 1 and 2 of bank matching: a bank line that is an expected deposit arriving.

A processor's payout (``PROCESSOR_DEPOSIT``) is tried against the processors' expected deposits, a branch deposit
(``BRANCH_DEPOSIT``) against the cashiers' counter deposit slips (source ``counter``), and any other credit against
both (it may be a payout the bank did not label; such a match is only suggested unless the trace id agrees).

Scores: the trace id equal (both given) and the amount equal: 100. The amount equal and the booking date within
``deposit_window_banking_days`` banking days of the expected date: 96, less 2 per banking day off; several equal
deposits as good as each other: 10 less (a person picks). Both trace ids given and different: 60. Several deposits
of one source expected on one day arriving as one line (their sum within the tolerance): 94 (91 when not exact),
less 2 per banking day off. A line of another kind: at most 85. Each deposit is taken by at most one line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from arportal.domain.bank_matches import Candidate, ExpectedDeposit, MatchSettings, MatchTarget
from arportal.domain.bank_matching_index import money
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.banking_days import banking_days_between

COUNTER = "counter"
TRACE_SCORE = 100
AMOUNT_AND_DATE_SCORE = 96
PER_BANKING_DAY_OFF = 2
AMBIGUOUS_PENALTY = 10
TRACE_DIFFERS_SCORE = 60
SEVERAL_EXACT_SCORE = 94
SEVERAL_WITHIN_TOLERANCE_SCORE = 91
OTHER_KIND_CAP = 85


def _norm_trace(trace: str | None) -> str:
    return "".join((trace or "").split()).upper().lstrip("0")


@dataclass
class DepositPool:
    """The expected deposits by amount, trace and (source, day), and those already taken in this run."""

    by_amount: dict[tuple[str, int], list[ExpectedDeposit]] = field(default_factory=lambda: defaultdict(list))
    by_trace: dict[str, ExpectedDeposit] = field(default_factory=dict)
    by_day: dict[tuple[str, date, str], list[ExpectedDeposit]] = field(default_factory=lambda: defaultdict(list))
    taken: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, deposits: tuple[ExpectedDeposit, ...]) -> DepositPool:
        pool = cls()
        for deposit in sorted(deposits, key=lambda d: (d.expected_on, d.deposit_id)):
            pool.by_amount[(deposit.currency, deposit.amount)].append(deposit)
            pool.by_day[(deposit.source, deposit.expected_on, deposit.currency)].append(deposit)
            if trace := _norm_trace(deposit.bank_trace_id):
                pool.by_trace[trace] = deposit
        return pool

    def take(self, candidate: Candidate) -> None:
        self.taken.update(candidate.deposit_ids or ((candidate.deposit_id,) if candidate.deposit_id else ()))


def _fits_kind(line: BankLine, deposit: ExpectedDeposit) -> bool:
    if line.kind is LineKind.PROCESSOR_DEPOSIT:
        return deposit.source != COUNTER
    if line.kind is LineKind.BRANCH_DEPOSIT:
        return deposit.source == COUNTER
    return True


def _days_off(line: BankLine, expected_on: date, closures: frozenset[date]) -> int:
    return abs(banking_days_between(expected_on, line.booking_date, closures))


def _capped(line: BankLine, score: int) -> int:
    return score if line.kind in (LineKind.PROCESSOR_DEPOSIT, LineKind.BRANCH_DEPOSIT) else min(score, OTHER_KIND_CAP)


def by_trace(line: BankLine, pool: DepositPool) -> list[Candidate]:
    """The deposit whose bank trace id is the line's."""
    deposit = pool.by_trace.get(_norm_trace(line.trace_number)) if line.trace_number else None
    if deposit is None or deposit.deposit_id in pool.taken or deposit.currency != line.currency:
        return []
    if deposit.amount != line.amount:
        differs = (
            f"trace {line.trace_number} is deposit {deposit.deposit_id}'s",
            f"but its amount {money(deposit.amount, deposit.currency)} is not the line's",
        )
        return [Candidate(MatchTarget.DEPOSIT, TRACE_DIFFERS_SCORE, differs, deposit_id=deposit.deposit_id)]
    reasons = (f"trace {line.trace_number} and amount {money(line.amount, line.currency)} are {deposit.source} "
               f"deposit {deposit.deposit_id}'s",)  # fmt: skip
    return [Candidate(MatchTarget.DEPOSIT, TRACE_SCORE, reasons, deposit_id=deposit.deposit_id)]


def one_deposit(
    line: BankLine, pool: DepositPool, settings: MatchSettings, closures: frozenset[date]
) -> list[Candidate]:
    """Deposits of the line's amount expected within the window, nearest first."""
    window = settings.deposit_window_banking_days
    found: list[tuple[int, ExpectedDeposit]] = []
    for deposit in pool.by_amount.get((line.currency, line.amount), ()):
        if deposit.deposit_id in pool.taken or not _fits_kind(line, deposit):
            continue
        if (off := _days_off(line, deposit.expected_on, closures)) <= window:
            found.append((off, deposit))
    found.sort(key=lambda f: f[0])
    candidates = []
    for off, deposit in found:
        both_traced = line.trace_number and deposit.bank_trace_id
        score = TRACE_DIFFERS_SCORE if both_traced else AMOUNT_AND_DATE_SCORE - PER_BANKING_DAY_OFF * off
        if len(found) > 1 and sum(1 for o, _ in found if o == off) > 1:
            score -= AMBIGUOUS_PENALTY
        reasons = [
            f"amount {money(line.amount, line.currency)} is {deposit.source} deposit {deposit.deposit_id}'s",
            f"booked {off} banking day(s) from its expected date {deposit.expected_on.isoformat()}",
        ]
        if both_traced:
            reasons.append(f"but trace {line.trace_number} is not its trace {deposit.bank_trace_id}")
        if len(found) > 1:
            reasons.append(f"{len(found)} expected deposits of this amount in the window")
        candidates.append(Candidate(MatchTarget.DEPOSIT, _capped(line, score), tuple(reasons), deposit.deposit_id))
    return candidates


def several_deposits(
    line: BankLine, pool: DepositPool, settings: MatchSettings, closures: frozenset[date]
) -> list[Candidate]:
    """All of one source's deposits expected on one day, still open, summing to the line's amount (within the
    tolerance): a bank that books a processor's payouts of a day as one credit."""
    candidates = []
    for (source, day, currency), group in pool.by_day.items():
        if currency != line.currency or (off := _days_off(line, day, closures)) > settings.deposit_window_banking_days:
            continue
        open_ = [d for d in group if d.deposit_id not in pool.taken and _fits_kind(line, d)]
        if len(open_) < 2 or abs((total := sum(d.amount for d in open_)) - line.amount) > settings.amount_tolerance:
            continue
        base = SEVERAL_EXACT_SCORE if total == line.amount else SEVERAL_WITHIN_TOLERANCE_SCORE
        reasons = (
            f"{len(open_)} {source} deposits expected on {day.isoformat()} sum to {money(total, currency)}",
            f"booked {off} banking day(s) from their expected date",
        )
        ids = tuple(d.deposit_id for d in open_)
        score = _capped(line, base - PER_BANKING_DAY_OFF * off)
        candidates.append(Candidate(MatchTarget.DEPOSIT, score, reasons, deposit_id=ids[0], deposit_ids=ids))
    return candidates
