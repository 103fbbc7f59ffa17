"""Applying bank lines and the unmatched queue (``services/bank_application.py``, ``services/bank_lines.py``,
``services/return_rates.py``): built once per container from the settings. The import's ``apply`` step is
``apply_line``: a MATCHED line applied now, answered as JSON for the line's record."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from arportal import clock
from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.bank_line_decisions import DynamoBankLineDecisions
    from arportal.adapters.dynamodb.payer_aliases import DynamoPayerAliases
    from arportal.adapters.dynamodb.return_counts import DynamoReturnCounts
    from arportal.domain.bank_accounts import BankAccount
    from arportal.domain.bank_matches import LineMatch
    from arportal.domain.bank_statements import BankLine
    from arportal.domain.nacha_returns import ReturnRates
    from arportal.services.bank_application import BankApplication
    from arportal.services.bank_lines import BankLineServices


@built_once
def return_counts() -> DynamoReturnCounts:
    from arportal.adapters.dynamodb.return_counts import DynamoReturnCounts

    return DynamoReturnCounts(settings().ledger_table)


@built_once
def payer_aliases() -> DynamoPayerAliases:
    from arportal.adapters.dynamodb.payer_aliases import DynamoPayerAliases

    return DynamoPayerAliases(settings().ledger_table)


@built_once
def bank_line_queue() -> DynamoBankLineDecisions:
    from arportal.adapters.dynamodb.bank_line_decisions import DynamoBankLineDecisions

    s = settings()
    return DynamoBankLineDecisions(s.ledger_table, s.audit_table)


@built_once
def application() -> BankApplication:
    from arportal.adapters.dynamodb.status_changes import DynamoStatusChanges
    from arportal.adapters.return_rate_metrics import PowertoolsReturnRateAlerts
    from arportal.services.bank_application import BankApplication
    from arportal.wiring import payments, staff
    from arportal.wiring.daily_totals import daily_totals
    from arportal.wiring.finance_settlement import finance_store

    s = settings()
    wired = payments(chained_audit=True)
    return BankApplication(
        finance=finance_store(),
        ledger=wired.ledger,
        payments=wired.config,
        statuses=DynamoStatusChanges(s.ledger_table, s.audit_table),
        payment_reads=staff.queries(),
        receipts=wired.receipts,
        returns=return_counts(),
        totals=daily_totals(),
        alerts=PowertoolsReturnRateAlerts(),
    )


def line_services() -> BankLineServices:
    from arportal.services.bank_lines import BankLineServices

    return BankLineServices(bank_line_queue(), payer_aliases(), application(), settings().bank_accounts)


def return_rates_on(today: date) -> ReturnRates:
    from arportal.services.return_rates import current_rates
    from arportal.wiring.daily_totals import daily_totals

    return current_rates(return_counts(), daily_totals(), currency=settings().currency, today=today)


def apply_line(decided: LineMatch, line: BankLine, *, file_id: str, account: BankAccount) -> dict[str, Any]:
    """The import's apply step (``ports.bank_files.ApplyLine``)."""
    from arportal.services.bank_application import apply

    applied = apply(decided, line, file_id=file_id, account=account, now=clock.now(), services=application())
    return applied.as_record()
