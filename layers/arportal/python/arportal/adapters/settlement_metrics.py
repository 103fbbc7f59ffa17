"""Settlement's metrics in CloudWatch's embedded metric format, namespace ``ArPortal``, with no dimension, so the
stack's alarms on the bare metrics see them (the same reasons as ``webhook_metrics``):

- ``ReconciliationItemsOpened``: every reconciliation item opened (unknown transactions, amount mismatches,
  missing payouts);
- ``MissingPayouts``: the ``missing_from_processor`` items among them, payments past their payout deadline, which
  have an alarm of their own because each one may be money the processor never paid.
"""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "ArPortal"
RECONCILIATION_ITEMS_OPENED = "ReconciliationItemsOpened"
MISSING_PAYOUTS = "MissingPayouts"


class PowertoolsSettlementMetrics:
    def reconciliation_items_opened(self, count: int) -> None:
        _count(RECONCILIATION_ITEMS_OPENED, count)

    def missing_payouts(self, count: int) -> None:
        _count(MISSING_PAYOUTS, count)


def _count(name: str, count: int) -> None:
    if count <= 0:
        return
    metrics = Metrics(namespace=NAMESPACE, service="")  # "": no service dimension
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)
    metrics.flush_metrics()
