"""Payments' first outcomes in CloudWatch's embedded metric format, namespace ``ArPortal``, with no dimension (the
dashboard's payment success rate, ``infrastructure/constructs/dashboard.py``):

- ``PaymentsAccepted``: payments whose first outcome was posted or pending (an ACH debit accepted for clearing);
- ``PaymentsFailed``: payments whose first outcome was a decline (or a scheduled charge given up).

Counted by the aggregate builder as it folds the outbox (``domain/payment_outcomes.py`` says which events count),
so each payment counts once however many status changes follow. A stream batch retried after a failure can count
its earlier records again: a dashboard's rate, not a ledger figure (the leadership metrics read the daily totals).
"""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "ArPortal"
PAYMENTS_ACCEPTED = "PaymentsAccepted"
PAYMENTS_FAILED = "PaymentsFailed"


class PowertoolsPaymentMetrics:
    def outcomes(self, *, accepted: int, failed: int) -> None:
        if accepted <= 0 and failed <= 0:
            return
        metrics = Metrics(namespace=NAMESPACE, service="")  # "": no service dimension
        for name, count in ((PAYMENTS_ACCEPTED, accepted), (PAYMENTS_FAILED, failed)):
            if count > 0:
                metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)
        metrics.flush_metrics()
