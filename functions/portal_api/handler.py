"""Customer portal API: ``/v1/portal/*``. Every route acts only on the caller's own customer record.

Routes live in ``routes/``, one module per concern, each a Powertools ``Router`` included here.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.api.app import build_resolver
from portal_api.routes import (
    accounts,
    autopay,
    credit,
    dashboard,
    documents,
    invoices,
    methods,
    pay,
    payment_instructions,
    payments,
    profile,
    schedules,
    statements,
    support,
)

logger = Logger()
app = build_resolver()
for module in (
    dashboard,
    profile,
    invoices,
    payments,
    statements,
    documents,
    schedules,
    support,
    pay,
    payment_instructions,
    methods,
    autopay,
    accounts,
    credit,
):
    app.include_router(module.router)


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event holds bodies, headers and tokens
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
