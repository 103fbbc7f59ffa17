"""The stack's WAF web ACLs: the API's (REGIONAL) and the web distribution's (CLOUDFRONT, which AWS keeps in
us-east-1 only). Both start from AWS's managed rule groups (IP reputation, the common rule set, known bad inputs)
and end with a per-IP rate limit; the API adds a lower ceiling on the guest lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aws_cdk import Stack, Tags
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infrastructure.deployment_config import DeploymentConfig


@dataclass(frozen=True)
class RateLimit:
    """Requests per client IP per 5 minutes, on every path or only on paths containing ``path``."""

    name: str
    limit: int
    path: str | None = None


def web_acl(
    scope: Construct,
    construct_id: str,
    *,
    waf_scope: Literal["REGIONAL", "CLOUDFRONT"],
    description: str,
    metric_name: str,
    count_only: tuple[str, ...] = (),
    rate_limits: tuple[RateLimit, ...] = (),
) -> wafv2.CfnWebACL:
    """``count_only``: rules of the common rule set that only count (a legitimate request would trip them)."""
    managed_groups = [
        ("AWSManagedRulesAmazonIpReputationList", ()),
        ("AWSManagedRulesCommonRuleSet", count_only),
        ("AWSManagedRulesKnownBadInputsRuleSet", ()),
    ]
    rules = [_managed(priority, name, counted) for priority, (name, counted) in enumerate(managed_groups)]
    rules += [_rate_limit(len(rules) + index, rate) for index, rate in enumerate(rate_limits)]
    return wafv2.CfnWebACL(
        scope,
        construct_id,
        description=description,
        scope=waf_scope,
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility(metric_name),
        rules=rules,
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed(priority: int, name: str, count_only: tuple[str, ...]) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(
                        name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                    )
                    for rule in count_only
                ]
                or None,
            )
        ),
        visibility_config=_visibility(name),
    )


def _rate_limit(priority: int, rate: RateLimit) -> wafv2.CfnWebACL.RuleProperty:
    scope_down = None
    if rate.path:
        scope_down = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                positional_constraint="CONTAINS",
                search_string=rate.path,
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
            )
        )
    return wafv2.CfnWebACL.RuleProperty(
        name=rate.name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP", limit=rate.limit, scope_down_statement=scope_down
            )
        ),
        visibility_config=_visibility(rate.name),
    )


EDGE_REGION = "us-east-1"  # where AWS keeps CloudFront's web ACLs (and certificates)
# Per client IP per 5 minutes on the static site: a page view is a few dozen files, so this is hundreds of pages.
WEB_RATE_LIMIT = 3000


def cloudfront_web_acl(scope: Construct, construct_id: str, *, config: DeploymentConfig) -> wafv2.CfnWebACL:
    """The web distribution's web ACL (scope CLOUDFRONT: its stack must be in us-east-1)."""
    return web_acl(
        scope,
        construct_id,
        waf_scope="CLOUDFRONT",
        description=f"Receivables Portal web - {config.agency} {config.stage}",
        metric_name="ArPortalWeb",
        rate_limits=(RateLimit("WebRateLimit", WEB_RATE_LIMIT),),
    )


class EdgeStack(Stack):
    """What CloudFront needs from us-east-1 when the agency's stack is elsewhere: its web ACL. Deployed with the
    main stack (a dependency: ``cdk deploy <main stack>`` deploys it first), which reads the ACL's ARN through
    CDK's cross-region references (an SSM parameter in each region, kept by CDK's custom resources)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Receivables Portal for {config.agency_name} ({config.stage}): CloudFront's web ACL",
            **kwargs,
        )
        for key, value in {"Application": "ReceivablesPortal", "Agency": config.agency, "Stage": config.stage}.items():
            Tags.of(self).add(key, value)
        self.web_acl = cloudfront_web_acl(self, "WebAcl", config=config)
