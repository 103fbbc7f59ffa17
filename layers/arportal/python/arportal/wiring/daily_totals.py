"""What the aggregate builder and the reports that read daily totals use: the daily totals in the ledger table,
and the reading of the ledger stream's outbox images as event details."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.daily_totals import DynamoDailyTotals
    from arportal.adapters.dynamodb.metrics_sources import DynamoMetricsSources
    from arportal.adapters.dynamodb.reports import DynamoActivity
    from arportal.adapters.payment_metrics import PowertoolsPaymentMetrics


@built_once
def daily_totals() -> DynamoDailyTotals:
    from arportal.adapters.dynamodb.daily_totals import DynamoDailyTotals

    return DynamoDailyTotals(settings().ledger_table)


@built_once
def metrics_sources() -> DynamoMetricsSources:
    """The GL journals' batches and the deposits, as the metrics read them."""
    from arportal.adapters.dynamodb.metrics_sources import DynamoMetricsSources
    from arportal.wiring import journals

    return DynamoMetricsSources(settings().ledger_table, journals.journal_files(), journals.agency_code())


@built_once
def activity() -> DynamoActivity:
    """The activity index, which a rebuild walks day by day."""
    from arportal.adapters.dynamodb.reports import DynamoActivity

    return DynamoActivity(settings().ledger_table)


def outbox_detail(image: dict[str, Any]) -> dict[str, Any] | None:
    """An outbox item's stream image (DynamoDB's typed JSON) as its event's detail; None for any other item."""
    if not image.get("PK", {}).get("S", "").startswith("OUTBOX#"):
        return None
    detail: dict[str, Any] = json.loads(image.get("detail", {}).get("S", "{}"))
    return detail


@built_once
def payment_metrics() -> PowertoolsPaymentMetrics:
    """Payments' first outcomes, for the dashboard's success rate (``ArPortal``/``PaymentsAccepted``, ``...Failed``)."""
    from arportal.adapters.payment_metrics import PowertoolsPaymentMetrics

    return PowertoolsPaymentMetrics()


def outbox_type(image: dict[str, Any]) -> str:
    """An outbox item's stream image's event type (``payment.posted``...)."""
    return str(image.get("detail_type", {}).get("S", ""))
