"""The web distribution, email, alarms and outputs."""

from __future__ import annotations

import json

import pytest

from arportal.adapters.dynamodb import tables
from infrastructure import catalog
from tests.infrastructure.synth import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def test_distribution_is_https_only_behind_origin_access_control(synthesized: Synthesized) -> None:
    config = synthesized.resource(synthesized.stack.web.distribution)["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (origin,) = config["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert config["Logging"]["Bucket"]


def test_security_headers(synthesized: Synthesized) -> None:
    (policy,) = synthesized.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert synthesized.logical_id(synthesized.stack.api.rest_api) in csp  # connect-src: our API only


def test_front_ends_get_a_runtime_config(synthesized: Synthesized) -> None:
    (deployment,) = synthesized.of_type("Custom::CDKBucketDeployment").values()
    markers = json.dumps(deployment["Properties"]["SourceMarkers"])
    identity = synthesized.stack.identity
    for construct in (
        identity.customer_pool,
        identity.customer_client,
        identity.staff_pool,
        identity.staff_client,
        synthesized.stack.api.rest_api,
    ):
        assert synthesized.logical_id(construct) in markers
    assert deployment["Properties"]["DistributionPaths"] == ["/*"]


def test_sender_identity_and_configuration_set(synthesized: Synthesized) -> None:
    # The sender's domain, not the address: DKIM and MAIL FROM align for DMARC (more in test_email.py)
    (identity,) = synthesized.of_type("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == synthesized.stack.config.sender_email.split("@")[1]
    assert len(synthesized.of_type("AWS::SES::ConfigurationSet")) == 1


def test_alarms_cover_functions_api_machines_and_dead_letters(synthesized: Synthesized) -> None:
    topic = synthesized.logical_id(synthesized.stack.observability.topic)
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm").values()
    # every queue but the webhook events' queue (which has its own DLQ) is a dead-letter queue with a depth alarm
    queues = synthesized.of_type("AWS::SQS::Queue")
    dead_letter_queues = sum(1 for q in queues.values() if "RedrivePolicy" not in q["Properties"])
    # the product's functions (not CDK's own handlers: the BucketDeployment's, the bucket notifications')
    functions = len(synthesized.stack.functions.functions)
    # the product's own metrics: endpoints switched off, reconciliation items opened, missing payouts, a journal
    # that failed to build, one that did not balance
    own_metrics = sum(1 for a in alarms if a["Properties"].get("Namespace") == "ArPortal")
    assert own_metrics >= 5
    # settlement's aborted runs too: a day left unsettled
    aborted = sum(1 for a in alarms if a["Properties"].get("MetricName") == "ExecutionsAborted")
    assert aborted == 1
    expected = 2 * functions + 1 + 2 * len(catalog.STATE_MACHINES) + aborted + dead_letter_queues + own_metrics
    assert len(alarms) == expected
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
    metrics = {alarm["Properties"]["MetricName"] for alarm in alarms}
    assert {"Errors", "Throttles", "5XXError", "ExecutionsFailed", "ApproximateNumberOfMessagesVisible"} <= metrics


def test_alarm_topic_is_encrypted_and_ssl_only(synthesized: Synthesized) -> None:
    topic = synthesized.resource(synthesized.stack.observability.topic)["Properties"]
    assert "KmsMasterKeyId" in topic
    (policy,) = synthesized.of_type("AWS::SNS::TopicPolicy").values()
    assert "aws:SecureTransport" in json.dumps(policy["Properties"]["PolicyDocument"])


def test_outputs(synthesized: Synthesized) -> None:
    names = set(synthesized.outputs)
    assert {
        "ApiUrl",
        "WebUrl",
        "CustomerUserPoolId",
        "CustomerUserPoolClientId",
        "StaffUserPoolId",
        "StaffUserPoolClientId",
        "EventBusName",
    } <= names
    assert {f"{spec.logical_id}TableName" for spec in tables.TABLES} <= names
    # the functions an operator invokes by hand (docs/deploy.md: a journal for a given day, the backfill)
    for name, function in (("ScheduledJobs", "scheduled_jobs"), ("AggregateBuilder", "aggregate_builder")):
        assert synthesized.outputs[f"{name}FunctionName"]["Value"] == {
            "Ref": synthesized.logical_id(synthesized.stack.functions[function])
        }
