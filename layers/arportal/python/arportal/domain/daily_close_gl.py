"""The GL side of the daily close (``domain/daily_close.py``): a currency's totals from the day's journal lines,
each line classified by its account in the chart of accounts (never by its memo)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.journals import JournalLine, imbalances

UNALLOCATED = "unallocated"  # the daily totals' name for what no invoice took: held as credit
MONEY_BACK_KINDS = ("refund", "void", "reversal")


@dataclass(frozen=True)
class GlTotals:
    """One currency's GL, from the day's journal lines."""

    records: int = 0
    debits: int = 0
    credits: int = 0
    collected: Mapping[str, int] = field(default_factory=dict)  # per department, UNALLOCATED the credit held
    fees: int = 0  # convenience fees credited by payments
    money_back: Mapping[str, int] = field(default_factory=dict)  # refund / void / reversal: what went back out
    processor_fees: Mapping[str, int] = field(default_factory=dict)  # per payout: what it kept
    clearing: int = 0  # debits less credits of the clearing accounts: money still to be deposited
    unbalanced: Mapping[str, int] = field(default_factory=dict)  # fund -> debits less credits, where not zero


@dataclass(frozen=True)
class _Accounts:
    clearing: frozenset[tuple[str, str]]
    fees: frozenset[tuple[str, str]]
    processor_fees: tuple[str, str]
    credit_held: str
    own: frozenset[str]  # a department's accounts that are not revenue (receivable, contra-revenue, bad debt)


def _accounts(chart: ChartOfAccounts) -> _Accounts:
    c = chart.contra_revenue
    return _Accounts(
        frozenset((chart.clearing.fund, a) for a in chart.clearing.accounts.values()),
        frozenset((f.fund, f.account) for f in chart.convenience_fees.values()),
        (chart.clearing.fund, chart.processor_fees),
        chart.credit_held,
        frozenset({chart.receivable, c.refunds, c.reversals, c.adjustments, chart.bad_debt}),
    )


def gl_totals(lines: Iterable[JournalLine], chart: ChartOfAccounts, currency: str, department: str | None) -> GlTotals:
    """The GL of ``currency`` (of ``department``'s lines only when given), each line classified by its account:
    a department's line is revenue unless it is the credit held or one of the department's own other accounts."""
    accounts = _accounts(chart)
    mine = [x for x in lines if x.currency == currency and (department is None or x.department == department)]
    collected: dict[str, int] = {}
    back: dict[str, int] = {}
    payouts: dict[str, int] = {}
    fees = clearing = 0
    for x in mine:
        net_credit = x.credit - x.debit
        at = (x.fund, x.account)
        if x.kind == "payment" and x.department is not None and x.account not in accounts.own:
            key = UNALLOCATED if x.account == accounts.credit_held else x.department
            collected[key] = collected.get(key, 0) + net_credit
        if x.kind == "payment" and at in accounts.fees:
            fees += net_credit
        if x.kind in MONEY_BACK_KINDS and (x.department is not None or at in accounts.fees):
            back[x.kind] = back.get(x.kind, 0) - net_credit
        if at in accounts.clearing:
            clearing -= net_credit
        if x.kind == "processor_fee" and at == accounts.processor_fees:
            payout = x.source.payout_id or ""
            payouts[payout] = payouts.get(payout, 0) - net_credit
    return GlTotals(
        records=len(mine),
        debits=sum(x.debit for x in mine),
        credits=sum(x.credit for x in mine),
        collected=_nonzero(collected),
        fees=fees,
        money_back=_nonzero(back),
        processor_fees=_nonzero(payouts),
        clearing=clearing,
        unbalanced={} if department else {fund: v for (_, fund), v in imbalances(mine).items()},
    )


def _nonzero(values: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(values.items()) if v}
