"""Bulk imports: the import bucket, and who may do what with it and with the import machine.

The bucket holds each import's upload (``imports/<id>/source``, PUT by the agency's system or the console's page
through a presigned URL), its chunks and their error files, and the merged error report (GET through a presigned
URL). Everything in it is transient: objects expire after ``EXPIRY`` (the job's record stays in the ledger).

Its name is fixed (account, region and a digest of agency and stage), not generated: the console's
Content-Security-Policy must name the bucket's origin for the browser's PUT, and the bucket's CORS rule names the
console's origin, so a generated name would make the distribution and the bucket depend on each other.

Bank files dropped under ``BANK_FILE_DROP`` (``bank-files/inbox/``) by the agency's bank or its SFTP relay are
imported as they arrive: the bucket notifies the workflow_tasks function of each new object (an S3 event
notification, not a queue: the import is idempotent by the file's hash, so S3's at-least-once delivery and a retry
of a failed invocation apply nothing twice). The drop expires with the bucket's week like every upload; the file
itself is kept in the documents bucket once imported (``arportal/services/bank_files.py``).

The import machine (``statemachines/source_import.asl.json``) itself is one of ``Workflows``; here it is granted
what its ASL uses beyond the common grants: listing the chunks (the Distributed Map's ``ItemReader``) and running
its own child executions (the Distributed Map's ``ItemProcessor``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infrastructure.deployment_config import DeploymentConfig

EXPIRY = Duration.days(7)
OBJECTS = "imports/*"  # every import's object is under imports/<import id>/
# Settlement's chunks and manifest (settlement/<run>/...): transient work files like an import's, so the same
# bucket, key and week's expiry rather than a bucket of their own.
SETTLEMENT_OBJECTS = "settlement/*"
UPLOAD_CORS_MAX_AGE_S = 3000
BANK_FILE_DROP = "bank-files/inbox/"


def bucket_name(config: DeploymentConfig) -> str:
    """``arportal-imports-<account>-<region>-<digest>``: unique per stack, at most 53 characters."""
    digest = hashlib.sha256(f"{config.agency}/{config.stage}".encode()).hexdigest()[:8]
    return f"arportal-imports-{Aws.ACCOUNT_ID}-{Aws.REGION}-{digest}"


class Imports(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        access_logs_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        self._key = key
        name = bucket_name(config)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=name,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=access_logs_bucket,
            server_access_logs_prefix="imports/",
            versioned=True,  # a second PUT of the upload, or a re-split's chunks, keeps what was there
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=EXPIRY,
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(expired_object_delete_marker=True),
            ],
            # Uploads and reports of a week at most: nothing here outlives the stack (a deletion waits for them to
            # expire, or for someone to empty the bucket).
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Where a browser PUTs a presigned upload: the global and the regional virtual-host names of the bucket.
        self.origins: tuple[str, ...] = (
            f"https://{name}.s3.amazonaws.com",
            f"https://{name}.s3.{Aws.REGION}.{Aws.URL_SUFFIX}",
        )

    def allow_uploads_from(self, origin: str) -> None:
        """The console's page PUTs the file to its presigned URL: a cross-origin request with a Content-Type."""
        self.bucket.add_cors_rule(
            allowed_methods=[s3.HttpMethods.PUT],
            allowed_origins=[origin],
            allowed_headers=["content-type"],
            max_age=UPLOAD_CORS_MAX_AGE_S,
        )

    def grant(
        self, *, machine: sfn.StateMachine, tasks: lambda_.IFunction, callers: Sequence[lambda_.IFunction]
    ) -> None:
        # The tasks read the upload and the chunks, and write the chunks, their error files and the report (and
        # delete nothing: the lifecycle rule does).
        self.bucket.grant_read(tasks, OBJECTS)
        self.bucket.grant_put(tasks, OBJECTS)
        self._key.grant_encrypt_decrypt(tasks)
        # The API functions sign the upload's PUT and the report's GET, and check that the upload is there (a HEAD
        # needs s3:ListBucket to answer 404 rather than 403 for a file not uploaded yet).
        for fn in callers:
            self.bucket.grant_put(fn, OBJECTS)
            self.bucket.grant_read(fn, OBJECTS)
            self._key.grant_encrypt_decrypt(fn)
            machine.grant_start_execution(fn)
        # The Distributed Map lists the chunks (and reads none); its child executions are executions of this machine.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [OBJECTS]}},
            )
        )
        self.machine_policy = self._child_executions(machine)

    def deliver_bank_files(self, handler: lambda_.IFunction) -> sqs.Queue:
        """Each object created under the bank-file drop invokes ``handler`` (asynchronously, with Lambda's own
        retries), which reads it (and only that prefix) and imports it. A file whose import still fails after the
        retries is not dropped: its event waits in the returned (alarmed) queue, to be sent again by hand
        (docs/runbooks/dead-letter-queue.md); importing it twice is harmless (a file is imported once, by its
        hash)."""
        failed = sqs.Queue(
            self,
            "BankFileDropFailures",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self._key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        # Lambda's asynchronous invocations of this function are S3's only: Step Functions invokes it synchronously
        handler.configure_async_invoke(on_failure=destinations.SqsDestination(failed), retry_attempts=2)
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(handler),
            s3.NotificationKeyFilter(prefix=BANK_FILE_DROP),
        )
        self.bucket.grant_read(handler, f"{BANK_FILE_DROP}*")
        self._key.grant_decrypt(handler)
        return failed

    def grant_settlement(self, *, machine: sfn.StateMachine, tasks: lambda_.IFunction) -> None:
        """The settlement machine's tasks write and read its chunks; its Distributed Map lists them and starts
        its child executions."""
        self.bucket.grant_read(tasks, SETTLEMENT_OBJECTS)
        self.bucket.grant_put(tasks, SETTLEMENT_OBJECTS)
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [SETTLEMENT_OBJECTS]}},
            )
        )
        self.settlement_policy = self._child_executions(machine, "SettlementMachineChildExecutions")

    def _child_executions(
        self, machine: sfn.StateMachine, policy_id: str = "ImportMachineChildExecutions"
    ) -> iam.Policy:
        """A policy of its own, not the role's default one: the machine depends on its role's default policy, and
        a statement naming the machine's own ARN there would make the two depend on each other."""
        executions = Stack.of(self).format_arn(
            service="states",
            resource="execution",
            resource_name=f"{machine.state_machine_name}/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        return iam.Policy(
            self,
            policy_id,
            roles=[machine.role],
            statements=[
                iam.PolicyStatement(actions=["states:StartExecution"], resources=[machine.state_machine_arn]),
                iam.PolicyStatement(
                    actions=["states:DescribeExecution", "states:StopExecution"], resources=[executions]
                ),
            ],
        )
