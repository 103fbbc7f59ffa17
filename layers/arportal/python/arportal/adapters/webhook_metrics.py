"""Webhook metrics in CloudWatch's embedded metric format, through Powertools: the ``WebhookMetrics`` port.

``WebhookEndpointsDisabled`` (namespace ``ArPortal``, Count) is written with no dimension at all, so the stack's
alarm on the bare metric (``infrastructure/constructs/webhooks.py``) sees it: Powertools would otherwise add the
``service`` dimension, and a metric with a dimension is another metric to CloudWatch. Each one is flushed at once
(a line on stdout, which Lambda sends to CloudWatch Logs), so no handler decorator is needed for it to reach
CloudWatch, whichever function switched the endpoint off.
"""

from __future__ import annotations

import threading

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from arportal.domain.webhooks import Endpoint

NAMESPACE = "ArPortal"
ENDPOINTS_DISABLED = "WebhookEndpointsDisabled"


class PowertoolsWebhookMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # Powertools keeps one metric set per process; attempts run on threads

    def endpoint_disabled(self, endpoint: Endpoint) -> None:
        with self._lock:
            metrics = Metrics(namespace=NAMESPACE, service="")  # "": no service dimension
            metrics.add_metric(name=ENDPOINTS_DISABLED, unit=MetricUnit.Count, value=1)
            metrics.flush_metrics()
