"""The drawer close-out (``functions/staff_api/routes/finance_drawers.py``): the drawer store, the documents
bucket the slips go to and the slip renderer, built once per container from the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once, stores

if TYPE_CHECKING:
    from arportal.services.drawer_close import DrawerServices


@built_once
def drawer_services() -> DrawerServices:
    from arportal.adapters.dynamodb.drawer_store import DynamoDrawerStore
    from arportal.adapters.pdf.deposit_slip import PdfDepositSlipRenderer
    from arportal.adapters.settlement_metrics import PowertoolsSettlementMetrics
    from arportal.domain.bank_accounts import Receives
    from arportal.services.drawer_close import DrawerServices

    s = settings()
    # The slip names the account the agency pays counter takings into (bankAccounts: receives counter_deposits).
    counter = next((a for a in s.bank_accounts if Receives.COUNTER_DEPOSITS in a.receives), None)
    account = (
        f"{counter.name}, {counter.bank_name}: {counter.account_number} (routing {counter.routing_number})"
        if counter
        else None
    )
    return DrawerServices(
        store=DynamoDrawerStore(s.ledger_table, s.audit_table),
        files=stores.document_files(),
        renderer=PdfDepositSlipRenderer(s.agency_time),
        agency_name=s.agency_name,
        agency_currency=s.currency,
        bank_account=account,
        metrics=PowertoolsSettlementMetrics(),
    )
