"""The finance console's settlement stores (``functions/staff_api/routes/finance_settlement.py``): payouts,
deposits and reconciliation items, built once per container from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.finance_store import DynamoFinanceStore


@built_once
def finance_store() -> DynamoFinanceStore:
    from arportal.adapters.dynamodb.finance_store import DynamoFinanceStore

    s = settings()
    return DynamoFinanceStore(s.ledger_table, s.audit_table)
