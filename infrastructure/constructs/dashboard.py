"""The stage's CloudWatch dashboard (``ArPortal-<agency>-<stage>``): what an operator looks at first.

Every tile reads a metric that exists: AWS's own (API Gateway, Lambda, SQS, Step Functions, EventBridge) or one the
code emits in the ``ArPortal`` namespace with no dimension (``arportal/adapters/*_metrics.py``,
``functions/scheduled_jobs``), named here by the adapters' own constants. The payment success rate reads the
payments' first outcomes, which the aggregate builder counts as it folds the outbox (``PaymentsAccepted``,
``PaymentsFailed``: ``arportal/adapters/payment_metrics.py``).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from arportal.adapters import payment_metrics, return_rate_metrics, settlement_metrics, webhook_metrics
from infrastructure.constructs.observability import product_metric
from infrastructure.deployment_config import DeploymentConfig

PERIOD = Duration.minutes(5)
WIDTH = 24  # the dashboard's grid


class Dashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        api: apigw.RestApi,
        api_functions: dict[str, lambda_.IFunction],
        machines: dict[str, sfn.IStateMachine],
        dead_letter_queues: dict[str, sqs.IQueue],
        webhook_queue: sqs.IQueue,
        webhook_dispatcher: lambda_.IFunction,
        webhook_dead_letters: dict[str, sqs.IQueue],
        alarms: list[cloudwatch.Alarm],
    ) -> None:
        super().__init__(scope, construct_id)
        header = cloudwatch.TextWidget(
            markdown=f"# Receivables Portal: {config.agency_name} ({config.stage})\n"
            "Runbooks in `docs/runbooks/`: a failed settlement, dead letters, a processor outage, rotating the "
            "processor secret, restoring a table.",
            width=WIDTH,
            height=2,
        )
        api_widgets = self._api(api, api_functions)
        rows: list[list[cloudwatch.IWidget]] = [
            [header],
            [self._payments()],
            *(api_widgets[i : i + 2] for i in range(0, len(api_widgets), 2)),  # half-width tiles, two a row
            [self._dead_letters(dead_letter_queues)],
            [self._workflows(machines)],
            [self._webhooks(webhook_queue, webhook_dispatcher, webhook_dead_letters)],
            [self._settlement(machines["settlement"])],
            [self._return_rate()],
            [cloudwatch.AlarmStatusWidget(title="Alarms", alarms=alarms, width=WIDTH, height=6)],
        ]
        self.widgets = [widget for row in rows for widget in row]
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"ArPortal-{config.agency}-{config.stage}",
            default_interval=Duration.days(1),
            widgets=rows,
        )

    def _payments(self) -> cloudwatch.GraphWidget:
        accepted = product_metric(payment_metrics.PAYMENTS_ACCEPTED).with_(label="accepted (posted or pending)")
        failed = product_metric(payment_metrics.PAYMENTS_FAILED).with_(label="declined or given up")
        rate = cloudwatch.MathExpression(
            expression="100 * FILL(accepted, 0) / (FILL(accepted, 0) + FILL(failed, 0))",
            using_metrics={"accepted": accepted, "failed": failed},
            label="success rate (%)",
            period=PERIOD,
        )
        return cloudwatch.GraphWidget(
            title="Payment success rate",
            left=[rate],
            left_y_axis=cloudwatch.YAxisProps(min=0, max=100, label="%", show_units=False),
            right=[accepted, failed],
            width=WIDTH,
        )

    def _api(self, api: apigw.RestApi, functions: dict[str, lambda_.IFunction]) -> list[cloudwatch.IWidget]:
        deployed = api.deployment_stage  # ApiName and Stage: this stage's requests only
        stage = [
            cloudwatch.GraphWidget(
                title="API latency (all routes)",
                left=[deployed.metric_latency(statistic=p, period=PERIOD, label=p) for p in ("p50", "p99")],
                width=WIDTH // 2,
            ),
            cloudwatch.GraphWidget(
                title="API 4xx and 5xx",
                left=[
                    deployed.metric_client_error(period=PERIOD, label="4xx"),
                    deployed.metric_server_error(period=PERIOD, label="5xx"),
                ],
                width=WIDTH // 2,
            ),
        ]
        per_api = [
            cloudwatch.GraphWidget(
                title=f"{name} duration",
                left=[fn.metric_duration(statistic=p, period=PERIOD, label=p) for p in ("p50", "p99")],
                right=[fn.metric_errors(period=PERIOD, label="errors")],
                width=WIDTH // 2,
            )
            for name, fn in functions.items()
        ]
        return [*stage, *per_api]

    def _dead_letters(self, queues: dict[str, sqs.IQueue]) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title="Dead-letter queues (messages waiting)",
            left=[
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum", label=name)
                for name, queue in queues.items()
            ],
            width=WIDTH,
        )

    def _workflows(self, machines: dict[str, sfn.IStateMachine]) -> cloudwatch.GraphWidget:
        lines = []
        for name, machine in machines.items():
            lines += [
                machine.metric_failed(period=PERIOD, label=f"{name} failed"),
                machine.metric_timed_out(period=PERIOD, label=f"{name} timed out"),
                machine.metric_aborted(period=PERIOD, label=f"{name} aborted"),
            ]
        return cloudwatch.GraphWidget(title="Workflow failures", left=lines, width=WIDTH)

    def _webhooks(
        self, queue: sqs.IQueue, dispatcher: lambda_.IFunction, dead_letters: dict[str, sqs.IQueue]
    ) -> cloudwatch.GraphWidget:
        disabled = product_metric(webhook_metrics.ENDPOINTS_DISABLED).with_(label="endpoints switched off")
        return cloudwatch.GraphWidget(
            title="Webhook failures",
            left=[
                disabled,
                dispatcher.metric_errors(period=PERIOD, label="dispatcher errors"),
                *(
                    q.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum", label=name)
                    for name, q in dead_letters.items()
                ),
            ],
            right=[queue.metric_approximate_age_of_oldest_message(period=PERIOD, label="oldest queued event (s)")],
            width=WIDTH,
        )

    def _settlement(self, machine: sfn.IStateMachine) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title="Settlement",
            left=[
                machine.metric_succeeded(period=PERIOD, label="runs succeeded"),
                machine.metric_failed(period=PERIOD, label="runs failed"),
                machine.metric_aborted(period=PERIOD, label="runs aborted"),
            ],
            right=[
                product_metric(settlement_metrics.RECONCILIATION_ITEMS_OPENED).with_(label="reconciliation items"),
                product_metric(settlement_metrics.MISSING_PAYOUTS).with_(label="missing payouts"),
            ],
            width=WIDTH,
        )

    def _return_rate(self) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title="ACH return rate at or past 80 % of its NACHA limit",
            left=[product_metric(return_rate_metrics.ACH_RETURN_RATE_WARNING).with_(label="warnings")],
            width=WIDTH,
        )
