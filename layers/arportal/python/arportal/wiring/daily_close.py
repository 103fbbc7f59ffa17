"""What the daily close uses (the staff finance close routes and the scheduled ``close`` job): its store, and the
journals, daily totals and deposits it reads, with the deployment's chart of accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.close_store import DynamoDailyCloses
    from arportal.adapters.dynamodb.drawer_store import DynamoDrawerStore
    from arportal.domain.chart_of_accounts import ChartOfAccounts
    from arportal.services.daily_close import CloseBooks


@built_once
def close_store() -> DynamoDailyCloses:
    from arportal.adapters.dynamodb.close_store import DynamoDailyCloses

    s = settings()
    return DynamoDailyCloses(s.ledger_table, s.audit_table)


@built_once
def drawer_closeouts() -> DynamoDrawerStore:
    """Read only here: a counter deposit's drawer close-out, for its over/short."""
    from arportal.adapters.dynamodb.drawer_store import DynamoDrawerStore

    s = settings()
    return DynamoDrawerStore(s.ledger_table, s.audit_table)


def books() -> CloseBooks:
    from arportal.services.daily_close import CloseBooks
    from arportal.wiring import daily_totals, finance_settlement, journals

    return CloseBooks(
        close_store(),
        journals.books(),
        journals.sources(),
        daily_totals.daily_totals(),
        finance_settlement.finance_store(),
        settings().currency,
        drawer_closeouts(),
    )


def chart() -> ChartOfAccounts:
    from arportal.wiring import journals

    return journals.chart()
