"""Least privilege, declared: per role, the IAM actions it holds and why.

A row per function (``FUNCTIONS``), per state machine (``MACHINES``) and one for EventBridge Scheduler
(``SCHEDULER``). Each row says:

- ``calls``: the AWS requests the code makes (a function's handlers, a machine's Task states), as IAM actions;
- ``aws``: what AWS itself does with the role on the code's behalf (an event source mapping polling a queue or a
  stream, an on-failure destination, logs, traces, the stack key under the data the calls touch), with the reason;
- ``extras``: what CDK's grant helpers add beyond that (each named in ``EXTRA_REASONS``, with why it is there).

``tests/infrastructure/test_least_privilege.py`` checks the table both ways: each synthesized role holds exactly
its row, the machines' ASL files call exactly their ``calls``, and the functions' handlers, run over the integration
journeys with ``tests/iam_calls.py`` recording, call nothing outside their ``calls`` and make every one of them but
their ``not_local``. A new function needs a row here (its ``calls`` as the recorder reports them, ``aws`` from how
it is triggered, ``extras`` from the CDK grants it is given) before the test passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from infrastructure.asl import DISTRIBUTED_MAP, asl_actions

if TYPE_CHECKING:
    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_iam as iam


@dataclass(frozen=True)
class Grants:
    calls: frozenset[str]
    aws: Mapping[str, str] = field(default_factory=dict)
    extras: frozenset[str] = frozenset()
    # The calls no local journey makes (the code is read for them instead), each said where the row sets it.
    not_local: frozenset[str] = frozenset()

    def all(self) -> frozenset[str]:
        return self.calls | frozenset(self.aws) | self.extras

    def missing_from(self, held: frozenset[str] | set[str]) -> set[str]:
        """The actions of this row that ``held`` (a role's actions, CDK's wildcards among them) does not grant."""
        return {action for action in self.all() if not any(fnmatchcase(action, grant) for grant in held)}


def _calls(*actions: str) -> frozenset[str]:
    return frozenset(actions)


# --- what AWS does with a role -----------------------------------------------------------------------------------

_LOGS = {
    "logs:CreateLogStream": "Lambda writes the function's output to its own log group (no account-wide policy)",
    "logs:PutLogEvents": "Lambda writes the function's output to its own log group",
}
_TRACES = {
    "xray:PutTraceSegments": "active tracing: Lambda and Powertools send the function's segments to X-Ray",
    "xray:PutTelemetryRecords": "active tracing: the X-Ray daemon reports its own telemetry",
}
RUNTIME: Mapping[str, str] = {**_LOGS, **_TRACES}
# The stack key encrypts the tables, buckets, secrets and queues: S3, Secrets Manager and SQS ask the caller's role
# to use it (DynamoDB only for a table's stream, read by the event source mapping).
_KEY = {
    "kms:Decrypt": "reading data under the stack key (S3 objects, secrets, queue messages, streams)",
    "kms:GenerateDataKey*": "writing data under the stack key (S3 objects, secrets, queue messages)",
}
_STREAM = {
    "dynamodb:DescribeStream": "the event source mapping reads the table's stream with the function's role",
    "dynamodb:GetRecords": "the event source mapping reads the table's stream with the function's role",
    "dynamodb:GetShardIterator": "the event source mapping reads the table's stream with the function's role",
    "dynamodb:ListStreams": "the event source mapping reads the table's stream with the function's role",
}
_ON_FAILURE = {
    "sqs:SendMessage": "Lambda sends a failed invocation or batch to the dead-letter queue with the function's role",
    "sqs:GetQueueAttributes": "CDK's grant_send_messages, which Lambda's on-failure destination uses",
    "sqs:GetQueueUrl": "CDK's grant_send_messages, which Lambda's on-failure destination uses",
}
_QUEUE_SOURCE = {
    "sqs:ReceiveMessage": "the SQS event source mapping takes the queue's messages with the function's role",
    "sqs:DeleteMessage": "the SQS event source mapping deletes what the function handled",
    "sqs:ChangeMessageVisibility": "the SQS event source mapping returns a failed message to the queue",
    "sqs:GetQueueAttributes": "the SQS event source mapping reads the queue's settings",
}

# --- what CDK adds beyond the calls ------------------------------------------------------------------------------

EXTRA_REASONS: Mapping[str, str] = {
    "kms:Encrypt": "CDK's grant_encrypt_decrypt on the stack key (no code calls KMS itself)",
    "kms:ReEncrypt*": "CDK's grant_encrypt_decrypt on the stack key (no code calls KMS itself)",
    "kms:DescribeKey": "CDK's grant_read_write_data on a table under the stack key",
    "dynamodb:DescribeTable": "CDK's grant_read_write_data / grant_read_data on a table",
    "dynamodb:Scan": "CDK's grant_read_write_data / grant_read_data on a table (no code scans)",
    "dynamodb:GetRecords": "CDK's grant_read_write_data / grant_read_data on a table (its stream)",
    "dynamodb:GetShardIterator": "CDK's grant_read_write_data / grant_read_data on a table (its stream)",
    "dynamodb:BatchWriteItem": "CDK's grant_read_write_data on a table",
    "dynamodb:DeleteItem": "CDK's grant_read_write_data on a table",
    "dynamodb:UpdateItem": "CDK's grant_read_write_data on the webhooks table (the dispatcher puts, never updates)",
    "dynamodb:ConditionCheckItem": "CDK's grant_read_write_data / grant_read_data on a table",
    "dynamodb:BatchGetItem": "CDK's grant_read_data on a table",
    "s3:GetObject*": "CDK's grant_read on a bucket prefix: s3:GetObject and its variants (tags, ACL, versions)",
    "s3:GetBucket*": "CDK's grant_read on a bucket prefix",
    "s3:List*": "CDK's grant_read on a bucket prefix",
    "s3:Abort*": "CDK's grant_put on a bucket prefix (aborting a multipart upload)",
    "s3:PutObjectLegalHold": "CDK's grant_put on a bucket prefix",
    "s3:PutObjectRetention": "CDK's grant_put on a bucket prefix",
    "s3:PutObjectTagging": "CDK's grant_put on a bucket prefix",
    "s3:PutObjectVersionTagging": "CDK's grant_put on a bucket prefix",
    "secretsmanager:DescribeSecret": "CDK's Secret.grant_read adds it to GetSecretValue",
    "ses:SendEmail": "CDK's EmailIdentity.grant_send_email grants it with SendRawEmail (the code sends raw)",
    "logs:CreateLogDelivery": "Step Functions logging to CloudWatch Logs (CDK's LogOptions): vended log delivery",
    "logs:GetLogDelivery": "Step Functions logging to CloudWatch Logs (CDK's LogOptions): vended log delivery",
    "logs:UpdateLogDelivery": "Step Functions logging to CloudWatch Logs (CDK's LogOptions): vended log delivery",
    "logs:DeleteLogDelivery": "Step Functions logging to CloudWatch Logs (CDK's LogOptions): vended log delivery",
    "logs:ListLogDeliveries": "Step Functions logging to CloudWatch Logs (CDK's LogOptions): vended log delivery",
    "logs:PutResourcePolicy": "Step Functions logging to CloudWatch Logs (CDK's LogOptions): vended log delivery",
    "logs:DescribeResourcePolicies": "Step Functions logging to CloudWatch Logs (CDK's LogOptions)",
    "logs:DescribeLogGroups": "Step Functions logging to CloudWatch Logs (CDK's LogOptions)",
    "xray:GetSamplingRules": "Step Functions tracing (tracing_enabled): CDK's X-Ray grant",
    "xray:GetSamplingTargets": "Step Functions tracing (tracing_enabled): CDK's X-Ray grant",
}


# --- the functions: what their handlers call -----------------------------------------------------------------------
# ``calls`` are what tests/iam_calls.py records over the integration journeys, plus ``not_local``: what the code calls
# (read in the adapters) but no journey of the local runtime makes, whose processor is the sandbox and needs no key.

_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
_PROCESSOR_SECRET = "secretsmanager:GetSecretValue"  # the processor's keys (Stripe), the sandbox's signing secret
_MAIL = "ses:SendRawEmail"
_DOCUMENTS = ("s3:GetObject", "s3:PutObject")  # presigned GETs and PUTs are signed with these permissions
# CDK's helpers behind the rows' extras: a bucket's grant_read / grant_put, the key's grant_encrypt_decrypt.
_S3_READ_GROUPS = frozenset({"s3:GetObject*", "s3:GetBucket*", "s3:List*"})
_S3_PUT_GROUPS = frozenset(
    {"s3:Abort*", "s3:PutObjectLegalHold", "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"}
)
_KEY_GROUPS = frozenset({"kms:Encrypt", "kms:ReEncrypt*", "kms:DescribeKey"})
# A table granted whole by CDK's grant_read_write_data (webhooks.py, daily_totals.py), not per call.
_TABLE_GROUPS = frozenset(
    {
        "dynamodb:DescribeTable",
        "dynamodb:Scan",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:BatchGetItem",
    }
)

FUNCTIONS: Mapping[str, Grants] = {
    "public_api": Grants(
        _calls(*_READ, *_WRITE, *_DOCUMENTS, _PROCESSOR_SECRET, _MAIL),
        {**RUNTIME, **_KEY},
        _S3_READ_GROUPS | _S3_PUT_GROUPS | _KEY_GROUPS | {"secretsmanager:DescribeSecret", "ses:SendEmail"},
    ),
    "portal_api": Grants(
        _calls(
            *_READ,
            *_WRITE,
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            *_DOCUMENTS,
            _MAIL,
            "cognito-idp:AdminUpdateUserAttributes",
            _PROCESSOR_SECRET,
        ),
        {**RUNTIME, **_KEY},
        _S3_READ_GROUPS | _S3_PUT_GROUPS | _KEY_GROUPS | {"secretsmanager:DescribeSecret", "ses:SendEmail"},
        not_local=_calls(_PROCESSOR_SECRET),  # Stripe's keys, the guest-token key
    ),
    "staff_api": Grants(
        _calls(
            *_READ,
            *_WRITE,
            *_DOCUMENTS,
            _MAIL,
            "secretsmanager:GetSecretValue",  # the connected systems' credentials, the processor's keys
            "states:StartExecution",  # approvals, imports
            "states:SendTaskSuccess",  # a second staff member's decision
            # the connected systems' app clients: list them, rotate their secrets
            "cognito-idp:ListUserPoolClients",
            "cognito-idp:DescribeUserPoolClient",
            "cognito-idp:ListUserPoolClientSecrets",
            "cognito-idp:AddUserPoolClientSecret",
            "cognito-idp:DeleteUserPoolClientSecret",
            # the staff pool's people: an admin invites one (undone if the audit record fails) and lists them
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:ListUsersInGroup",
        ),
        {**RUNTIME, **_KEY},
        _S3_READ_GROUPS | _S3_PUT_GROUPS | _KEY_GROUPS | {"secretsmanager:DescribeSecret", "ses:SendEmail"},
    ),
    "integration_api": Grants(
        _calls(
            *_READ,
            *_WRITE,
            *_DOCUMENTS,
            _MAIL,
            "cognito-idp:DescribeUserPoolClient",  # the calling system's name
            "states:StartExecution",  # imports
            # webhook endpoints' signing secrets
            "secretsmanager:CreateSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:DeleteSecret",
        ),
        {**RUNTIME, **_KEY},
        _S3_READ_GROUPS
        | _S3_PUT_GROUPS
        | _KEY_GROUPS
        | (_TABLE_GROUPS - {"dynamodb:BatchGetItem", "dynamodb:DeleteItem"})
        | {"ses:SendEmail"},
        not_local=_calls(_MAIL),  # a receipt to a payer a bank file sent by a connected system matched
    ),
    "workflow_tasks": Grants(
        _calls(*_READ, *_WRITE, *_DOCUMENTS, _MAIL, _PROCESSOR_SECRET),
        {**RUNTIME, **_KEY, **_ON_FAILURE},  # on failure: S3's bank-file drop events its import failed on
        _S3_READ_GROUPS | _S3_PUT_GROUPS | _KEY_GROUPS | {"secretsmanager:DescribeSecret", "ses:SendEmail"},
        not_local=_calls(_PROCESSOR_SECRET),  # charges, refunds, payouts at Stripe
    ),
    "audit_exporter": Grants(
        _calls("s3:PutObject"),
        {**RUNTIME, **_KEY, **_STREAM, **_ON_FAILURE},
        _S3_PUT_GROUPS | _KEY_GROUPS,
    ),
    "aggregate_builder": Grants(
        _calls("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        {**RUNTIME, **_KEY, **_STREAM, **_ON_FAILURE},
        _TABLE_GROUPS | _KEY_GROUPS,
    ),
    "sandbox_api": Grants(
        _calls("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", _PROCESSOR_SECRET),
        {**RUNTIME, **_KEY},
        frozenset({"dynamodb:ConditionCheckItem", "kms:Encrypt", "kms:ReEncrypt*", "secretsmanager:DescribeSecret"}),
        not_local=_calls(_PROCESSOR_SECRET),  # the deployed sandbox signs its webhooks with the generated secret
    ),
    "webhook_dispatcher": Grants(
        _calls(
            "dynamodb:GetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            _MAIL,
            "cognito-idp:ListUsersInGroup",  # the administrators to tell of an endpoint switched off
            "secretsmanager:GetSecretValue",  # the endpoints' secrets, the signing key
            "secretsmanager:CreateSecret",  # the signing key, made by whoever needs it first
        ),
        {**RUNTIME, **_KEY, **_QUEUE_SOURCE, **_ON_FAILURE},
        _TABLE_GROUPS | _KEY_GROUPS | {"dynamodb:UpdateItem", "ses:SendEmail"},
        not_local=_calls("secretsmanager:GetSecretValue", "secretsmanager:CreateSecret"),
    ),
    "scheduled_jobs": Grants(
        _calls(
            *_READ,
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "s3:GetObject",  # the close reads the day's journal files back
            "s3:PutObject",  # the journal files
            "dynamodb:Scan",  # reindex_customers: the profiles of the name index, a page at a time
            "dynamodb:BatchWriteItem",  # reindex_customers: the pointers of the profiles that lack them
            _MAIL,
            "states:StartExecution",  # payment_retry for a failed autopay charge
            _PROCESSOR_SECRET,
        ),
        {**RUNTIME, **_KEY, **_ON_FAILURE},
        _S3_READ_GROUPS | _S3_PUT_GROUPS | _KEY_GROUPS | {"secretsmanager:DescribeSecret", "ses:SendEmail"},
        not_local=_calls(_PROCESSOR_SECRET),  # the reconciler looks a charge up at Stripe
    ),
    # SES bounces and complaints (issue 17): one TransactWriteItems of conditional puts, the ByName index.
    "email_events": Grants(
        # UpdateItem: the bounce's notes are counted on their day in the same transaction (daily_total_items)
        _calls("dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        {**RUNTIME, **_KEY, **_ON_FAILURE},
        frozenset({"kms:Encrypt", "kms:ReEncrypt*"}),
    ),
}

# What a table grant may hold: the data actions the code uses, and the audit table's append-only subset.
_TABLE_DATA = frozenset({*_READ, *_WRITE, "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:Scan"})
_APPEND_ONLY = frozenset({*_READ, "dynamodb:PutItem", "dynamodb:ConditionCheckItem"})


__all__ = ["FUNCTIONS", "MACHINES", "SCHEDULER", "Grants", "asl_actions", "function_calls", "grant_table"]


def function_calls(name: str) -> frozenset[str]:
    """What a function's row says its code calls (nothing for a function without a row)."""
    row = FUNCTIONS.get(name)
    return row.calls if row is not None else frozenset()


def grant_table(table: dynamodb.ITable, grantee: iam.IGrantable, function: str, *, append_only: bool = False) -> None:
    """Grant ``table`` (and its indexes) the DynamoDB actions the function's row calls; on an append-only table (the
    audit trail) never an update or a delete, whatever the row says."""
    allowed = _APPEND_ONLY if append_only else _TABLE_DATA
    actions = sorted(action for action in FUNCTIONS[function].calls if action in allowed)
    if actions:
        table.grant(grantee, *actions)


# --- the state machines: what their ASL Task states call ----------------------------------------------------------

_MACHINE_RUNTIME: Mapping[str, str] = {
    "xray:PutTraceSegments": "tracing_enabled: Step Functions sends the execution's segments",
    "xray:PutTelemetryRecords": "tracing_enabled: Step Functions reports X-Ray telemetry",
}
_MACHINE_EXTRAS = frozenset(
    {
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    }
)

MACHINES: Mapping[str, Grants] = {
    "payment_retry": Grants(_calls("lambda:InvokeFunction", "events:PutEvents"), _MACHINE_RUNTIME, _MACHINE_EXTRAS),
    "approval": Grants(_calls("lambda:InvokeFunction", "events:PutEvents"), _MACHINE_RUNTIME, _MACHINE_EXTRAS),
    "settlement": Grants(
        _calls("lambda:InvokeFunction", "events:PutEvents", "s3:ListBucket", *DISTRIBUTED_MAP),
        _MACHINE_RUNTIME,
        _MACHINE_EXTRAS,
    ),
    "source_import": Grants(
        _calls("lambda:InvokeFunction", "s3:ListBucket", *DISTRIBUTED_MAP), _MACHINE_RUNTIME, _MACHINE_EXTRAS
    ),
}

# EventBridge Scheduler's role for the scheduled_jobs schedules (constructs/schedules.py).
SCHEDULER = Grants(
    _calls("lambda:InvokeFunction"),
    {
        "sqs:SendMessage": "a delivery that failed after its retries goes to the dead-letter queue",
        "kms:GenerateDataKey": "that queue is under the stack key: sending encrypts the message",
        "kms:Decrypt": "that queue is under the stack key: SQS asks the sender for Decrypt too",
    },
)
