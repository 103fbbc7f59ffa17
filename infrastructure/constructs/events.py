"""The event bus and the outbox relay.

Every money movement writes an ``OUTBOX#`` item in the same DynamoDB transaction as the movement itself;
an EventBridge Pipe reads the ledger's stream and puts exactly those items on the bus. So an event is
published if and only if its transaction committed, with no relay code of ours to run or to fail.
"""

from __future__ import annotations

import json

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.constructs.logs import encrypted_log_group
from infrastructure.deployment_config import DeploymentConfig

OUTBOX_PREFIX = "OUTBOX#"

# Only new outbox items; every other ledger write stays private to the ledger.
OUTBOX_FILTER = {
    "eventName": ["INSERT"],
    "dynamodb": {"NewImage": {"PK": {"S": [{"prefix": OUTBOX_PREFIX}]}}},
}

# The outbox item carries string attributes detail_type, source and detail (a JSON document as a string).
_NEW_IMAGE = "$.dynamodb.NewImage"
DETAIL_TYPE_PATH = f"{_NEW_IMAGE}.detail_type.S"
SOURCE_PATH = f"{_NEW_IMAGE}.source.S"
# Unquoted on purpose: the string is a JSON document and becomes the event's Detail as is.
DETAIL_TEMPLATE = f"<{_NEW_IMAGE}.detail.S>"


def event_bus_name(config: DeploymentConfig) -> str:
    """The bus's name, known before the bus exists: key policies name it (a Ref to the bus would be a cycle)."""
    return f"arportal-{config.agency}-{config.stage}"


class Events(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        ledger: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        # Named by us because the key policy must name the bus, and a Ref to it would be a cycle
        # (key -> bus -> key). Agency and stage make the name unique in the account.
        bus_name = event_bus_name(config)
        self.bus = events.EventBus(
            self,
            "Bus",
            event_bus_name=bus_name,
            description=f"Receivables Portal events ({config.agency})",
            kms_key=key,
        )
        self.archive = self._archive(key, bus_name)
        self.dead_letters = sqs.Queue(
            self,
            "OutboxDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.pipe = self._outbox_pipe(config, key, ledger)

    def _archive(self, key: kms.IKey, bus_name: str) -> events.CfnArchive:
        """Every event, for a year, so subscribers that were down (or added later) can be replayed to."""
        # L1 on purpose: in aws-cdk-lib 2.275 EventBus.archive() drops kms_key, and Archive(kms_key=...)
        # writes the bus's GetAtt Arn into the key policy, a key -> bus -> key cycle. So the archive's
        # key grant is written here against the bus's known ARN.
        bus_arn = Stack.of(self).format_arn(service="events", resource="event-bus", resource_name=bus_name)
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*", "kms:DescribeKey"],
                resources=["*"],
                conditions={"StringEquals": {"kms:EncryptionContext:aws:events:event-bus:arn": bus_arn}},
            )
        )
        return events.CfnArchive(
            self,
            "Archive",
            source_arn=self.bus.event_bus_arn,
            description="Every event on the bus, for replay to webhook subscribers",
            event_pattern={"account": [Stack.of(self).account]},
            retention_days=365,
            kms_key_identifier=key.key_arn,
        )

    def _outbox_pipe(self, config: DeploymentConfig, key: kms.IKey, ledger: dynamodb.ITable) -> pipes.CfnPipe:
        self.pipe_role = role = iam.Role(
            self,
            "OutboxPipeRole",
            assumed_by=iam.ServicePrincipal("pipes.amazonaws.com"),
            description="Outbox relay: read the ledger stream, put events, dead-letter what fails",
        )
        ledger.grant_stream_read(role)
        self.bus.grant_put_events_to(role)
        self.dead_letters.grant_send_messages(role)
        log_group = encrypted_log_group(self, "OutboxPipeLogs", key=key, config=config)
        log_group.grant_write(role)

        pipe = pipes.CfnPipe(
            self,
            "OutboxPipe",
            description="Relay committed OUTBOX# ledger items to the event bus",
            role_arn=role.role_arn,
            source=_required(ledger.table_stream_arn),
            source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
                filter_criteria=pipes.CfnPipe.FilterCriteriaProperty(
                    filters=[pipes.CfnPipe.FilterProperty(pattern=json.dumps(OUTBOX_FILTER))]
                ),
                dynamo_db_stream_parameters=pipes.CfnPipe.PipeSourceDynamoDBStreamParametersProperty(
                    starting_position="TRIM_HORIZON",  # an outbox item must never be skipped
                    batch_size=10,  # PutEvents takes at most 10 entries
                    maximum_batching_window_in_seconds=1,
                    maximum_retry_attempts=20,
                    on_partial_batch_item_failure="AUTOMATIC_BISECT",
                    dead_letter_config=pipes.CfnPipe.DeadLetterConfigProperty(arn=self.dead_letters.queue_arn),
                ),
            ),
            target=self.bus.event_bus_arn,
            target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
                input_template=DETAIL_TEMPLATE,
                # Dynamic paths read the source record (not the template's output).
                event_bridge_event_bus_parameters=pipes.CfnPipe.PipeTargetEventBridgeEventBusParametersProperty(
                    detail_type=DETAIL_TYPE_PATH, source=SOURCE_PATH
                ),
            ),
            log_configuration=pipes.CfnPipe.PipeLogConfigurationProperty(
                level="ERROR",
                cloudwatch_logs_log_destination=pipes.CfnPipe.CloudwatchLogsLogDestinationProperty(
                    log_group_arn=log_group.log_group_arn
                ),
            ),
        )
        # The pipe checks its permissions on creation, so the role's policy must exist first (the role
        # itself is already a dependency through role_arn).
        policy = role.node.find_child("DefaultPolicy")
        pipe.node.add_dependency(policy)
        return pipe


def _required(value: str | None) -> str:
    if value is None:
        raise ValueError("the ledger table must have a stream for the outbox relay")
    return value
