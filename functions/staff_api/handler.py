"""Staff console API: ``/v1/staff/*``. Every route names the permission it needs.

Routes live in ``routes/``, one module per concern, each a Powertools ``Router`` included here.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.api.app import build_resolver
from staff_api.routes import (
    activity,
    approvals,
    audit,
    balances,
    credit,
    customers,
    duplicates,
    finance_bank_files,
    finance_bank_lines,
    finance_close,
    finance_drawers,
    finance_journals,
    finance_settlement,
    imports,
    integration_clients,
    interactions,
    payment_trail,
    payments_read,
    payments_write,
    receipts,
    reports,
    representments,
    search,
    staff_actions,
)

logger = Logger()
app = build_resolver()
for module in (search, audit, customers, balances, interactions, payments_read, activity, reports):
    app.include_router(module.router)
for module in (payments_write, staff_actions, approvals, receipts, duplicates, credit, integration_clients, imports):
    app.include_router(module.router)
app.include_router(finance_journals.router)
app.include_router(finance_close.router)
app.include_router(finance_settlement.router)
app.include_router(finance_drawers.router)
app.include_router(finance_bank_lines.router)
app.include_router(finance_bank_files.router)
app.include_router(payment_trail.router)
app.include_router(representments.router)


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event holds bodies, headers and tokens
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
