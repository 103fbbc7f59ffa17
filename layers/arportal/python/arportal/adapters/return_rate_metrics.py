"""The return-rate monitor's metric in CloudWatch's embedded metric format, namespace ``ArPortal``, no dimension
(the stack's alarm is on the bare metric, as ``settlement_metrics``): ``AchReturnRateWarning``, the rate in percent,
emitted each time a counted return leaves a rate at or past its warning level (80 % of the NACHA limit)."""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "ArPortal"
ACH_RETURN_RATE_WARNING = "AchReturnRateWarning"


class PowertoolsReturnRateAlerts:
    def warning(self, category: str, percent: float) -> None:
        metrics = Metrics(namespace=NAMESPACE, service="")  # "": no service dimension
        metrics.add_metric(name=ACH_RETURN_RATE_WARNING, unit=MetricUnit.Count, value=1)
        metrics.add_metadata(key="category", value=category)
        metrics.add_metadata(key="percent", value=percent)
        metrics.flush_metrics()
