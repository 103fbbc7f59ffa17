"""Bulk imports in the stack: the import bucket (our key, private, TLS only, a week's expiry, CORS for the console's
PUT), the import machine and what its ASL needs (listing the chunks, its own child executions), who may start it,
and its alarm."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infrastructure import catalog
from tests.infrastructure.synth import Synthesized, get_att

pytestmark = pytest.mark.xdist_group("cdk")


def _bucket(synthesized: Synthesized) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resource(synthesized.stack.imports.bucket)["Properties"]
    return properties


def _policies_of(synthesized: Synthesized, role: Any) -> str:
    role_id = synthesized.logical_id(role)
    return json.dumps(
        [
            policy["Properties"]["PolicyDocument"]
            for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
        ]
    )


def test_the_import_bucket_is_encrypted_private_and_expires_its_files(synthesized: Synthesized) -> None:
    bucket = _bucket(synthesized)
    key_arn = get_att(synthesized.logical_id(synthesized.stack.data.key))
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    expiry = [r for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r]
    assert [r["ExpirationInDays"] for r in expiry] == [7]
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": synthesized.logical_id(synthesized.stack.data.access_logs_bucket)
    }
    name = json.dumps(bucket["BucketName"])
    assert "arportal-imports-" in name and "AWS::AccountId" in name and "AWS::Region" in name


def test_the_console_may_put_uploads_from_its_own_origin_only(synthesized: Synthesized) -> None:
    (rule,) = _bucket(synthesized)["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["PUT"] and rule["AllowedHeaders"] == ["content-type"]
    (origin,) = rule["AllowedOrigins"]
    assert synthesized.logical_id(synthesized.stack.web.distribution) in json.dumps(origin)
    (policy,) = synthesized.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = json.dumps(policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"])
    assert "arportal-imports-" in csp and ".s3.amazonaws.com" in csp  # connect-src: the bucket, for the PUT


def test_the_import_machine_lists_its_chunks_and_runs_its_own_child_executions(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    machine = stack.workflows["source_import"]
    properties = synthesized.resource(machine)["Properties"]
    assert properties["DefinitionSubstitutions"]["ImportBucketName"] == {
        "Ref": synthesized.logical_id(stack.imports.bucket)
    }
    (spec,) = [m for m in catalog.STATE_MACHINES if m.name == "source_import"]
    loader = json.loads(spec.definition_file.read_text())["States"]["LoadChunks"]
    assert loader["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert loader["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert loader["ItemReader"]["Parameters"]["Bucket"] == "${ImportBucketName}"

    statements = _policies_of(synthesized, machine.role)
    assert "s3:ListBucket" in statements and "imports/*" in statements
    assert "s3:GetObject" not in statements  # the tasks read the chunks, the machine only lists them
    child = synthesized.resource(stack.imports.machine_policy)["Properties"]["PolicyDocument"]["Statement"]
    assert child[0] == {
        "Action": "states:StartExecution",
        "Effect": "Allow",
        "Resource": {"Ref": synthesized.logical_id(machine)},
    }
    assert child[1]["Action"] == ["states:DescribeExecution", "states:StopExecution"]


def test_the_api_functions_start_imports_and_the_tasks_read_and_write_the_files(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    machine = synthesized.logical_id(stack.workflows["source_import"])
    bucket = synthesized.logical_id(stack.imports.bucket)
    for name in ("integration_api", "staff_api"):
        fn = synthesized.resource(stack.functions[name])["Properties"]
        variables = fn["Environment"]["Variables"]
        assert variables["SOURCE_IMPORT_STATE_MACHINE_ARN"] == {"Ref": machine}
        assert variables["IMPORT_BUCKET"] == {"Ref": bucket}
        statements = _policies_of(synthesized, stack.functions[name].role)
        assert "states:StartExecution" in statements and machine in statements
        assert "s3:PutObject" in statements and "s3:DeleteObject" not in statements
    tasks = _policies_of(synthesized, stack.functions["workflow_tasks"].role)
    assert bucket in tasks and "s3:PutObject" in tasks and "s3:DeleteObject" not in tasks


def test_failed_imports_raise_an_alarm(synthesized: Synthesized) -> None:
    machine = synthesized.logical_id(synthesized.stack.workflows["source_import"])
    alarms = [
        alarm["Properties"]
        for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["MetricName"] == "ExecutionsFailed"
        and json.dumps(alarm["Properties"]["Dimensions"]).count(machine)
    ]
    assert len(alarms) == 1 and alarms[0]["Threshold"] == 1
