"""Signed webhooks to the agency's systems (issue 13): bus -> rule -> queue -> dispatcher, and a sweep every minute.

Every event on the bus with our source goes, through one rule, to an encrypted queue; the ``webhook_dispatcher``
function takes it in batches, opens one delivery per subscribed endpoint (in the ``webhooks`` table) and tries each
at once. A delivery that failed waits in the table for its next attempt, not in a running function or a queue's
delay (SQS delays stop at 15 minutes; the schedule runs to 10 hours): a rule on the default bus invokes the same
function every minute with ``{"task": "sweep"}``, which sends what has come due.

What the queue cannot hand over (the dispatcher failing the same event five times) ends in a dead-letter queue,
as do the events EventBridge could not put on the queue; both hold EventBridge events, so either can be redriven
to the queue. A sweep that could not run ends in its own dead-letter queue; the next minute's sweep does its work.
The stack alarms on both queues and on endpoints switched off (``ArPortal``/``WebhookEndpointsDisabled``).
"""

from __future__ import annotations

import jsii
from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from arportal.adapters.dynamodb.outbox import EVENT_SOURCE

# <prefix>signing-key, made when first asked for, and its public half <prefix>signing-key-public made with it
from arportal.adapters.webhook_secrets import PUBLIC_KEY_NAME, SIGNING_KEY_NAME
from infrastructure import catalog
from infrastructure.constructs.events import event_bus_name
from infrastructure.deployment_config import DeploymentConfig

DISPATCHER = "webhook_dispatcher"
SWEEP_INPUT = {"task": "sweep"}
SWEEP_EVERY = Duration.minutes(1)
BATCH_SIZE = 10
# At most this many dispatcher containers take from the queue at once. With the sweep's container (two, should one
# outlast its minute), an endpoint has at most MAX_PER_ENDPOINT (services/webhook_attempts.py: 4) times 5 requests in
# flight, 20 (docs/webhooks.md, "Load on a receiver"); more containers would deliver a burst faster and load a
# receiver harder.
MAX_CONCURRENCY = 3
MAX_RECEIVE_COUNT = 5  # an event the dispatcher failed this often is dead-lettered (alarmed), not retried forever
# Lambda's advice for an SQS source: a visibility timeout of six times the function's timeout, so a batch that is
# retried inside one poll is not handed to a second container meanwhile.
VISIBILITY_FACTOR = 6
# An event waits in the queue up to this long (a dispatcher broken for days loses nothing; the maximum is 14 days).
QUEUE_RETENTION = Duration.days(14)
DEAD_LETTER_RETENTION = Duration.days(14)
# EventBridge retries putting an event on the queue for this long before dead-lettering it.
RULE_RETRY_AGE = Duration.hours(24)
RULE_RETRIES = 185  # EventBridge's most: the age above is what ends the retries
# A sweep is superseded by the next minute's: never retried, only dead-lettered (Lambda's minimum age is a minute).
SWEEP_MAX_AGE = Duration.minutes(1)
DISABLED_METRIC_NAMESPACE = "ArPortal"
DISABLED_METRIC_NAME = "WebhookEndpointsDisabled"
ALARM_PERIOD = Duration.minutes(5)
# Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
SECRET_ARN_SUFFIX = "-??????"
# What managing endpoints does with their secrets: create one per endpoint, read, rotate (put), delete.
MANAGER_ACTIONS = (
    "secretsmanager:CreateSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
)


@jsii.implements(events.IRuleTarget)
class _EncryptedQueueTarget:
    """``targets.SqsQueue`` without what it adds for a KMS-encrypted queue (its way around a key -> rule -> queue ->
    key cycle): a key grant to EventBridge with no condition at all, and a queue policy that does not name the rule.
    Here the key policy names this bus's rules by ARN pattern (``_allow_eventbridge_to_encrypt``) and each queue's
    policy names the rule, so no other rule, in this account or another, may put messages on them."""

    def __init__(self, queue: sqs.IQueue, *, dead_letters: sqs.IQueue) -> None:
        self.queue = queue
        self.dead_letters = dead_letters

    def bind(self, rule: events.IRule, _id: str | None = None) -> events.RuleTargetConfig:
        for queue in (self.queue, self.dead_letters):
            queue.add_to_resource_policy(
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[queue.queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rule.rule_arn}},
                )
            )
        return events.RuleTargetConfig(
            arn=self.queue.queue_arn,
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self.dead_letters.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_event_age_in_seconds=int(RULE_RETRY_AGE.to_seconds()), maximum_retry_attempts=RULE_RETRIES
            ),
            target_resource=self.queue,
        )


def secret_prefix(config: DeploymentConfig) -> str:
    """Where the endpoint secrets and the agency's signing key live in Secrets Manager (names, not ARNs)."""
    return f"arportal/{config.agency}/{config.stage}/webhooks/"


class Webhooks(Construct):
    """Made before the functions (their environment names the table and the prefix); ``connect`` then wires the
    dispatcher to the queue and the schedule and grants each function what it needs."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        bus: events.IEventBus,
        table: dynamodb.Table,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = key
        self.table = table
        self.secret_prefix = secret_prefix(config)
        self.dead_letters = self._queue("DeadLetters", retention=DEAD_LETTER_RETENTION)
        self.queue = self._queue(
            "Queue",
            retention=QUEUE_RETENTION,
            visibility_timeout=Duration.seconds(VISIBILITY_FACTOR * catalog.function(DISPATCHER).timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letters),
        )
        self.rule = events.Rule(
            self,
            "EveryEventToTheQueue",
            description="Every Receivables Portal event, for the webhook dispatcher to fan out to endpoints",
            event_bus=bus,
            event_pattern=events.EventPattern(source=[EVENT_SOURCE]),
            targets=[_EncryptedQueueTarget(self.queue, dead_letters=self.dead_letters)],
        )
        self.sweep_dead_letters = self._queue("SweepDeadLetters", retention=DEAD_LETTER_RETENTION)
        self.sweep_rule_name = f"arportal-{config.agency}-{config.stage}-webhook-sweep"
        self._allow_eventbridge_to_encrypt(bus_name=event_bus_name(config))

    def _queue(self, construct_id: str, *, retention: Duration, **kwargs: object) -> sqs.Queue:
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.key,
            enforce_ssl=True,
            retention_period=retention,
            **kwargs,  # type: ignore[arg-type]
        )

    def _allow_eventbridge_to_encrypt(self, *, bus_name: str) -> None:
        """EventBridge puts messages on the KMS-encrypted queues (the rule's target and dead letters, the sweep's dead
        letters); a service principal may use the key only where the key policy says so. Named by pattern, not by
        the rules' ARNs: a Ref would be a key -> rule -> queue -> key cycle."""
        stack = Stack.of(self)
        rules = [
            stack.format_arn(service="events", resource="rule", resource_name=f"{bus_name}/*"),
            stack.format_arn(service="events", resource="rule", resource_name=self.sweep_rule_name),
        ]
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={"ArnLike": {"aws:SourceArn": rules}, "StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )

    def connect(
        self,
        *,
        dispatcher: lambda_.Function,
        managers: list[lambda_.Function],
        key_readers: list[lambda_.Function],
    ) -> None:
        """``dispatcher`` takes the queue and the sweep and sends; ``managers`` keep endpoints and their secrets (and
        send test deliveries); ``key_readers`` read only the public half of the agency's signing key (to publish it):
        the internet-facing function never holds the private key, nor makes it."""
        dispatcher.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,  # one failed event is retried alone, not with its batch
                max_concurrency=MAX_CONCURRENCY,
            )
        )
        dispatcher.configure_async_invoke(
            retry_attempts=0,
            max_event_age=SWEEP_MAX_AGE,
            on_failure=destinations.SqsDestination(self.sweep_dead_letters),
        )
        self.sweep = events.Rule(
            self,
            "Sweep",
            rule_name=self.sweep_rule_name,
            description="Every minute: the webhook dispatcher sends the deliveries whose next attempt has come",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[
                targets.LambdaFunction(
                    dispatcher,
                    event=events.RuleTargetInput.from_object(SWEEP_INPUT),
                    dead_letter_queue=self.sweep_dead_letters,
                    max_event_age=SWEEP_MAX_AGE,
                    retry_attempts=0,
                )
            ],
        )
        for fn in (dispatcher, *managers):
            self.table.grant_read_write_data(fn)
            self.key.grant_encrypt_decrypt(fn)  # the table is encrypted with the stack key
        # Sending reads every endpoint's secret; managing endpoints makes, rotates and deletes them.
        self._grant_secrets(dispatcher, ["secretsmanager:GetSecretValue"], self._secret_arn("*"))
        for fn in managers:
            self._grant_secrets(fn, list(MANAGER_ACTIONS), self._secret_arn("*"))
        # Whoever first needs the agency's Ed25519 key makes it (a v1a delivery, a test send, the public key route):
        # CreateSecret of that one name (the managers may create any name under the prefix already).
        for fn in key_readers:
            self._grant_secrets(
                fn, ["secretsmanager:GetSecretValue"], self._secret_arn(PUBLIC_KEY_NAME + SECRET_ARN_SUFFIX)
            )
            self.key.grant_decrypt(fn)  # the secrets are encrypted with the stack key (WEBHOOK_SECRET_KMS_KEY)
        # The dispatcher makes the key (and its public half) if a v1a delivery needs it before any endpoint change did:
        # CreateSecret of those two names only (the managers may create any name under the prefix already).
        dispatcher.add_to_role_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:CreateSecret"],
                # Whether CreateSecret is matched with or without the random suffix, the name condition is exact.
                resources=[self._secret_arn(SIGNING_KEY_NAME + "*")],
                conditions={
                    "StringEquals": {
                        "secretsmanager:Name": [
                            self.secret_prefix + SIGNING_KEY_NAME,
                            self.secret_prefix + PUBLIC_KEY_NAME,
                        ]
                    }
                },
            )
        )

    @staticmethod
    def _grant_secrets(fn: lambda_.Function, actions: list[str], resource: str) -> None:
        fn.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[resource]))

    def _secret_arn(self, name_pattern: str) -> str:
        return Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=self.secret_prefix + name_pattern,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    def disabled_endpoints_metric(self) -> cloudwatch.Metric:
        """Endpoints the dispatcher switched off (a 410, or five days of failures), counted per alarm period."""
        return cloudwatch.Metric(
            namespace=DISABLED_METRIC_NAMESPACE,
            metric_name=DISABLED_METRIC_NAME,
            statistic="Sum",
            period=ALARM_PERIOD,
        )
