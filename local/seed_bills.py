"""What each department bills, and when: the invoice lines of the demo agency.

Property tax in two instalments a year, water and sewer every two months by usage, permit fees with plan review
and inspections, parking citations with a late penalty once they are 30 days past due. And what customers have
ordered and not yet been billed for (the portal's sales orders): meter upgrades and backflow tests, re-inspections,
residential parking permits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from arportal.domain.models import InvoiceLine, LineKind


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    prefix: str  # account numbers PT-1BB001... and bills PT2504-BB0001... in the seed's block BB (seed_data)
    first_account: int
    account_description: str


DEPARTMENTS: tuple[Department, ...] = (
    Department("property_tax", "Property Tax", "PT", 100_001, "Real property tax"),
    Department("utilities", "Water & Sewer Utilities", "UT", 200_001, "Water and sewer service"),
    Department("permits", "Permits & Inspections", "PM", 300_001, "Building and trade permits"),
    Department("parking", "Parking Services", "PK", 400_001, "Parking citations"),
)
BY_CODE = {d.code: d for d in DEPARTMENTS}
LATE_PENALTY = 2_500


@dataclass(frozen=True)
class Bill:
    issue: date
    due: date
    lines: tuple[InvoiceLine, ...]
    period_start: date | None = None
    period_end: date | None = None


def line(
    description: str, fee_code: str, unit: int, *, quantity: int = 1, kind: LineKind = LineKind.PRINCIPAL
) -> InvoiceLine:
    return InvoiceLine(
        description=description,
        fee_code=fee_code,
        kind=kind,
        quantity=quantity,
        unit_amount=unit,
        amount=unit * quantity,
    )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def bills(
    department: str, rng: random.Random, *, start: date, today: date, business: bool, utility_offset_days: int
) -> list[Bill]:
    """The bills of one account issued between ``start`` and ``today``, oldest first."""
    if department == "utilities":
        return _utilities(rng, start=start, today=today, business=business, offset=utility_offset_days)
    if department == "property_tax":
        return _property_tax(rng, start=start, today=today, business=business)
    if department == "permits":
        return _random_dates(rng, start, today, rng.randint(1, 3), _permit)
    return _random_dates(rng, start, today, rng.randint(1, 3), _citation)


def _utilities(rng: random.Random, *, start: date, today: date, business: bool, offset: int) -> list[Bill]:
    found = []
    issue = today - timedelta(days=offset)
    while issue >= start:
        period_end = issue - timedelta(days=3)
        period_start = _add_months(period_end, -2)
        usage = rng.randint(4, 22) * (rng.randint(2, 5) if business else 1)
        lines = (
            line("Water service charge (two months)", "WATER_BASE", 1_850, kind=LineKind.FEE),
            line("Water usage (hundred cubic feet)", "WATER_USAGE", 412, quantity=usage),
            line("Sewer usage (hundred cubic feet)", "SEWER_USAGE", 389, quantity=usage),
        )
        found.append(Bill(issue, issue + timedelta(days=21), lines, period_start, period_end))
        issue -= timedelta(days=61)
    return found[::-1]


def _property_tax(rng: random.Random, *, start: date, today: date, business: bool) -> list[Bill]:
    assessed = rng.randint(90, 450) * 1_000 * (3 if business else 1)
    annual = assessed * 21 // 10  # 2.1% of assessed value, in cents: assessed dollars x 2.1
    found = []
    for year in range(start.year, today.year + 1):
        for number, (month, day) in enumerate(((6, 15), (9, 15)), start=1):
            due = date(year, month, day)
            issue = due - timedelta(days=45)
            if start <= issue <= today:
                amount = annual // 2 + (annual % 2 if number == 2 else 0)
                lines = (line(f"{year} property tax, instalment {number} of 2", f"PT_INSTALMENT_{number}", amount),)
                found.append(Bill(issue, due, lines, date(year, 1, 1), date(year, 12, 31)))
    return found


def _random_dates(rng: random.Random, start: date, today: date, count: int, make: object) -> list[Bill]:
    span = (today - start).days
    days = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))
    return [make(rng, day) for day in days]  # type: ignore[operator]


def _permit(rng: random.Random, issue: date) -> Bill:
    kind, fee_code, base = rng.choice(
        (
            ("Residential building permit", "PERMIT_BUILDING", rng.randint(150, 900) * 100),
            ("Electrical permit", "PERMIT_ELECTRICAL", rng.randint(75, 300) * 100),
            ("Sign permit", "PERMIT_SIGN", 12_500),
            ("Commercial remodel permit", "PERMIT_BUILDING", rng.randint(800, 2_500) * 100),
        )
    )
    lines = (
        line(kind, fee_code, base),
        line("Plan review", "PLAN_REVIEW", 7_500, kind=LineKind.FEE),
        line("Inspection", "INSPECTION", 9_500, quantity=rng.randint(1, 3), kind=LineKind.FEE),
    )
    return Bill(issue, issue + timedelta(days=30), lines)


def _citation(rng: random.Random, issue: date) -> Bill:
    description, amount = rng.choice(
        (("Expired meter", 3_500), ("No parking zone", 4_500), ("Street cleaning", 6_500), ("Fire hydrant", 9_500))
    )
    return Bill(issue, issue + timedelta(days=21), (line(f"Parking citation: {description}", "PK_CITATION", amount),))


def demo_citations(rng: random.Random, today: date) -> list[Bill]:
    """The demo customer's citations: one paid long ago, one overdue now."""
    return [_citation(rng, today - timedelta(days=200)), _citation(rng, today - timedelta(days=45))]


def with_late_penalty(bill: Bill) -> Bill:
    penalty = line("Late payment penalty", "PK_LATE_PENALTY", LATE_PENALTY, kind=LineKind.PENALTY)
    return Bill(bill.issue, bill.due, (*bill.lines, penalty), bill.period_start, bill.period_end)


@dataclass(frozen=True)
class Order:
    day: date
    lines: tuple[InvoiceLine, ...]


_ORDER_CHANCE = {"utilities": 0.12, "permits": 0.3, "parking": 0.15}


def orders(department: str, rng: random.Random, *, today: date, demo: bool) -> list[Order]:
    """An account's open sales orders, placed in the last two months: the demo customer has two (a water meter
    upgrade and a residential parking permit), other accounts now and then one."""
    if demo:
        if department == "utilities":
            return [_meter_upgrade(today - timedelta(days=12))]
        if department == "parking":
            return [_parking_permit(today - timedelta(days=30))]
        return []
    if rng.random() >= _ORDER_CHANCE.get(department, 0.0):
        return []
    day = today - timedelta(days=rng.randint(1, 60))
    if department == "utilities":
        return [_meter_upgrade(day) if rng.random() < 0.5 else _backflow_test(day)]
    if department == "permits":
        return [Order(day, (line("Re-inspection", "REINSPECTION", 9_500, kind=LineKind.FEE),))]
    return [_parking_permit(day)]


def _meter_upgrade(day: date) -> Order:
    return Order(
        day,
        (
            line("Smart water meter upgrade", "METER_UPGRADE", 14_500),
            line("Meter installation", "METER_INSTALL", 6_000, kind=LineKind.FEE),
        ),
    )


def _backflow_test(day: date) -> Order:
    return Order(day, (line("Annual backflow preventer test", "BACKFLOW_TEST", 7_500, kind=LineKind.FEE),))


def _parking_permit(day: date) -> Order:
    return Order(day, (line("Residential parking permit (12 months)", "PK_RES_PERMIT", 6_000),))
