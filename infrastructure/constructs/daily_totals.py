"""The aggregate builder on the ledger table's stream: new ``OUTBOX#`` items only (the outbox pipe's filter), in
batches, partial batch failures reported by the function, what keeps failing sent to a dead-letter queue (an
on-failure destination: the record's stream position, to replay from) that Observability alarms on."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.constructs.events import OUTBOX_PREFIX

# Matches the ledger's new outbox items; the same records the pipe relays (``events.OUTBOX_FILTER``).
OUTBOX_FILTER = lambda_.FilterCriteria.filter(
    {
        "eventName": lambda_.FilterRule.is_equal("INSERT"),
        "dynamodb": {"NewImage": {"PK": {"S": lambda_.FilterRule.begins_with(OUTBOX_PREFIX)}}},
    }
)


class DailyTotals(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, builder: lambda_.Function, ledger: dynamodb.ITable, key: kms.IKey
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "AggregateDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        builder.add_event_source(
            event_sources.DynamoEventSource(
                ledger,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,  # no event may be skipped
                batch_size=100,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
                bisect_batch_on_error=True,
                retry_attempts=10,
                on_failure=event_sources.SqsDlq(self.dead_letters),
                filters=[OUTBOX_FILTER],
            )
        )
        # Reads payments and allocations, writes the share and day items (one transaction): the ledger only.
        ledger.grant_read_write_data(builder)
        key.grant_encrypt_decrypt(builder)
