"""AWS Backup of the tables and the buckets that hold payment evidence, beside (not instead of) the tables' PITR.

PITR restores a table to any second of the last 35 days; the backup plan keeps a daily recovery point for 35 days and
a monthly one for a year, in a vault encrypted with the stack's key whose recovery points nobody may delete by hand,
so a table deleted with its PITR, or a bucket emptied, can still be brought back (docs/runbooks/restore-a-table.md).
Backed up: every table, and the documents, audit-export and access-log buckets (S3 backup needs versioning, which
they have). Not backed up: the web bucket (rebuilt from the repository at every deploy) and the import bucket (a
week's uploads, already applied to the ledger, expiring by design). A failed backup job notifies the
alarm topic through an EventBridge rule (the vault's own notifications cannot tell a failure from a success).
"""

from __future__ import annotations

import jsii
from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_events as events_refs
from constructs import Construct

from infrastructure.deployment_config import DeploymentConfig

DAILY_RETENTION = Duration.days(35)
MONTHLY_RETENTION = Duration.days(366)
# 05:00 UTC: after the night's settlement and journal jobs in US time zones, before the working day.
DAILY_SCHEDULE = events.Schedule.cron(minute="0", hour="5")
MONTHLY_SCHEDULE = events.Schedule.cron(minute="0", hour="5", day="1")
# What AWS Backup needs to back up and restore S3 (its DynamoDB policies do not cover S3).
S3_MANAGED_POLICIES = ("AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore")
FAILED_STATES = ["FAILED", "ABORTED", "EXPIRED"]


class Backup(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        tables: list[dynamodb.ITable],
        buckets: list[s3.IBucket],
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            encryption_key=key,
            block_recovery_point_deletion=True,
            removal_policy=RemovalPolicy.RETAIN,  # a vault outlives the stack: it is what a restore starts from
        )
        self.plan = backup.BackupPlan(self, "Plan", backup_vault=self.vault)
        self.plan.add_rule(
            backup.BackupPlanRule(rule_name="Daily", schedule_expression=DAILY_SCHEDULE, delete_after=DAILY_RETENTION)
        )
        self.plan.add_rule(
            backup.BackupPlanRule(
                rule_name="Monthly", schedule_expression=MONTHLY_SCHEDULE, delete_after=MONTHLY_RETENTION
            )
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description="AWS Backup: back up and restore the Receivables Portal's tables and buckets",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(f"service-role/{name}")
                for name in (
                    "AWSBackupServiceRolePolicyForBackup",
                    "AWSBackupServiceRolePolicyForRestores",
                    *S3_MANAGED_POLICIES,
                )
            ],
        )
        key.grant_encrypt_decrypt(self.role)  # the tables and two of the buckets are encrypted with the stack key
        self.tables, self.buckets = tables, buckets
        self.selection = self.plan.add_selection(
            "Selection",
            resources=[
                *(backup.BackupResource.from_dynamo_db_table(table) for table in tables),
                *(backup.BackupResource.from_arn(bucket.bucket_arn) for bucket in buckets),
            ],
            role=self.role,
        )
        self.failures = self._notify_failures(config, key, topic)

    def _notify_failures(self, config: DeploymentConfig, key: kms.IKey, topic: sns.ITopic) -> events.Rule:
        """Backup jobs that did not complete, to the alarm topic: every job of the account and region, not only this
        vault's (a filter on a field AWS might not send would fail silently; a stage sharing the account hears of the
        others' failures too). A restore is run, and watched, by a person (docs/runbooks/restore-a-table.md)."""
        rule_name = f"{config.stack_name}-backup-failures"
        rule = events.Rule(
            self,
            "Failures",
            rule_name=rule_name,
            description="AWS Backup jobs (this account and region) that did not complete, to the alarm topic",
            event_pattern=events.EventPattern(
                source=["aws.backup"],
                detail_type=["Backup Job State Change"],
                detail={"state": FAILED_STATES},
            ),
        )
        # Not targets.SnsTopic: for an encrypted topic it grants EventBridge the key with no condition at all. Here
        # the topic's policy and the key's name this rule only (by name in the key: a Ref would be a key -> rule ->
        # topic -> key cycle).
        rule_arn = Stack.of(self).format_arn(service="events", resource="rule", resource_name=rule_name)
        rule.add_target(_TopicTarget(topic))
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
            )
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"ArnEquals": {"aws:SourceArn": rule_arn}},
            )
        )
        return rule


@jsii.implements(events.IRuleTarget)
class _TopicTarget:
    """The alarm topic as a rule's target, with no grant of its own (``Backup._notify_failures`` makes them)."""

    def __init__(self, topic: sns.ITopic) -> None:
        self.topic = topic

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        return events.RuleTargetConfig(arn=self.topic.topic_arn)
