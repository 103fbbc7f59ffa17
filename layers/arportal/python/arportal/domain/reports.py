"""Reports for leadership and finance: daily collections by department and channel, and the day's exceptions.

Rules (stated here because finance reconciles against them):
- A day is a UTC calendar day, the day the payment was taken (the activity index's day). A report read from
  the payments (the exceptions, the activity listing) covers at most ``MAX_REPORT_DAYS`` days; the collections
  and metrics, read from the daily totals (``domain/daily_totals.py``, one item a day), up to five years.
- Collections count every payment taken that day whose money reached the agency or its processor, at its gross
  amount (convenience fees apart): posted, settled, partially and fully refunded, reversed, and voided after it
  posted (the processor captured it, then gave it all back). Pending (ACH in flight, in the exceptions report),
  failed and never-captured voided payments are not collections. What became of them is shown beside, against
  the day the payment was taken (as a processor reports a refund against its charge): ``refunded`` (refunds and
  voids, principal), ``fees`` charged, ``fees_returned`` (a void returns the fee; a refund keeps it),
  ``reversed`` (taken back by the bank: NSF, chargebacks; no processor refund) and ``net``.
- So the report ties to the processor's own record of the day's card, debit, wallet and ACH payments: its charges
  are ``total + fees``, its refunds ``refunded + fees_returned``, and what it keeps beyond the principal it keeps
  is ``fees_kept`` (tests/integration/test_collections_tie_to_processor.py). Cash and cheques count the same way,
  handed back at the counter.
- A payment is split among departments by its allocations; what no allocation took (an overpayment held as
  credit) is ``unallocated``. A payment whose allocations are not found beside it is split by its own
  ``departments`` when it names one (less what it left unapplied), else counted as unallocated.
Invariant: for every day and in total, the department amounts and the channel amounts each sum to the total.
A payment whose allocations exceed its amount breaks a ledger invariant: it is shared among those departments in
proportion (so the report still adds up) and listed in ``discrepancies`` for someone to look at.
A payment counts once in its channel and once in each department it touches, so department counts may sum to
more than the number of payments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Allocation, Interaction, Payment
from arportal.domain.money import Money, allocate
from arportal.domain.status import PaymentStatus

MAX_REPORT_DAYS = 92
UNALLOCATED = "unallocated"
P = PaymentStatus
# Statuses a collected payment may be in now (the reader's filter); ``collected`` says which of them count.
COLLECTED = frozenset({P.POSTED, P.SETTLED, P.PARTIALLY_REFUNDED, P.REFUNDED, P.REVERSED, P.VOIDED})
_CAPTURED = frozenset({P.POSTED, P.SETTLED})
EXCEPTIONS = frozenset({PaymentStatus.PENDING, PaymentStatus.FAILED})


def report_days(start: date, end: date, *, max_days: int = MAX_REPORT_DAYS) -> list[date]:
    """``start``..``end`` inclusive, oldest first; a backwards or too long range is refused with its fields."""
    if end < start:
        raise BusinessRuleError(
            "'to' is before 'from'", details=[{"field": "query.to", "reason": "must not be before 'from'"}]
        )
    days = (end - start).days + 1
    if days > max_days:
        raise BusinessRuleError(
            f"at most {max_days} days at a time",
            details=[{"field": "query.to", "reason": f"the range is {days} days; at most {max_days}"}],
        )
    return [start + timedelta(days=i) for i in range(days)]


@dataclass(frozen=True)
class Tally:
    count: int = 0
    amount: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.amount + other.amount)

    def plus(self, amount: int) -> Tally:
        return Tally(self.count + 1, self.amount + amount)


def department_split(payment: Payment, allocations: Sequence[Allocation]) -> dict[str, int]:
    """How a payment's amount divides among departments; the parts sum to ``payment.amount`` exactly."""
    parts: dict[str, int] = {}
    if allocations:
        for allocation in allocations:
            parts[allocation.department] = parts.get(allocation.department, 0) + allocation.amount
    elif len(payment.departments) == 1:
        parts[payment.departments[0]] = max(payment.amount - payment.unapplied, 0)
    rest = payment.amount - sum(parts.values())
    if rest < 0:
        # The ledger never allocates more than a payment's amount; if a record says otherwise the report still
        # adds up (the amount is shared in proportion) and names the payment (``allocates_more_than_paid``).
        shares = allocate(Money(payment.amount, payment.currency), list(parts.values()))
        return {d: share.minor for d, share in zip(parts, shares, strict=True) if share.minor}
    if rest:
        parts[UNALLOCATED] = parts.get(UNALLOCATED, 0) + rest
    return {department: amount for department, amount in parts.items() if amount}


def _merge(into: dict[str, Tally], other: dict[str, Tally]) -> None:
    for key, tally in other.items():
        into[key] = into.get(key, Tally()) + tally


def collected(payment: Payment) -> bool:
    """Whether the payment's money was taken: a voided one only if it had posted (a void of an ACH debit still in
    flight, or of an authorization, took nothing)."""
    if payment.status is P.VOIDED:
        return any(change.status in _CAPTURED for change in payment.history)
    return payment.status in COLLECTED


def fee_charged(payment: Payment) -> int:
    """The convenience fee charged with the payment: a void returns it (and zeroes ``fee_amount``), recording
    what it gave back (amount + fee) on its history entry."""
    if payment.status is not P.VOIDED:
        return payment.fee_amount
    back = max((c.amount or 0 for c in payment.history if c.status is P.VOIDED), default=0)
    return max(back - payment.amount, 0)


@dataclass(frozen=True)
class Outcome:
    """What became of a day's collected payments, against the day they were taken."""

    fees: int = 0  # charged
    refunded: int = 0  # principal given back: refunds and voids
    fees_returned: int = 0  # by voids
    reversed: int = 0  # principal taken back by the bank

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(
            self.fees + other.fees,
            self.refunded + other.refunded,
            self.fees_returned + other.fees_returned,
            self.reversed + other.reversed,
        )

    @property
    def fees_kept(self) -> int:
        return self.fees - self.fees_returned


def outcome_of(payment: Payment) -> Outcome:
    fee = fee_charged(payment)
    if payment.status is P.VOIDED:
        return Outcome(fee, payment.amount, fee, 0)
    reversed_ = payment.amount - payment.refunded if payment.status is P.REVERSED else 0
    return Outcome(fee, payment.refunded, 0, reversed_)


@dataclass(frozen=True)
class DayCollections:
    day: date
    total: Tally = field(default_factory=Tally)
    by_department: dict[str, Tally] = field(default_factory=dict)
    by_channel: dict[str, Tally] = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)
    discrepancies: tuple[str, ...] = ()  # payments whose allocations exceed their amount: a ledger to look at

    @property
    def fees(self) -> int:
        return self.outcome.fees

    @property
    def refunded(self) -> int:
        return self.outcome.refunded

    @property
    def net(self) -> int:
        """What the agency keeps of the day's payments: gross and fees, less what went back."""
        o = self.outcome
        return self.total.amount + o.fees - o.refunded - o.fees_returned - o.reversed


def allocates_more_than_paid(payment: Payment, allocations: Sequence[Allocation]) -> bool:
    return sum(a.amount for a in allocations) > payment.amount


def collections_of_day(
    day: date, payments: Iterable[Payment], allocations: Iterable[Allocation], *, currency: str
) -> DayCollections:
    # Keyed by owner as well: a payment id names a payment within its owner's partition.
    by_payment: dict[tuple[str | None, str], list[Allocation]] = {}
    for allocation in allocations:
        by_payment.setdefault((allocation.customer_id, allocation.payment_id), []).append(allocation)
    total, outcome = Tally(), Outcome()
    by_department: dict[str, Tally] = {}
    by_channel: dict[str, Tally] = {}
    discrepancies: list[str] = []
    for payment in payments:
        if not collected(payment) or payment.currency != currency:
            continue
        mine = by_payment.get((payment.customer_id, payment.payment_id), [])
        if allocates_more_than_paid(payment, mine):
            discrepancies.append(payment.payment_id)
        total = total.plus(payment.amount)
        by_channel[payment.channel.value] = by_channel.get(payment.channel.value, Tally()).plus(payment.amount)
        for department, amount in department_split(payment, mine).items():
            by_department[department] = by_department.get(department, Tally()).plus(amount)
        outcome += outcome_of(payment)
    return DayCollections(
        day,
        total,
        dict(sorted(by_department.items())),
        dict(sorted(by_channel.items())),
        outcome,
        tuple(sorted(discrepancies)),
    )


@dataclass(frozen=True)
class CollectionsReport:
    start: date
    end: date
    currency: str
    days: list[DayCollections]
    total: Tally
    by_department: dict[str, Tally]
    by_channel: dict[str, Tally]
    outcome: Outcome
    complete: bool  # False if a day held more than a report reads at once (the figures then fall short)
    discrepancies: list[str]  # payments whose allocations exceed their amount (split in proportion)

    @property
    def fees(self) -> int:
        return self.outcome.fees

    @property
    def refunded(self) -> int:
        return self.outcome.refunded

    @property
    def net(self) -> int:
        return sum(d.net for d in self.days)


def collections_report(
    start: date, end: date, currency: str, days: Sequence[DayCollections], *, complete: bool = True
) -> CollectionsReport:
    by_department: dict[str, Tally] = {}
    by_channel: dict[str, Tally] = {}
    for day in days:
        _merge(by_department, day.by_department)
        _merge(by_channel, day.by_channel)
    return CollectionsReport(
        start=start,
        end=end,
        currency=currency,
        days=sorted(days, key=lambda d: d.day),
        total=sum((d.total for d in days), Tally()),
        by_department=dict(sorted(by_department.items())),
        by_channel=dict(sorted(by_channel.items())),
        outcome=sum((d.outcome for d in days), Outcome()),
        complete=complete,
        discrepancies=[p for d in sorted(days, key=lambda d: d.day) for p in d.discrepancies],
    )


@dataclass(frozen=True)
class DayExceptions:
    day: date
    pending: Tally
    failed: Tally
    interactions: dict[str, int]  # handled that day, by kind


def exceptions_of_day(
    day: date, payments: Iterable[Payment], interactions: Iterable[Interaction], *, currency: str
) -> DayExceptions:
    pending, failed = Tally(), Tally()
    for payment in payments:
        if payment.currency != currency:
            continue
        if payment.status is PaymentStatus.PENDING:
            pending = pending.plus(payment.amount)
        elif payment.status is PaymentStatus.FAILED:
            failed = failed.plus(payment.amount)
    kinds: dict[str, int] = {}
    for interaction in interactions:
        kinds[interaction.kind.value] = kinds.get(interaction.kind.value, 0) + 1
    return DayExceptions(day, pending, failed, dict(sorted(kinds.items())))
