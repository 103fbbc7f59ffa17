"""cdk-nag AwsSolutions findings this design accepts, each with the reason it is accepted.

Rules: a suppression names the construct it is about (never the whole stack), and an IAM5 suppression
names the exact wildcard (``applies_to``) so that a new, unexpected wildcard still fails the checks.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from cdk_nag import NagPackSuppression, NagSuppressions, RegexAppliesTo
from constructs import IConstruct

from infrastructure import catalog

if TYPE_CHECKING:
    from infrastructure.stack import ArPortalStack

KMS_GRANT_ACTIONS = ["Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"]
S3_READ_ACTIONS = ["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*"]
S3_PUT_ACTIONS = ["Action::s3:Abort*"]
# The CDK bootstrap asset bucket; account and region are tokens or literals depending on the CLI's env.
CDK_ASSET_OBJECTS = RegexAppliesTo(regex=r"/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-.+\/\*$/g")


def suppress(stack: ArPortalStack) -> None:
    _functions(stack)
    _workflows(stack)
    _events(stack)
    _api(stack)
    _identity(stack)
    _processor(stack)
    _web(stack)
    _scheduled_jobs(stack)
    _guest_tokens(stack)
    _imports(stack)
    _webhooks(stack)
    _backup(stack)
    _journals(stack)


def _add(construct: IConstruct, rule: str, reason: str, applies_to: list[str | RegexAppliesTo] | None = None) -> None:
    NagSuppressions.add_resource_suppressions(
        construct,
        [NagPackSuppression(id=f"AwsSolutions-{rule}", reason=reason, applies_to=applies_to)],
        apply_to_children=True,
    )


def _arn(stack: Stack, resource: IConstruct) -> str:
    """How cdk-nag spells ``Fn::GetAtt [resource, Arn]`` in a finding."""
    default_child = resource.node.default_child
    assert default_child is not None
    return f"<{stack.get_logical_id(default_child)}.Arn>"  # type: ignore[arg-type]


def _table_indexes(stack: Stack, table: dynamodb.Table) -> str:
    return f"Resource::{_arn(stack, table)}/index/*"


def _bucket_objects(stack: Stack, bucket: s3.Bucket) -> str:
    return f"Resource::{_arn(stack, bucket)}/*"


def _functions(stack: ArPortalStack) -> None:
    data = stack.data
    for spec in catalog.functions_for(stack.config.processor):
        fn = stack.functions[spec.name]
        _add(
            fn,
            "L1",
            "Python 3.12 is pinned on purpose: the dependencies layer holds compiled wheels (pydantic-core, "
            "cryptography, rapidfuzz) built for one Python minor version (vendor_layer.PYTHON_VERSION), and "
            "the tests run the lock at that version. Move RUNTIME in functions.py and PYTHON_VERSION together.",
        )
        assert fn.role is not None
        objects = [_bucket_objects(stack, data.documents_bucket)]
        if spec.name in ("staff_api", "workflow_tasks", "audit_exporter"):
            objects.append(_bucket_objects(stack, data.audit_bucket))
        _add(
            fn.role,
            "IAM5",
            "Grants on resources of this stack, those of them this function holds (infrastructure/permissions.py "
            "lists its actions): the GSIs of our ledger and audit tables (queried by the repositories); objects in "
            "our documents bucket, whose keys are per customer and document and are authorized in the service layer "
            "before a presigned URL is issued, and in the audit bucket (exports, reports, read back by the staff "
            "console); CDK's S3 and KMS action groups on those buckets and the one stack key. 'Resource::*' is X-Ray "
            "PutTraceSegments/PutTelemetryRecords and, for a function on a table's stream, dynamodb:ListStreams: "
            "neither supports resource-level permissions.",
            applies_to=[
                _table_indexes(stack, data.ledger),
                _table_indexes(stack, data.audit),
                *objects,
                *KMS_GRANT_ACTIONS,
                *S3_READ_ACTIONS,
                *S3_PUT_ACTIONS,
                "Resource::*",
            ],
        )


def _workflows(stack: ArPortalStack) -> None:
    tasks = stack.functions["workflow_tasks"]
    for machine in stack.workflows.machines.values():
        _add(
            machine.role,
            "IAM5",
            "Granted explicitly because CDK cannot read an ASL file (infrastructure/permissions.py MACHINES): invoke "
            "the workflow task function (':*' covers its versions, which lambda:invoke may address). 'Resource::*' "
            "is X-Ray tracing and the CloudWatch Logs delivery actions Step Functions logging needs; neither "
            "supports resource ARNs.",
            applies_to=[f"Resource::{_arn(stack, tasks)}:*", "Resource::*"],
        )


def _events(stack: ArPortalStack) -> None:
    events = stack.events
    _add(
        events.dead_letters,
        "SQS3",
        "This queue is the dead-letter queue of the outbox pipe (DeadLetterConfig on the L1 CfnPipe, which "
        "cdk-nag cannot see); a dead-letter queue of a dead-letter queue would only hide failures.",
    )
    _add(
        stack.audit_dead_letters,
        "SQS3",
        "This queue is the on-failure destination of the audit exporter's stream event source mapping (records "
        "that could not be copied to the Object Lock bucket), which cdk-nag does not recognise as a DLQ.",
    )
    _add(
        stack.bank_file_dead_letters,
        "SQS3",
        "This queue is the workflow_tasks function's asynchronous on-failure destination (S3's bank-file drop "
        "events its import still failed on after Lambda's retries), which cdk-nag does not recognise as a DLQ.",
    )
    _add(
        stack.daily_totals.dead_letters,
        "SQS3",
        "This queue is the on-failure destination of the aggregate builder's stream event source mapping (outbox "
        "records that could not be folded into the daily totals), which cdk-nag does not recognise as a DLQ.",
    )
    _add(
        events.pipe_role,
        "IAM5",
        "dynamodb:ListStreams supports no resource-level permission ('Resource::*'); the KMS action "
        "groups are CDK's grant for reading the ledger stream and writing the dead-letter queue with the "
        "stack key.",
        applies_to=[*KMS_GRANT_ACTIONS, "Resource::*"],
    )


def _api(stack: ArPortalStack) -> None:
    api = stack.api.rest_api
    _add(
        api.deployment_stage,
        "APIG6",
        "Execution logging needs the account-wide API Gateway CloudWatch role, which this stack does not "
        "own (@aws-cdk/aws-apigateway:disableCloudWatchRole): several agencies' stacks may share one "
        "account. Every request is in the access log and traced in X-Ray instead.",
    )
    public = [route for route in catalog.routes_for(stack.config.processor) if route.auth is catalog.Auth.NONE]
    for route in public:
        resource = api.root.resource_for_path(route.path.lstrip("/"))
        methods = [resource.node.find_child("ANY")]
        if route.greedy:
            methods.append(resource.node.find_child("{proxy+}").node.find_child("ANY"))
        for method in methods:
            for rule in ("APIG4", "COG4"):
                _add(
                    method,
                    rule,
                    f"{route.path} is public by contract (health, OpenAPI/Swagger, guest invoice lookup and "
                    "payment, processor webhooks, the public key that signs our webhooks, the sandbox processor's "
                    "hosted fields). Guests prove an invoice number plus postal code and are rate-limited by the "
                    "WAF; webhooks are verified by the processor's signature; a public key is public; the sandbox "
                    "only turns test card numbers into test tokens.",
                )


def _processor(stack: ArPortalStack) -> None:
    if stack.processor_secret is None:
        return
    if stack.config.processor == "sandbox":
        _add(
            stack.processor_secret,
            "SMG4",
            "The sandbox's webhook signing secret is generated at deploy and signs test events of a processor "
            "that moves no money; rotating it is putting a new random value (read at the next cold start).",
        )
        return
    # stripe: the agency's own secret, referenced by name (processorSecretName), not a resource of this stack


def _identity(stack: ArPortalStack) -> None:
    _add(
        stack.identity.customer_pool,
        "COG2",
        "Residents paying a bill are not required to enrol a second factor (accessibility, one-off payers); "
        "TOTP is offered, and Plus-tier threat protection (full function) challenges risky sign-ins.",
    )
    if not stack.config.staff_mfa:
        _add(
            stack.identity.staff_pool,
            "COG2",
            "The deployment set staffMfa=false (a demo or development stack); deployed agencies keep it on.",
        )


def _web(stack: ArPortalStack) -> None:
    distribution = stack.web.distribution
    _add(
        distribution,
        "CFR1",
        "No geo restriction: an agency's customers pay from wherever they are (moved away, travelling).",
    )
    if stack.domains.web_certificate is None:
        _add(
            distribution,
            "CFR4",
            "No webDomain is configured, so the default *.cloudfront.net certificate is used and CloudFront fixes "
            "its security policy; with webDomain the distribution uses the agency's certificate with TLSv1.2_2021.",
        )
    deployment_handler = _bucket_deployment_handler(stack)
    _add(
        deployment_handler,
        "L1",
        "CDK-provided BucketDeployment handler: aws-cdk-lib chooses and upgrades its runtime.",
    )
    _add(
        deployment_handler,
        "IAM4",
        "CDK-provided BucketDeployment handler: its role uses AWSLambdaBasicExecutionRole for its logs.",
        applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    )
    _add(
        deployment_handler,
        "IAM5",
        "CDK-provided BucketDeployment handler: it copies the CDK asset objects into the web bucket "
        "(object wildcards on those two buckets only) and invalidates the distribution "
        "(cloudfront:CreateInvalidation has no resource-level permission).",
        applies_to=[
            *S3_READ_ACTIONS,
            *S3_PUT_ACTIONS,
            "Action::s3:DeleteObject*",
            _bucket_objects(stack, stack.web.bucket),
            CDK_ASSET_OBJECTS,
            "Resource::*",
        ],
    )


def _bucket_deployment_handler(stack: Stack) -> IConstruct:
    # A singleton function at stack level; its id starts with this prefix and ends with a memory suffix.
    return next(child for child in stack.node.children if child.node.id.startswith("Custom::CDKBucketDeployment"))


def _guest_tokens(stack: ArPortalStack) -> None:
    _add(
        stack.guest_token_secret,
        "SMG4",
        "The guest-token key is a random value generated at deploy; tokens signed with it live 15 minutes, so "
        "rotating is putting a new random value (read at the next cold start) and costs guests one more lookup. "
        "A rotation Lambda would add a function and a schedule for no stronger guarantee.",
    )


def _scheduled_jobs(stack: ArPortalStack) -> None:
    jobs = stack.scheduled_jobs
    _add(
        jobs.dead_letters,
        "SQS3",
        "This queue is the dead-letter queue of the daily job schedules (their targets' DeadLetterConfig) and the "
        "scheduled_jobs function's asynchronous on-failure destination; cdk-nag sees neither as a DLQ.",
    )
    _add(
        jobs.scheduler_role,
        "IAM5",
        "EventBridge Scheduler's role for the scheduled_jobs schedules (granted by aws-cdk-lib's LambdaInvoke): it "
        "may invoke that one function, ':*' being its versions and aliases, which lambda:InvokeFunction may address.",
        applies_to=[f"Resource::{_arn(stack, jobs.function)}:*"],
    )


def _imports(stack: ArPortalStack) -> None:
    imports = stack.imports
    objects = f"Resource::{_arn(stack, imports.bucket)}/imports/*"
    for name in ("integration_api", "staff_api", "workflow_tasks"):
        role = stack.functions[name].role
        assert role is not None
        _add(
            role,
            "IAM5",
            "Bulk imports: objects under imports/<import id>/ in the import bucket, whose keys are made per import "
            "by the service. The API functions sign the upload's PUT and the error report's GET for the import "
            "they just checked; workflow_tasks reads the upload and writes its chunks and reports. CDK's S3 "
            "action groups on that one prefix.",
            applies_to=[objects, *S3_READ_ACTIONS, *S3_PUT_ACTIONS],
        )
    tasks = stack.functions["workflow_tasks"].role
    assert tasks is not None
    machine = stack.workflows["source_import"]
    logical = stack.get_logical_id(machine.node.default_child)  # type: ignore[arg-type]
    _add(
        imports.machine_policy,
        "IAM5",
        "The import machine's Distributed Map runs each chunk as a child execution of the machine itself: "
        "states:DescribeExecution and StopExecution on this machine's executions (execution:<its name>/*), "
        "whose ids Step Functions makes, as the Distributed Map's documented IAM policy says.",
        applies_to=[
            RegexAppliesTo(
                regex=f"/^Resource::arn:<AWS::Partition>:states:[^:]+:[^:]+:execution:<{logical}\\.Name>\\/\\*$/g"
            )
        ],
    )
    # Bank files dropped under bank-files/inbox/ (issue 15): workflow_tasks reads them; the bucket's notification is
    # configured by CDK's own singleton handler.
    _add(
        tasks,
        "IAM5",
        "Bank files: workflow_tasks reads the objects the bank drops under bank-files/inbox/ in the import bucket "
        "(keys the bank chooses), when the bucket notifies it of each. CDK's S3 read action group on that one prefix.",
        applies_to=[f"Resource::{_arn(stack, imports.bucket)}/bank-files/inbox/*", *S3_READ_ACTIONS],
    )
    notifications = next(
        child for child in stack.node.children if child.node.id.startswith("BucketNotificationsHandler")
    )
    _add(
        notifications,
        "IAM4",
        "CDK-provided BucketNotificationsHandler (it sets the import bucket's notification of bank files): its role "
        "uses AWSLambdaBasicExecutionRole for its logs.",
        applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    )
    # Settlement's chunks (settlement/<run>/...) in the same bucket, and its Distributed Map's child executions.
    _add(
        tasks,
        "IAM5",
        "Settlement: its chunk objects and manifest under settlement/<run>/ in the import bucket, whose keys the "
        "service makes per run; workflow_tasks writes them when it lists the payouts and reads them back per chunk. "
        "CDK's S3 action groups on that one prefix.",
        applies_to=[f"Resource::{_arn(stack, imports.bucket)}/settlement/*", *S3_READ_ACTIONS, *S3_PUT_ACTIONS],
    )
    settlement = stack.get_logical_id(stack.workflows["settlement"].node.default_child)  # type: ignore[arg-type]
    _add(
        imports.settlement_policy,
        "IAM5",
        "The settlement machine's Distributed Map runs each chunk as a child execution of the machine itself: "
        "states:DescribeExecution and StopExecution on this machine's executions (execution:<its name>/*), "
        "whose ids Step Functions makes, as the Distributed Map's documented IAM policy says.",
        applies_to=[
            RegexAppliesTo(
                regex=f"/^Resource::arn:<AWS::Partition>:states:[^:]+:[^:]+:execution:<{settlement}\\.Name>\\/\\*$/g"
            )
        ],
    )


def _secret_names(stack: ArPortalStack, pattern: str) -> RegexAppliesTo:
    """How cdk-nag spells a secret ARN pattern under the webhook prefix, the region and account being literals or
    tokens depending on the CLI's environment."""
    names = re.escape(stack.webhooks.secret_prefix + pattern).replace("/", "\\/")
    return RegexAppliesTo(regex=f"/^Resource::arn:<AWS::Partition>:secretsmanager:[^:]+:[^:]+:secret:{names}$/g")


def _webhooks(stack: ArPortalStack) -> None:
    webhooks = stack.webhooks
    _add(
        webhooks.sweep_dead_letters,
        "SQS3",
        "This queue is the dead-letter queue of the webhook sweep's schedule rule (its target's DeadLetterConfig) and "
        "the dispatcher's asynchronous on-failure destination; cdk-nag sees neither as a DLQ.",
    )
    every_secret = _secret_names(stack, "*")
    signing_key = _secret_names(stack, "signing-key*")
    public_key = _secret_names(stack, "signing-key-public-??????")
    for name, secrets in (
        ("webhook_dispatcher", [every_secret, signing_key]),
        ("integration_api", [every_secret]),
        ("public_api", [public_key]),
    ):
        role = stack.functions[name].role
        assert role is not None
        applies_to: list[str | RegexAppliesTo] = [*secrets]
        if name != "public_api":
            applies_to.append(_table_indexes(stack, webhooks.table))
        _add(
            role,
            "IAM5",
            "Webhook endpoints' signing secrets are made at run time, one per endpoint, named "
            "<prefix>endpoints/<endpoint id>, so only the stack's own prefix can be named: the dispatcher reads them, "
            "the integration API makes, rotates and deletes them. The agency's Ed25519 key is one secret, "
            "<prefix>signing-key with its public half <prefix>signing-key-public, made by whoever needs it first: "
            "CreateSecret is conditioned on those exact secretsmanager:Names; the public API reads the public half "
            "only (the ?????? is the ARN's random suffix). The index wildcard is the webhooks table's Due and Held "
            "GSIs.",
            applies_to=applies_to,
        )


def _journals(stack: ArPortalStack) -> None:
    """GL journal files (issue 14) under journals/ in the audit bucket, whose keys carry each batch id and hash."""
    objects = f"Resource::{_arn(stack, stack.data.audit_bucket)}/journals/*"
    for name in ("scheduled_jobs", "staff_api"):
        role = stack.functions[name].role
        assert role is not None
        _add(
            role,
            "IAM5",
            "GL journal files: each batch's CSV and JSON are put once under journals/<date>/<batch>/<sha256> in the "
            "Object Lock audit bucket (the daily journal job; an approved correction in the staff API). CDK's put "
            "action group, on that one prefix.",
            applies_to=[objects, *S3_PUT_ACTIONS],
        )


def _backup(stack: ArPortalStack) -> None:
    role = stack.backup.role
    _add(
        role,
        "IAM4",
        "AWS Backup's own service-role policies, the documented way to let it back up and restore DynamoDB and "
        "S3 (AWS keeps them current with the services' APIs); the role is assumable by backup.amazonaws.com only "
        "and the plan's selection names this stack's tables and buckets.",
        applies_to=[
            f"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{name}"
            for name in (
                "AWSBackupServiceRolePolicyForBackup",
                "AWSBackupServiceRolePolicyForRestores",
                "AWSBackupServiceRolePolicyForS3Backup",
                "AWSBackupServiceRolePolicyForS3Restore",
            )
        ],
    )
    _add(
        role,
        "IAM5",
        "CDK's encrypt/decrypt grant on the stack key, which encrypts the tables and the documents and audit "
        "buckets that AWS Backup reads and restores.",
        applies_to=KMS_GRANT_ACTIONS,
    )
