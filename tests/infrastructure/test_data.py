"""Tables are exactly the specs in TABLES; buckets are private, encrypted in transit and at rest."""

from __future__ import annotations

from typing import Any

import pytest

from arportal.adapters.dynamodb import tables
from tests.infrastructure.synth import Synthesized, get_att, mentions

pytestmark = pytest.mark.xdist_group("cdk")


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def _table(synthesized: Synthesized, spec: tables.TableSpec) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resource(synthesized.stack.data.tables[spec.logical_id])["Properties"]
    return properties


@pytest.mark.parametrize("spec", tables.TABLES, ids=lambda spec: spec.logical_id)
def test_table_keys_and_indexes_match_the_spec(synthesized: Synthesized, spec: tables.TableSpec) -> None:
    table = _table(synthesized, spec)
    assert table["KeySchema"] == _key_schema(spec.partition_key, spec.sort_key)
    assert {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]} == dict.fromkeys(
        spec.key_attributes(), "S"
    )
    indexes = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {index.name for index in spec.indexes}
    for index in spec.indexes:
        assert indexes[index.name]["KeySchema"] == _key_schema(index.partition_key, index.sort_key)
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}


@pytest.mark.parametrize("spec", tables.TABLES, ids=lambda spec: spec.logical_id)
def test_table_is_on_demand_recoverable_and_encrypted_with_our_key(
    synthesized: Synthesized, spec: tables.TableSpec
) -> None:
    table = _table(synthesized, spec)
    key_arn = get_att(synthesized.logical_id(synthesized.stack.data.key))
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn}


@pytest.mark.parametrize("spec", tables.TABLES, ids=lambda spec: spec.logical_id)
def test_table_ttl_and_stream_follow_the_spec(synthesized: Synthesized, spec: tables.TableSpec) -> None:
    table = _table(synthesized, spec)
    if spec.ttl_attribute:
        assert table["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in table
    if spec.stream:
        assert table["StreamSpecification"]["StreamViewType"] in {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}
    else:
        assert "StreamSpecification" not in table


def test_dev_stage_tables_can_be_torn_down(synthesized: Synthesized) -> None:
    # cdk.json's stage is dev: no deletion protection, so a developer's stack can be deleted.
    for spec in tables.TABLES:
        assert not _table(synthesized, spec).get("DeletionProtectionEnabled", False)


def test_kms_key_rotates(synthesized: Synthesized) -> None:
    assert synthesized.resource(synthesized.stack.data.key)["Properties"]["EnableKeyRotation"] is True


def test_every_bucket_blocks_public_access_and_is_encrypted(synthesized: Synthesized) -> None:
    buckets = synthesized.of_type("AWS::S3::Bucket")
    assert len(buckets) == 5  # access logs, documents, audit, web, imports
    for logical_id, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}, logical_id


def test_every_bucket_refuses_plain_http(synthesized: Synthesized) -> None:
    policies = synthesized.of_type("AWS::S3::BucketPolicy").values()
    for logical_id in synthesized.of_type("AWS::S3::Bucket"):
        denies_http = [
            statement
            for policy in policies
            if policy["Properties"]["Bucket"] == {"Ref": logical_id}
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            if statement["Effect"] == "Deny"
            and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert denies_http, logical_id


def test_documents_and_audit_buckets_use_our_key_and_log_access(synthesized: Synthesized) -> None:
    data = synthesized.stack.data
    key_arn = get_att(synthesized.logical_id(data.key))
    logs_bucket = synthesized.logical_id(data.access_logs_bucket)
    for bucket in (data.documents_bucket, data.audit_bucket):
        properties = synthesized.resource(bucket)["Properties"]
        rule = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
        assert properties["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs_bucket}


def test_audit_bucket_has_object_lock(synthesized: Synthesized) -> None:
    properties = synthesized.resource(synthesized.stack.data.audit_bucket)["Properties"]
    assert properties["ObjectLockEnabled"] is True
    retention = properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention["Mode"] in {"GOVERNANCE", "COMPLIANCE"}
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}


def test_log_groups_are_encrypted_and_expire(synthesized: Synthesized) -> None:
    key_arn = get_att(synthesized.logical_id(synthesized.stack.data.key))
    for logical_id, group in synthesized.of_type("AWS::Logs::LogGroup").items():
        assert group["Properties"]["KmsKeyId"] == key_arn, logical_id
        assert group["Properties"]["RetentionInDays"] > 0, logical_id


def test_key_policy_lets_cloudwatch_logs_use_the_key(synthesized: Synthesized) -> None:
    policy = synthesized.resource(synthesized.stack.data.key)["Properties"]["KeyPolicy"]
    assert mentions(policy, "kms:EncryptionContext:aws:logs:arn")
