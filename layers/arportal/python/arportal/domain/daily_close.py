"""The daily close: a banking day's control totals, frozen, and every difference between the books as a variance.

The close of banking day D covers the calendar days D's GL journal covers (``services/journal_day.covered_days``).
Three sides are read, each from its own records:

- **subledger**: the daily totals (``domain/daily_totals.py``), the payments taken on the covered days as they
  stand: ``col.amt`` collected (fees apart), ``dep.<department>.amt`` its split by department (``unallocated``: the
  overpayment held as credit), ``out.fees`` the convenience fees charged with them, and what was given back of
  them since (``out.refunded`` + ``out.fees_returned`` + ``out.reversed``, against the day they were taken);
- **GL**: every line of the day's stored journal batches (a correction's reversal and new batch included, so they
  net to the books as corrected), each line classified by its account in the chart (``domain/daily_close_gl.py``);
- **deposits**: the deposits expected on the agency's bank account on the covered days (processor payouts and
  counter deposit batches, by arrival date), confirmed or not.

Control totals per currency (``CurrencyClose``), and variances (``Variance``), each with a reason code and words:

    collected_subledger_vs_gl   per department (``unallocated`` against the GL's credit held): the subledger's
                                collections less the GL's credits of the ``payment`` entries. The departments'
                                variances add up to the currency's, so the total is never listed twice.
    fees_subledger_vs_gl        convenience fees charged: the subledger's less the GL's ``payment`` credits
    journal_unbalanced          a fund whose GL lines do not net to zero (debits less credits)
    payout_not_recorded         a payout whose processor fees the GL netted from clearing, with no deposit
                                recorded for it (settlement has not recorded it): the fees journaled
    deposit_unconfirmed         deposits expected on the covered days that nobody has confirmed on the bank
                                statement: their sum
    drawer_over_short           a counter deposit whose drawer was counted over (positive) or short (negative)
                                of what it should hold, per method

A department's close keeps only what belongs to the department (its collections and the money given back from
its accounts); fees, processor fees, clearing and deposits are the agency's pooled account's, in the agency-wide
close. A variance of zero is not listed. Everything here is arithmetic on the records given: the same movements
on every side give no variance, and moving one amount on one side gives exactly that variance. The close as
frozen, and its hash: ``domain/daily_close_document.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.daily_close_gl import UNALLOCATED, GlTotals, gl_totals
from arportal.domain.journals import JournalLine

ALL = "all"  # the scope of the agency-wide close


@dataclass(frozen=True)
class Subledger:
    """One currency's daily totals counters over the covered days, as the close reads them."""

    collected: int = 0
    by_department: Mapping[str, int] = field(default_factory=dict)
    fees: int = 0
    given_back: int = 0  # refunds, voids (fee included) and reversals of these payments, whenever they happened


def subledger_of(counters: Mapping[str, int]) -> Subledger:
    departments = {
        name.split(".")[1]: amount
        for name, amount in counters.items()
        if name.startswith("dep.") and name.endswith(".amt") and amount
    }
    back = sum(counters.get(f"out.{n}", 0) for n in ("refunded", "fees_returned", "reversed"))
    return Subledger(counters.get("col.amt", 0), dict(sorted(departments.items())), counters.get("out.fees", 0), back)


@dataclass(frozen=True)
class DepositLine:
    deposit_id: str
    processor: str  # the processor's name, or "counter" for a counter deposit batch
    amount: int
    currency: str
    confirmed: bool
    terminal: str | None = None  # a counter deposit's: the drawer close-out that made it
    over_short: Mapping[str, int] = field(default_factory=dict)  # its count less what the drawer should hold


@dataclass(frozen=True)
class Variance:
    reason: str
    currency: str
    amount: int  # signed, as the reason says (see the module)
    words: str
    department: str | None = None
    refs: tuple[str, ...] = ()  # the records to look at: deposits, payouts, funds


@dataclass(frozen=True)
class CurrencyClose:
    currency: str
    collected_subledger: int
    collected_gl: int
    by_department: tuple[tuple[str, int, int], ...]  # (department, subledger, gl)
    money_back_gl: Mapping[str, int]  # refund / void / reversal on the covered days
    given_back_subledger: int  # of the covered days' collections, whenever it went back
    gl_records: int
    gl_debits: int
    gl_credits: int
    fees_subledger: int | None = None  # None in a department's close: the agency's, not a department's
    fees_gl: int | None = None
    processor_fees_gl: int | None = None
    clearing_gl: int | None = None
    deposits_expected: int | None = None
    deposits_confirmed: int | None = None
    deposits_by_processor: Mapping[str, int] | None = None
    drawers_over_short: int | None = None  # counted less expected, over the counter deposits' drawers


def close_currency(
    currency: str,
    subledger: Subledger,
    gl: GlTotals,
    deposits: Sequence[DepositLine],
    *,
    department: str | None,
) -> tuple[CurrencyClose, list[Variance]]:
    """One currency's control totals and its variances (agency-wide when ``department`` is None)."""
    if department is None:
        sub_departments = dict(subledger.by_department)
    else:
        sub_departments = {department: subledger.by_department.get(department, 0)}
    # A department's close leaves out the credit held on its accounts: the subledger holds it as unallocated.
    names = sorted(set(sub_departments) | set(gl.collected)) if department is None else [department]
    rows = tuple((d, sub_departments.get(d, 0), gl.collected.get(d, 0)) for d in names)
    variances = [
        Variance(
            "collected_subledger_vs_gl",
            currency,
            sub - led,
            f"{_who(d)}: the subledger collected {sub} and the GL credited {led} for payments on the covered days "
            f"({sub - led:+d} {currency} minor units)",
            department=d,
        )
        for d, sub, led in rows
        if sub != led
    ]
    variances += [
        Variance(
            "journal_unbalanced",
            currency,
            amount,
            f"fund {fund}: the day's journal lines do not balance (debits less credits {amount:+d})",
            refs=(fund,),
        )
        for fund, amount in sorted(gl.unbalanced.items())
    ]
    mine = [d for d in deposits if d.currency == currency]
    control = CurrencyClose(
        currency=currency,
        collected_subledger=sum(sub for _, sub, _ in rows),
        collected_gl=sum(led for _, _, led in rows),
        by_department=rows,
        money_back_gl=dict(gl.money_back),
        given_back_subledger=subledger.given_back if department is None else 0,
        gl_records=gl.records,
        gl_debits=gl.debits,
        gl_credits=gl.credits,
    )
    if department is not None:
        return control, variances
    recorded = {d.deposit_id for d in mine}
    unconfirmed = [d for d in mine if not d.confirmed]
    by_processor: dict[str, int] = {}
    for d in mine:
        by_processor[d.processor] = by_processor.get(d.processor, 0) + d.amount
    if subledger.fees != gl.fees:
        variances.append(
            Variance(
                "fees_subledger_vs_gl",
                currency,
                subledger.fees - gl.fees,
                f"convenience fees: the subledger charged {subledger.fees} and the GL credited {gl.fees} "
                f"({subledger.fees - gl.fees:+d} {currency} minor units)",
            )
        )
    variances += [
        Variance(
            "payout_not_recorded",
            currency,
            kept,
            f"payout {payout}: the GL netted {kept} of processor fees from clearing for it, and no deposit is "
            "recorded for it: settlement has not recorded this payout",
            refs=(payout,),
        )
        for payout, kept in sorted(gl.processor_fees.items())
        if payout not in recorded
    ]
    variances += [
        Variance(
            "drawer_over_short",
            currency,
            amount,
            f"the drawer of terminal {d.terminal} (deposit {d.deposit_id}) was counted {abs(amount)} {currency} "
            f"minor units {'over' if amount > 0 else 'short'} in {method}",
            refs=(d.deposit_id, d.terminal or ""),
        )
        for d in mine
        for method, amount in sorted(d.over_short.items())
        if amount
    ]
    if unconfirmed:
        total = sum(d.amount for d in unconfirmed)
        variances.append(
            Variance(
                "deposit_unconfirmed",
                currency,
                total,
                f"{len(unconfirmed)} deposit(s) of {total} {currency} minor units expected on the covered days are "
                "not confirmed on the bank statement",
                refs=tuple(sorted(d.deposit_id for d in unconfirmed)),
            )
        )
    agency = replace(
        control,
        fees_subledger=subledger.fees,
        fees_gl=gl.fees,
        processor_fees_gl=sum(gl.processor_fees.values()),
        clearing_gl=gl.clearing,
        deposits_expected=sum(d.amount for d in mine),
        deposits_confirmed=sum(d.amount for d in mine if d.confirmed),
        deposits_by_processor=dict(sorted(by_processor.items())),
        drawers_over_short=sum(sum(d.over_short.values()) for d in mine),
    )
    return agency, variances


@dataclass(frozen=True)
class DayClose:
    business_date: date
    department: str | None
    covered_from: date
    covered_to: date
    currencies: tuple[CurrencyClose, ...]
    variances: tuple[Variance, ...]
    journal_batches: tuple[tuple[str, str], ...]  # (batch id, SHA-256 of its JSON file)

    @property
    def scope(self) -> str:
        return self.department or ALL


def close_day(
    business_date: date,
    covered: tuple[date, date],
    *,
    department: str | None,
    subledger: Mapping[str, Subledger],
    lines: Sequence[JournalLine],
    chart: ChartOfAccounts,
    deposits: Sequence[DepositLine],
    batches: Sequence[tuple[str, str]],
    currencies: Iterable[str] = (),
) -> DayClose:
    """The close: per currency found on any side (and those asked for), its totals and variances."""
    found = set(currencies) | set(subledger) | {x.currency for x in lines}
    if department is None:
        found |= {d.currency for d in deposits}
    controls: list[CurrencyClose] = []
    variances: list[Variance] = []
    for currency in sorted(found):
        gl = gl_totals(lines, chart, currency, department)
        control, found_variances = close_currency(
            currency, subledger.get(currency, Subledger()), gl, deposits, department=department
        )
        controls.append(control)
        variances += found_variances
    return DayClose(
        business_date, department, covered[0], covered[1], tuple(controls), tuple(variances), tuple(batches)
    )


def _who(department: str) -> str:
    return "held as credit (unallocated)" if department == UNALLOCATED else f"department {department}"
