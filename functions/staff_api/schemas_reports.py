"""Response models of activity browsing and of the collections and exceptions reports."""

from __future__ import annotations

from datetime import date

from arportal.api.schemas import MoneyOut, Out
from arportal.domain.reports import CollectionsReport, DayCollections, Outcome, Tally
from arportal.services.reports import ExceptionsReport
from staff_api.schemas_common import StaffPaymentOut
from staff_api.schemas_customers import PendingApprovalOut


class ActivityOut(Out):
    payments: list[StaffPaymentOut]
    next_cursor: str | None


class TallyOut(Out):
    count: int
    amount: MoneyOut

    @classmethod
    def of(cls, t: Tally, currency: str) -> TallyOut:
        return cls(count=t.count, amount=MoneyOut.of(t.amount, currency))


class NamedTallyOut(TallyOut):
    name: str


def _named(tallies: dict[str, Tally], currency: str) -> list[NamedTallyOut]:
    return [
        NamedTallyOut(name=name, count=t.count, amount=MoneyOut.of(t.amount, currency)) for name, t in tallies.items()
    ]


class DayCollectionsOut(Out):
    day: date
    total: TallyOut
    by_department: list[NamedTallyOut]
    by_channel: list[NamedTallyOut]
    fees: MoneyOut
    refunded: MoneyOut
    fees_returned: MoneyOut
    fees_kept: MoneyOut
    reversed: MoneyOut
    net: MoneyOut

    @classmethod
    def of(cls, d: DayCollections, currency: str) -> DayCollectionsOut:
        return cls(
            day=d.day,
            total=TallyOut.of(d.total, currency),
            by_department=_named(d.by_department, currency),
            by_channel=_named(d.by_channel, currency),
            **_outcome(d.outcome, d.net, currency),
        )


def _outcome(o: Outcome, net: int, currency: str) -> dict[str, MoneyOut]:
    return {
        "fees": MoneyOut.of(o.fees, currency),
        "refunded": MoneyOut.of(o.refunded, currency),
        "fees_returned": MoneyOut.of(o.fees_returned, currency),
        "fees_kept": MoneyOut.of(o.fees_kept, currency),
        "reversed": MoneyOut.of(o.reversed, currency),
        "net": MoneyOut.of(net, currency),
    }


class CollectionsOut(Out):
    start: date
    end: date
    basis: str
    total: TallyOut
    by_department: list[NamedTallyOut]
    by_channel: list[NamedTallyOut]
    fees: MoneyOut
    refunded: MoneyOut
    fees_returned: MoneyOut
    fees_kept: MoneyOut
    reversed: MoneyOut
    net: MoneyOut
    days: list[DayCollectionsOut]
    complete: bool
    discrepancies: list[str]

    @classmethod
    def of(cls, r: CollectionsReport) -> CollectionsOut:
        cur = r.currency
        return cls(
            start=r.start,
            end=r.end,
            basis="every payment taken (posted, settled, refunded in part or in full, reversed, voided after "
            "posting) by UTC day taken, at its gross amount; fees charged, refunds and voids (refunded, "
            "fees_returned) and reversals against the day taken; split among departments by their allocations, "
            "unallocated = credit held",
            total=TallyOut.of(r.total, cur),
            by_department=_named(r.by_department, cur),
            by_channel=_named(r.by_channel, cur),
            **_outcome(r.outcome, r.net, cur),
            days=[DayCollectionsOut.of(d, cur) for d in r.days],
            complete=r.complete,
            discrepancies=r.discrepancies[:100],
        )


class DayExceptionsOut(Out):
    day: date
    pending: TallyOut
    failed: TallyOut
    interactions: dict[str, int]


class ExceptionsOut(Out):
    start: date
    end: date
    pending: TallyOut
    failed: TallyOut
    interactions_handled: int
    days: list[DayExceptionsOut]
    pending_payments: list[StaffPaymentOut]
    failed_payments: list[StaffPaymentOut]
    listed_all: bool
    approvals_waiting: list[PendingApprovalOut]
    complete: bool

    @classmethod
    def of(cls, r: ExceptionsReport) -> ExceptionsOut:
        cur = r.currency
        return cls(
            start=r.start,
            end=r.end,
            pending=TallyOut.of(r.pending, cur),
            failed=TallyOut.of(r.failed, cur),
            interactions_handled=r.interactions,
            days=[
                DayExceptionsOut(
                    day=d.day,
                    pending=TallyOut.of(d.pending, cur),
                    failed=TallyOut.of(d.failed, cur),
                    interactions=d.interactions,
                )
                for d in r.days
            ],
            pending_payments=[StaffPaymentOut.of(p) for p in r.pending_payments],
            failed_payments=[StaffPaymentOut.of(p) for p in r.failed_payments],
            listed_all=r.listed_all,
            approvals_waiting=[PendingApprovalOut.of(a) for a in r.approvals_waiting],
            complete=r.complete,
        )
