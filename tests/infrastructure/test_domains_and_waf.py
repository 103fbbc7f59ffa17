"""Custom domains appear only when configured, and the web distribution always has a CLOUDFRONT web ACL: its own in
us-east-1, a companion stack's elsewhere, or the agency's. Settings that cannot work stop the synth.

Two variant syntheses (their own xdist group): a stack in eu-west-1 with the agency's domains in its Route 53 zone
(the web ACL in a us-east-1 companion stack), and one with certificates and a web ACL the agency made itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from infrastructure import deployment_config
from infrastructure.constructs.web import Web
from tests.infrastructure.synth import Synthesized, get_att, synthesize

pytestmark = pytest.mark.xdist_group("cdk-operations")

ZONE = {"hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "springfield.example.gov"}
WEB_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
API_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
AGENCY_WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/agency-edge/0a1b2c3d-0000-1111-2222-333344445555"


@pytest.mark.xdist_group("cdk")
def test_no_custom_domain_by_default(synthesized: Synthesized) -> None:
    for resource_type in (
        "AWS::ApiGateway::DomainName",
        "AWS::CertificateManager::Certificate",
        "AWS::Route53::RecordSet",
    ):
        assert synthesized.of_type(resource_type) == {}
    config = synthesized.resource(synthesized.stack.web.distribution)["Properties"]["DistributionConfig"]
    assert "Aliases" not in config
    assert not {"ApiDomainTarget", "WebDomainTarget"} & set(synthesized.outputs)


@pytest.mark.xdist_group("cdk")
def test_the_distribution_has_its_own_web_acl_in_us_east_1(synthesized: Synthesized) -> None:
    web = synthesized.stack.web
    config = synthesized.resource(web.distribution)["Properties"]["DistributionConfig"]
    (acl_id,) = [
        lid
        for lid, acl in synthesized.of_type("AWS::WAFv2::WebACL").items()
        if acl["Properties"]["Scope"] == "CLOUDFRONT"
    ]
    assert config["WebACLId"] == get_att(acl_id)
    rules = [rule["Name"] for rule in synthesized.resources[acl_id]["Properties"]["Rules"]]
    assert "AWSManagedRulesCommonRuleSet" in rules and "WebRateLimit" in rules
    assert synthesized.stack.region == "us-east-1"
    # a known region needs no region check in the template
    assert "WebAclRegion" not in json.dumps(synthesized.template.to_json().get("Rules", {}))


@pytest.fixture(scope="module")
def with_domains(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk.out.domains"),
        region="eu-west-1",
        apiDomain="api.pay.springfield.example.gov",
        webDomain="pay.springfield.example.gov",
        webCertificateArn=WEB_CERTIFICATE,
        alarmEmail="oncall@springfield.example.gov",
        **ZONE,
    )


@pytest.fixture(scope="module")
def agency_made(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(
        tmp_path_factory.mktemp("cdk.out.agency"),
        region="eu-west-1",
        apiDomain="api.pay.springfield.example.gov",
        apiCertificateArn=API_CERTIFICATE,
        webDomain="pay.springfield.example.gov",
        webCertificateArn=WEB_CERTIFICATE,
        cloudFrontWebAclArn=AGENCY_WEB_ACL,
    )


def _nag_findings(stack: cdk.Stack) -> list[Any]:
    """Unacknowledged cdk-nag findings on what this issue's operations add or vary (web, domains, backup, edge)."""
    annotations = Annotations.from_stack(stack)
    pattern = Match.string_like_regexp("AwsSolutions-.*")
    found = [*annotations.find_error("*", pattern), *annotations.find_warning("*", pattern)]
    ours = ("/Web/", "/Domains/", "/Backup/", "/Api/", "/Dashboard/", "/Observability/", "-edge/")
    return [finding for finding in found if any(part in finding.id for part in ours)]


def test_domains_in_the_zone_get_a_certificate_and_records(with_domains: Synthesized) -> None:
    (certificate,) = with_domains.of_type("AWS::CertificateManager::Certificate").values()
    assert certificate["Properties"]["DomainName"] == "api.pay.springfield.example.gov"
    assert certificate["Properties"]["ValidationMethod"] == "DNS"
    assert certificate["Properties"]["DomainValidationOptions"][0]["HostedZoneId"] == ZONE["hostedZoneId"]
    (domain,) = with_domains.of_type("AWS::ApiGateway::DomainName").values()
    assert domain["Properties"]["SecurityPolicy"] == "TLS_1_2"
    (mapping,) = with_domains.of_type("AWS::ApiGateway::BasePathMapping").values()
    assert "BasePath" not in mapping["Properties"]  # https://api.../v1/..., the stage at the root
    records = {
        (r["Properties"]["Name"], r["Properties"]["Type"])
        for r in with_domains.of_type("AWS::Route53::RecordSet").values()
    }
    assert records == {
        ("api.pay.springfield.example.gov.", "A"),
        ("pay.springfield.example.gov.", "A"),
        ("pay.springfield.example.gov.", "AAAA"),
    }
    config = with_domains.resource(with_domains.stack.web.distribution)["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["pay.springfield.example.gov"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == WEB_CERTIFICATE
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    # browsers come from the agency's name and call the API on its name
    assert with_domains.stack.web.origin == "https://pay.springfield.example.gov"
    assert with_domains.stack.api.url == "https://api.pay.springfield.example.gov/"
    (subscription,) = with_domains.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == "oncall@springfield.example.gov"


def test_a_stack_outside_us_east_1_gets_its_web_acl_from_a_companion_stack(with_domains: Synthesized) -> None:
    stack = with_domains.stack
    edge = stack.node.root.node.find_child(f"{stack.stack_name}-edge")
    assert isinstance(edge, cdk.Stack) and edge.region == "us-east-1"
    assert edge in stack.dependencies
    (acl,) = [a for a in edge.node.find_all() if isinstance(a, cdk.aws_wafv2.CfnWebACL)]
    assert acl.scope == "CLOUDFRONT"
    assert all(a["Properties"]["Scope"] == "REGIONAL" for a in with_domains.of_type("AWS::WAFv2::WebACL").values())
    config = with_domains.resource(stack.web.distribution)["Properties"]["DistributionConfig"]
    assert "WebACLId" in config and "ExportsReader" in json.dumps(config["WebACLId"])
    assert _nag_findings(stack) == [] and _nag_findings(edge) == []


def test_an_agency_can_bring_its_certificates_and_web_acl(agency_made: Synthesized) -> None:
    stack = agency_made.stack
    assert stack.node.root.node.try_find_child(f"{stack.stack_name}-edge") is None
    config = agency_made.resource(stack.web.distribution)["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == AGENCY_WEB_ACL
    assert agency_made.of_type("AWS::CertificateManager::Certificate") == {}
    assert agency_made.of_type("AWS::Route53::RecordSet") == {}
    (domain,) = agency_made.of_type("AWS::ApiGateway::DomainName").values()
    assert domain["Properties"]["RegionalCertificateArn"] == API_CERTIFICATE
    # no zone of ours: the outputs say where the agency's DNS points
    assert {"ApiDomainTarget", "WebDomainTarget"} <= set(agency_made.outputs)
    assert _nag_findings(stack) == []


def _web_alone(region: str | None) -> tuple[cdk.Stack, Web]:
    stack = cdk.Stack(cdk.App(), "WebAlone", env=cdk.Environment(region=region) if region else None)
    config = deployment_config.load({"agency": "springfield", "agencyName": "City", "senderEmail": "a@b.example.gov"})
    logs = s3.Bucket(stack, "Logs")
    return stack, Web(stack, "Web", config=config, access_logs_bucket=logs, api_origin="https://api.example.gov")


def test_a_stack_whose_region_is_known_at_deploy_only_refuses_any_region_but_us_east_1() -> None:
    stack, web = _web_alone(None)
    template = Template.from_stack(stack).to_json()
    (rule,) = [r for name, r in template["Rules"].items() if name.startswith("WebWebAclRegion")]
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    distribution = web.distribution.node.default_child
    assert isinstance(distribution, cdk.CfnElement)
    config = template["Resources"][stack.get_logical_id(distribution)]["Properties"]
    assert "WebACLId" in config["DistributionConfig"]


def test_a_stack_elsewhere_cannot_make_its_own_cloudfront_web_acl() -> None:
    with pytest.raises(ValueError, match="cannot live in eu-west-1"):
        _web_alone("eu-west-1")


BASE = {"agency": "springfield", "agencyName": "City", "senderEmail": "pay@springfield.example.gov"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"webDomain": "pay.springfield.example.gov"}, "webDomain: set webCertificateArn"),
        ({"webCertificateArn": API_CERTIFICATE}, "webCertificateArn: CloudFront takes a certificate in us-east-1"),
        ({"apiDomain": "api.springfield.example.gov"}, "apiDomain: set apiCertificateArn, or hostedZoneId"),
        ({"hostedZoneId": ZONE["hostedZoneId"]}, "hostedZoneId and hostedZoneName: set both"),
        ({"apiDomain": "api.elsewhere.example.com", **ZONE}, "apiDomain: api.elsewhere.example.com is not in"),
        ({"cloudFrontWebAclArn": AGENCY_WEB_ACL.replace("us-east-1", "eu-west-1")}, "cloudFrontWebAclArn"),
    ],
)
def test_domain_settings_that_cannot_work_stop_the_synth(values: dict[str, str], message: str) -> None:
    with pytest.raises(deployment_config.DeploymentConfigError, match=re.escape(message)):
        deployment_config.load({**BASE, **values})
