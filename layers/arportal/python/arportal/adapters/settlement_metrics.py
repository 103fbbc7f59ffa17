"""Settlement's metric in CloudWatch's embedded metric format: ``ArPortal``/``ReconciliationItemsOpened``, with no
dimension, so the stack's alarm on the bare metric sees it (the same reasons as ``webhook_metrics``)."""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "ArPortal"
RECONCILIATION_ITEMS_OPENED = "ReconciliationItemsOpened"


class PowertoolsSettlementMetrics:
    def reconciliation_items_opened(self, count: int) -> None:
        if count <= 0:
            return
        metrics = Metrics(namespace=NAMESPACE, service="")  # "": no service dimension
        metrics.add_metric(name=RECONCILIATION_ITEMS_OPENED, unit=MetricUnit.Count, value=count)
        metrics.flush_metrics()
