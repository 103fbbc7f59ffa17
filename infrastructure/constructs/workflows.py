"""The Standard state machines of ``catalog.STATE_MACHINES``, loaded from their ASL files.

CDK cannot see which services an ASL file calls, so each machine's role is granted what its definition's Task
states call, as ``infrastructure/permissions.py`` declares it per machine (and a test reads the ASL files to check):
invoke the workflow task function (also with a task token) and put events on the bus. No machine touches a table
itself. The import and settlement machines' own needs, their S3 listing and their Distributed Maps' child
executions, are granted by ``Imports``. A failed execution of any machine is alarmed by
``Observability`` (settlement's aborted ones too); settlement's reconciliation items opened, and the missing payouts
among them, by the metrics below.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infrastructure import catalog, permissions
from infrastructure.constructs.logs import encrypted_log_group, is_protected
from infrastructure.deployment_config import DeploymentConfig

# Processors publish the previous day's payouts overnight (US time); settle after they are in. Every day: the
# machine's first task ends it at once on a day that is not a banking day.
SETTLEMENT_SCHEDULE = events.Schedule.cron(minute="0", hour="11")
# What settlement emits (EMF, no dimension: arportal/adapters/settlement_metrics.py) for each reconciliation item it
# opens: unknown transactions and amount mismatches while matching, missing_from_processor when it finishes.
RECONCILIATION_METRIC_NAMESPACE = "ArPortal"
RECONCILIATION_METRIC_NAME = "ReconciliationItemsOpened"
# The missing_from_processor items among them (payments past their payout deadline), alarmed on their own.
MISSING_PAYOUTS_METRIC_NAME = "MissingPayouts"


def reconciliation_items_opened_metric() -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=RECONCILIATION_METRIC_NAMESPACE,
        metric_name=RECONCILIATION_METRIC_NAME,
        statistic="Sum",
        period=Duration.minutes(5),
    )


def missing_payouts_metric() -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=RECONCILIATION_METRIC_NAMESPACE,
        metric_name=MISSING_PAYOUTS_METRIC_NAME,
        statistic="Sum",
        period=Duration.minutes(5),
    )


class Workflows(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        workflow_tasks: lambda_.IFunction,
        ledger: dynamodb.ITable,
        bus: events.IEventBus,
        import_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        substitutions = catalog.substitutions(
            workflow_tasks_arn=workflow_tasks.function_arn,
            ledger_table=ledger.table_name,
            event_bus=bus.event_bus_name,
            import_bucket=import_bucket.bucket_name,
        )
        self.machines: dict[str, sfn.StateMachine] = {}
        for spec in catalog.STATE_MACHINES:
            pascal = "".join(part.capitalize() for part in spec.name.split("_"))
            machine = sfn.StateMachine(
                self,
                pascal,
                comment=spec.description,
                state_machine_type=sfn.StateMachineType.STANDARD,
                definition_body=sfn.DefinitionBody.from_file(str(spec.definition_file)),
                definition_substitutions=substitutions,
                tracing_enabled=True,
                logs=sfn.LogOptions(
                    destination=encrypted_log_group(self, f"{pascal}Logs", key=key, config=config),
                    level=sfn.LogLevel.ALL,
                    # Execution data holds names and amounts; keep it out of logs once data is real.
                    include_execution_data=not is_protected(config),
                ),
            )
            calls = permissions.MACHINES[spec.name].calls
            if "lambda:InvokeFunction" in calls:
                workflow_tasks.grant_invoke(machine)
            if "events:PutEvents" in calls:
                bus.grant_put_events_to(machine)
            self.machines[spec.name] = machine

        events.Rule(
            self,
            "SettlementSchedule",
            description="Run the settlement machine once a day",
            schedule=SETTLEMENT_SCHEDULE,
            targets=[targets.SfnStateMachine(self.machines["settlement"])],
        )

    def __getitem__(self, name: str) -> sfn.StateMachine:
        return self.machines[name]
