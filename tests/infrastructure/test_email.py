"""Email that arrives: the agency's SES domain identity (Easy DKIM, custom MAIL FROM) created once and shared by the
other stages, this stage's configuration set whose bounces and complaints reach ``email_events``, Cognito sending
through SES, and the DNS records the outputs list (docs/email.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template

from infrastructure.constructs.email_identity import email_domain
from infrastructure.constructs.notifications import Notifications
from infrastructure.deployment_config import DeploymentConfigError, load
from tests.infrastructure.synth import Synthesized, context, get_att, mentions, synthesize

pytestmark = pytest.mark.xdist_group("cdk")
DOMAIN = "springfield.example.gov"  # cdk.json's senderEmail is payments@springfield.example.gov


@pytest.fixture(scope="module")
def second_stage(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """A second stage in the same account: it uses the identity the first made, and Cognito's own sender (as
    before the domain is verified)."""
    return synthesize(
        tmp_path_factory.mktemp("cdk.out.email"),
        stage="staging",
        emailIdentity="existing",
        emailDomain=DOMAIN,
        cognitoEmail="cognito",
    )


def _only(synthesized: Synthesized, resource_type: str) -> dict[str, Any]:
    (resource,) = synthesized.of_type(resource_type).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def _statements(synthesized: Synthesized, function: str) -> list[dict[str, Any]]:
    role = synthesized.resource(synthesized.stack.functions[function])["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_domain_identity_signs_with_easy_dkim_and_has_a_custom_mail_from(synthesized: Synthesized) -> None:
    identity = _only(synthesized, "AWS::SES::EmailIdentity")
    assert identity["EmailIdentity"] == DOMAIN
    assert identity["DkimAttributes"] == {"SigningEnabled": True}
    assert identity["DkimSigningAttributes"] == {"NextSigningKeyLength": "RSA_2048_BIT"}
    assert identity["MailFromAttributes"] == {
        "MailFromDomain": f"mail.{DOMAIN}",
        "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
    }
    # no default configuration set: each stage names its own on every message
    assert "ConfigurationSetAttributes" not in identity


def test_the_outputs_list_the_dns_records_to_add(synthesized: Synthesized) -> None:
    outputs = synthesized.outputs
    identity = synthesized.logical_id(synthesized.stack.notifications.created_identity)
    for n in (1, 2, 3):
        dkim = json.dumps(outputs[f"EmailDkimRecord{n}"]["Value"])
        assert f"DkimDNSTokenName{n}" in dkim and f"DkimDNSTokenValue{n}" in dkim and identity in dkim
        assert " CNAME " in dkim
    mx = json.dumps(outputs["EmailMailFromMx"]["Value"])
    assert f"mail.{DOMAIN} MX 10 feedback-smtp." in mx and "AWS::Region" in mx
    assert outputs["EmailMailFromSpf"]["Value"] == f'mail.{DOMAIN} TXT "v=spf1 include:amazonses.com ~all"'
    assert outputs["EmailDmarcSuggestion"]["Value"].startswith(f'_dmarc.{DOMAIN} TXT "v=DMARC1; p=quarantine')
    assert outputs["EmailIdentity"]["Value"] == DOMAIN


def test_bounces_and_complaints_of_this_configuration_set_reach_the_email_events_function(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    configuration_set = synthesized.logical_id(stack.notifications.configuration_set)
    assert _only(synthesized, "AWS::SES::ConfigurationSet")["SuppressionOptions"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]
    }
    destination = _only(synthesized, "AWS::SES::ConfigurationSetEventDestination")
    assert destination["ConfigurationSetName"] == {"Ref": configuration_set}
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert mentions(destination["EventDestination"]["EventBridgeDestination"], "event-bus/default")
    rule = synthesized.resource(stack.notifications.feedback_rule)["Properties"]
    assert rule["EventPattern"] == {
        "source": ["aws.ses"],
        "detail-type": ["Email Bounced", "Email Complaint Received"],
        "detail": {"mail": {"tags": {"ses:configuration-set": [{"Ref": configuration_set}]}}},
    }
    (target,) = rule["Targets"]
    assert target["Arn"] == get_att(synthesized.logical_id(stack.functions["email_events"]))
    dead_letters = synthesized.logical_id(stack.email_feedback_dead_letters)
    assert target["DeadLetterConfig"] == {"Arn": get_att(dead_letters)}
    assert synthesized.resources[dead_letters]["Properties"]["KmsMasterKeyId"] == get_att(
        synthesized.logical_id(stack.data.key)
    )
    alarmed = [a for a in synthesized.of_type("AWS::CloudWatch::Alarm").values() if mentions(a, dead_letters)]
    assert alarmed, "the dead letters' depth is alarmed"


def test_every_function_names_the_configuration_set_and_senders_read_the_suppression_list(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    configuration_set = {"Ref": synthesized.logical_id(stack.notifications.configuration_set)}
    ledger = get_att(synthesized.logical_id(stack.data.ledger))
    for name in ("portal_api", "staff_api", "workflow_tasks", "webhook_dispatcher", "scheduled_jobs"):
        variables = synthesized.resource(stack.functions[name])["Properties"]["Environment"]["Variables"]
        assert variables["SES_CONFIGURATION_SET"] == configuration_set, name
        reads = [
            s for s in _statements(synthesized, name) if s["Action"] == "dynamodb:GetItem" and s["Resource"] == ledger
        ]
        assert reads and reads[0]["Condition"] == {
            "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["EMAILSUP#*"]}
        }, name


def test_the_email_events_function_may_find_customers_by_email_and_write_nothing_else(
    synthesized: Synthesized,
) -> None:
    statements = _statements(synthesized, "email_events")
    dynamodb = {
        action: statement["Resource"]
        for statement in statements
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        if action.startswith("dynamodb:")
    }
    assert set(dynamodb) == {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}
    assert mentions(dynamodb["dynamodb:Query"], "/index/ByName")
    # The update is the ADD of the notes' day counters, on the ledger alone: the audit trail stays append-only.
    counted = dynamodb["dynamodb:UpdateItem"]
    assert mentions(counted, "Ledger") and not mentions(counted, "Audit")
    assert "ses:" not in json.dumps([s["Action"] for s in statements])  # it sends nothing


def test_cognito_sends_through_ses_from_the_agency_domain_after_the_identity_exists(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    identity = synthesized.logical_id(stack.notifications.created_identity)
    configuration_set = synthesized.logical_id(stack.notifications.configuration_set)
    for pool in (stack.identity.customer_pool, stack.identity.staff_pool):
        resource = synthesized.resource(pool)
        email = resource["Properties"]["EmailConfiguration"]
        assert email["EmailSendingAccount"] == "DEVELOPER"
        assert email["From"].endswith("<payments@springfield.example.gov>")
        assert email["ConfigurationSet"] == {"Ref": configuration_set}
        assert mentions(email["SourceArn"], f":identity/{DOMAIN}")
        assert identity in resource["DependsOn"] and configuration_set in resource["DependsOn"]


def test_a_second_stage_uses_the_existing_identity_and_creates_none(second_stage: Synthesized) -> None:
    assert second_stage.of_type("AWS::SES::EmailIdentity") == {}
    assert "EmailDkimRecord1" not in second_stage.outputs  # the stage that created the identity lists them
    assert {"EmailMailFromMx", "EmailMailFromSpf", "EmailDmarcSuggestion"} <= set(second_stage.outputs)
    # its own configuration set and feedback rule, and sending from the shared identity by name
    assert len(second_stage.of_type("AWS::SES::ConfigurationSet")) == 1
    sends = [
        s
        for s in _statements(second_stage, "portal_api")
        if "ses:SendEmail" in json.dumps(s["Action"]) and mentions(s["Resource"], f":identity/{DOMAIN}")
    ]
    assert sends
    pools = second_stage.of_type("AWS::Cognito::UserPool").values()
    assert not any("EmailConfiguration" in p["Properties"] for p in pools)  # cognitoEmail=cognito
    nag = Match.string_like_regexp("AwsSolutions-.*")
    assert second_stage.annotations.find_error("*", nag) == [] and second_stage.annotations.find_warning("*", nag) == []


@pytest.mark.parametrize(("stage", "policy"), [("dev", "Delete"), ("prod", "Retain")])
def test_a_protected_stage_keeps_the_identity_other_stages_send_from(stage: str, policy: str) -> None:
    stack = cdk.Stack(cdk.App(), "Email", env=cdk.Environment(account="123456789012", region="us-east-1"))
    key = kms.Key(stack, "Key")
    ledger = dynamodb.Table(
        stack, "Ledger", partition_key=dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING)
    )
    Notifications(stack, "Notifications", config=load(context(stage=stage)), ledger=ledger, key=key)

    (identity,) = Template.from_stack(stack).find_resources("AWS::SES::EmailIdentity").values()

    assert identity["DeletionPolicy"] == policy


def test_a_sender_outside_the_email_domain_is_refused() -> None:
    config = load(context(emailDomain="other.example.gov"))
    with pytest.raises(DeploymentConfigError, match=r"emailDomain: senderEmail .* would fail DMARC"):
        email_domain(config)
    assert email_domain(load(context(emailDomain="example.gov"))) == "example.gov"  # a parent domain aligns


def test_the_new_keys_are_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "email.md").read_text()
    for key in ("emailDomain", "mailFromSubdomain", "emailIdentity", "cognitoEmail", "/local/email-events"):
        assert key in text, key
