"""Alarms that page someone: failed handlers, throttling, API 5xx, failed workflows (and an aborted settlement),
stuck outbox events, webhook endpoints switched off, and the counts the product emits itself (reconciliation items,
missing payouts, journals that failed to build or did not balance).

Every alarm notifies one encrypted SNS topic; the agency subscribes its on-call address (``alarmEmail`` at deploy, or
any subscription after). AWS Backup's failed jobs reach the same topic (``backup.py``).
Thresholds are "any": in a payments system one failed charge or one undelivered event is worth a look.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

PERIOD = Duration.minutes(5)
PRODUCT_NAMESPACE = "ArPortal"  # what the code emits itself (EMF), with no dimension


def product_metric(name: str) -> cloudwatch.Metric:
    """A count the product emits (``ArPortal``/``name``, no dimension), summed over the alarms' period."""
    return cloudwatch.Metric(namespace=PRODUCT_NAMESPACE, metric_name=name, statistic="Sum", period=PERIOD)


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        functions: dict[str, lambda_.IFunction],
        api: apigw.RestApi,
        machines: dict[str, sfn.IStateMachine],
        dead_letter_queues: dict[str, sqs.IQueue],
        metrics: dict[str, cloudwatch.IMetric] | None = None,
        aborts_alarmed: tuple[str, ...] = (),
        alarm_email: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name="Receivables Portal alarms", master_key=key, enforce_ssl=True
        )
        if alarm_email:  # AWS emails the address a confirmation link first; nothing arrives until it is clicked
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.dead_letter_queues = dead_letter_queues
        self._action = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []

        for name, fn in functions.items():
            self._alarm(f"{name} errors", fn.metric_errors(period=PERIOD))
            self._alarm(f"{name} throttles", fn.metric_throttles(period=PERIOD))
        self._alarm("API 5xx", api.metric_server_error(period=PERIOD))
        for name, machine in machines.items():
            self._alarm(f"{name} failed", machine.metric_failed(period=PERIOD))
            self._alarm(f"{name} timed out", machine.metric_timed_out(period=PERIOD))
            if name in aborts_alarmed:  # stopped by hand, its run did not finish either: the day is not done
                self._alarm(f"{name} aborted", machine.metric_aborted(period=PERIOD))
        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"{name} has messages",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            )
        # Counts the product emits itself (EMF), each alarmed at its first occurrence in a period.
        for name, metric in (metrics or {}).items():
            self._alarm(name, metric)

    def _alarm(self, description: str, metric: cloudwatch.IMetric) -> cloudwatch.Alarm:
        construct_id = "".join(word.capitalize() for word in description.replace("_", " ").split())
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=f"Receivables Portal: {description}",
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)
        return alarm
