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
    from arportal.services.drawer_close import DrawerServices

    s = settings()
    # The deployment's settings name no bank account yet: the slip shows the agency as the account holder.
    return DrawerServices(
        store=DynamoDrawerStore(s.ledger_table, s.audit_table),
        files=stores.document_files(),
        renderer=PdfDepositSlipRenderer(),
        agency_name=s.agency_name,
        agency_currency=s.currency,
        bank_account=None,
        metrics=PowertoolsSettlementMetrics(),
    )
