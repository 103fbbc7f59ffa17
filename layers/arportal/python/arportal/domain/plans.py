"""Payment plans: how a chosen balance becomes instalments, and how much of a plan has been paid.

Rules (the release note quotes them):
- a plan pays down one or more of a customer's open invoices on ONE account, all in one currency, at most
  ``MAX_PLAN_INVOICES``; an invoice is in at most one active plan;
- 2 to 24 instalments, weekly, every two weeks or monthly; the first falls 1 to 31 days after the day it is
  quoted (7 days when the customer does not choose);
- the total (the invoices' balances when quoted) is split with ``money.allocate`` into equal parts; the minor
  units that do not divide evenly go one each to the EARLIEST instalments, so the parts add up to the total
  exactly and differ by at most one minor unit; every instalment is at least ``MIN_INSTALMENT`` minor units;
- monthly instalments keep the first one's day of the month, clamped to shorter months (31 Jan, 28 Feb, 31 Mar).

How an instalment gets paid (paying early, or by any channel, counts):
- what the plan has received is ``total - owed``, where ``owed`` is what is still open on its invoices now,
  whoever paid them and however (portal, counter, autopay, credit applied). It never goes below 0 nor above
  the total;
- instalments are satisfied in order: instalment k is paid once the plan has received the sum of instalments
  1..k. So paying early simply satisfies the next instalments ahead of time;
- on an instalment's date the amount to charge is what the schedule asked for by then and has not yet arrived,
  ``cumulative(k) - received``, never more than is still owed and never negative (0: nothing to charge).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import Instalment, InstalmentStatus, Invoice, PlanFrequency
from arportal.domain.money import Money, allocate

MIN_INSTALMENTS = 2
MAX_INSTALMENTS = 24
MAX_PLAN_INVOICES = 50
MIN_INSTALMENT = 100  # minor units: a plan of one-cent instalments helps nobody
FIRST_DUE_MIN_DAYS = 1
FIRST_DUE_MAX_DAYS = 31
DEFAULT_FIRST_DUE_DAYS = 7


@dataclass(frozen=True)
class PlannedInstalment:
    due_date: date
    amount: int


@dataclass(frozen=True)
class PlanQuote:
    account_number: str
    currency: str
    frequency: PlanFrequency
    invoice_ids: tuple[str, ...]
    total: int
    instalments: tuple[PlannedInstalment, ...]

    def matches(self, accepted: Sequence[PlannedInstalment]) -> bool:
        """Whether what the customer accepted is exactly this schedule (dates and amounts, in order)."""
        return tuple(accepted) == self.instalments


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def instalment_dates(first: date, count: int, frequency: PlanFrequency) -> list[date]:
    if frequency is PlanFrequency.MONTHLY:
        return [_add_months(first, k) for k in range(count)]
    step = timedelta(days=7 if frequency is PlanFrequency.WEEKLY else 14)
    return [first + step * k for k in range(count)]


def split_total(total: int, currency: str, count: int) -> list[int]:
    """Equal parts that add up to ``total``; the indivisible minor units go to the earliest parts."""
    return [part.minor for part in allocate(Money(total, currency), [1] * count)]


def quote_plan(
    invoices: Sequence[Invoice],
    *,
    account_number: str,
    currency: str,
    count: int,
    frequency: PlanFrequency,
    today: date,
    first_due: date | None = None,
) -> PlanQuote:
    """The schedule for paying ``invoices`` (already known to be the customer's own) in ``count`` instalments."""
    problems = _check_invoices(invoices, account_number=account_number, currency=currency)
    if not MIN_INSTALMENTS <= count <= MAX_INSTALMENTS:
        problems.append({"field": "instalments", "reason": f"between {MIN_INSTALMENTS} and {MAX_INSTALMENTS}"})
    first = first_due or today + timedelta(days=DEFAULT_FIRST_DUE_DAYS)
    if not today + timedelta(days=FIRST_DUE_MIN_DAYS) <= first <= today + timedelta(days=FIRST_DUE_MAX_DAYS):
        problems.append(
            {"field": "first_due_date", "reason": f"{FIRST_DUE_MIN_DAYS} to {FIRST_DUE_MAX_DAYS} days from today"}
        )
    total = sum(i.balance for i in invoices)
    if not problems and total < MIN_INSTALMENT * count:
        problems.append(
            {"field": "instalments", "reason": f"each instalment must be at least {MIN_INSTALMENT} minor units"}
        )
    if problems:
        raise BusinessRuleError("this payment plan cannot be offered", details=problems)
    amounts = split_total(total, currency, count)
    dates = instalment_dates(first, count, frequency)
    ordered = sorted(invoices, key=lambda i: (i.due_date, i.invoice_number))
    return PlanQuote(
        account_number=account_number,
        currency=currency,
        frequency=frequency,
        invoice_ids=tuple(i.invoice_id for i in ordered),
        total=total,
        instalments=tuple(PlannedInstalment(d, a) for d, a in zip(dates, amounts, strict=True)),
    )


def _check_invoices(invoices: Sequence[Invoice], *, account_number: str, currency: str) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []
    if not invoices:
        problems.append({"field": "invoice_ids", "reason": "choose at least one open invoice"})
    if len(invoices) > MAX_PLAN_INVOICES:
        problems.append({"field": "invoice_ids", "reason": f"at most {MAX_PLAN_INVOICES} invoices in one plan"})
    if len({i.invoice_id for i in invoices}) != len(invoices):
        problems.append({"field": "invoice_ids", "reason": "an invoice is named twice"})
    for invoice in invoices:
        if invoice.account_number != account_number:
            problems.append({"field": "invoice_ids", "reason": f"{invoice.invoice_number} is on another account"})
        elif invoice.balance <= 0 or invoice.voided:
            problems.append({"field": "invoice_ids", "reason": f"{invoice.invoice_number} has nothing left to pay"})
        elif invoice.currency != currency:
            problems.append({"field": "invoice_ids", "reason": f"{invoice.invoice_number} is not in {currency}"})
    return problems


# --- progress -------------------------------------------------------------------------------------------------


def received(instalments: Sequence[Instalment], owed: int) -> int:
    """What the plan has received so far: its total less what its invoices still owe, within [0, total]."""
    total = sum(i.amount for i in instalments)
    return min(total, max(0, total - owed))


def satisfied_count(instalments: Sequence[Instalment], owed: int) -> int:
    """How many instalments, in order, the money received so far covers."""
    got = received(instalments, owed)
    return sum(1 for cumulative in accumulate(i.amount for i in instalments) if cumulative <= got)


def amount_due(instalments: Sequence[Instalment], index: int, owed: int) -> int:
    """What to charge on instalment ``index``'s date: the schedule's shortfall by then, capped at what is owed."""
    cumulative = sum(i.amount for i in instalments[: index + 1])
    return max(0, min(owed, cumulative - received(instalments, owed)))


def refreshed(instalments: Sequence[Instalment], owed: int, *, payment_id: str | None = None) -> list[Instalment]:
    """The instalments with those the money received covers marked paid. A paid instalment stays paid (a later
    refund shows up as a larger shortfall on the next instalment's date, not as a rewritten history)."""
    covered = satisfied_count(instalments, owed)
    return [
        i.model_copy(update={"status": InstalmentStatus.PAID, "payment_id": i.payment_id or payment_id})
        if k < covered and i.status is not InstalmentStatus.PAID
        else i
        for k, i in enumerate(instalments)
    ]


def is_complete(owed: int) -> bool:
    return owed <= 0
