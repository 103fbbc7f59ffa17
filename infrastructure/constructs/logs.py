"""The one way this stack makes a log group, so retention and encryption cannot differ between concerns."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure.deployment_config import DeploymentConfig


def is_protected(config: DeploymentConfig) -> bool:
    """Every stage but ``dev`` keeps its data when a resource is replaced or the stack is deleted."""
    return config.stage != "dev"


def encrypted_log_group(
    scope: Construct, construct_id: str, *, key: kms.IKey, config: DeploymentConfig
) -> logs.LogGroup:
    """A CMK-encrypted log group; access and execution logs can carry customer names and amounts."""
    protected = is_protected(config)
    return logs.LogGroup(
        scope,
        construct_id,
        encryption_key=key,
        retention=logs.RetentionDays.ONE_YEAR if protected else logs.RetentionDays.ONE_MONTH,
        removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
    )
