"""Where the money and its evidence live: the customer-managed key, the DynamoDB tables and the S3 buckets.

The tables are built only from ``arportal.adapters.dynamodb.tables.TABLES``: the local runtime reads the
same specs, so a key or an index cannot exist in one place and not the other.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from arportal.adapters.dynamodb import tables as specs
from infrastructure.constructs.logs import is_protected
from infrastructure.deployment_config import DeploymentConfig

# Public-records schedules for payment evidence are commonly seven years.
AUDIT_RETENTION_PROD = Duration.days(7 * 366)


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self.key = kms.Key(
            self,
            "Key",
            description=f"Receivables Portal {config.agency}/{config.stage}: tables, buckets, logs, bus",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self._allow_service_principals()
        self.tables: dict[str, dynamodb.Table] = {spec.logical_id: self._table(spec) for spec in specs.TABLES}
        self.access_logs_bucket = self._access_logs_bucket()
        self.documents_bucket = self._documents_bucket()
        self.audit_bucket = self._audit_bucket()

    @property
    def ledger(self) -> dynamodb.Table:
        return self.tables[specs.LEDGER.logical_id]

    @property
    def audit(self) -> dynamodb.Table:
        return self.tables[specs.AUDIT.logical_id]

    @property
    def idempotency(self) -> dynamodb.Table:
        return self.tables[specs.IDEMPOTENCY.logical_id]

    def _allow_service_principals(self) -> None:
        # CloudWatch Logs encrypts with the key only when the key policy names it (IAM cannot grant that),
        # scoped to this account's log groups through the encryption context.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"
                        )
                    }
                },
            )
        )
        # CloudWatch alarms publish to the KMS-encrypted alarm topic.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )

    def _table(self, spec: specs.TableSpec) -> dynamodb.Table:
        # The ledger and the audit trail are the books of record; everything else can be rebuilt.
        if not spec.all_string_keys:
            raise ValueError(f"{spec.logical_id}: only string keys are modelled here")
        books_of_record = spec in (specs.LEDGER, specs.AUDIT)
        protected = books_of_record and is_protected(self._config)
        table = dynamodb.Table(
            self,
            f"{spec.logical_id}Table",
            partition_key=_attribute(spec.partition_key),
            sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            time_to_live_attribute=spec.ttl_attribute,
            # Both readers (the outbox pipe, the audit export) need only what was written.
            stream=dynamodb.StreamViewType.NEW_IMAGE if spec.stream else None,
            deletion_protection=protected,
            removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition_key),
                sort_key=_attribute(index.sort_key) if index.sort_key else None,
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table

    def _access_logs_bucket(self) -> s3.Bucket:
        # S3 server access logging can only deliver to an SSE-S3 bucket; CloudFront standard logging needs
        # ACLs, hence BUCKET_OWNER_PREFERRED.
        return s3.Bucket(
            self,
            "AccessLogsBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(400), noncurrent_version_expiration=Duration.days(30))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _documents_bucket(self) -> s3.Bucket:
        return s3.Bucket(
            self,
            "DocumentsBucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,  # one KMS call per object prefix instead of per request
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="documents/",
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _audit_bucket(self) -> s3.Bucket:
        # COMPLIANCE mode in prod: not even the root user can shorten it. Other stages use GOVERNANCE so
        # test exports can be cleaned up by someone holding s3:BypassGovernanceRetention.
        if self._config.stage == "prod":
            retention = s3.ObjectLockRetention.compliance(AUDIT_RETENTION_PROD)
        else:
            days = 365 if is_protected(self._config) else 1
            retention = s3.ObjectLockRetention.governance(Duration.days(days))
        return s3.Bucket(
            self,
            "AuditBucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_lock_enabled=True,
            object_lock_default_retention=retention,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="audit/",
            removal_policy=RemovalPolicy.RETAIN,
        )


def _attribute(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
