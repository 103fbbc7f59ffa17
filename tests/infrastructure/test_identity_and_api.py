"""Two user pools behind one authorizer, the integrations pool behind another; the routes of catalog.ROUTES and
nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from arportal.domain.permissions import Role
from infrastructure import catalog
from tests.infrastructure.synth import Synthesized, get_att

pytestmark = pytest.mark.xdist_group("cdk")


def _pool(synthesized: Synthesized, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resource(getattr(synthesized.stack.identity, name))["Properties"]
    return properties


def test_customer_pool_allows_self_sign_up_by_email(synthesized: Synthesized) -> None:
    pool = _pool(synthesized, "customer_pool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pool["UsernameAttributes"] == ["email"]
    assert {k: v for k, v in _custom(pool, "customer_id").items() if k != "StringAttributeConstraints"} == {
        "AttributeDataType": "String",
        "Mutable": True,
        "Name": "customer_id",
    }


def _custom(pool: dict[str, Any], name: str) -> dict[str, Any]:
    return next(attribute for attribute in pool["Schema"] if attribute["Name"] == name)


def test_staff_pool_is_invitation_only_with_required_mfa(synthesized: Synthesized) -> None:
    pool = _pool(synthesized, "staff_pool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert synthesized.stack.config.staff_mfa  # cdk.json's default
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


@pytest.mark.parametrize("name", ["customer_pool", "staff_pool"])
def test_pools_have_strong_passwords_and_threat_protection(synthesized: Synthesized, name: str) -> None:
    pool = _pool(synthesized, name)
    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    assert all(password[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}


def test_staff_pool_has_a_group_per_role(synthesized: Synthesized) -> None:
    staff_pool = synthesized.logical_id(synthesized.stack.identity.staff_pool)
    groups = {
        group["Properties"]["GroupName"]
        for group in synthesized.of_type("AWS::Cognito::UserPoolGroup").values()
        if group["Properties"]["UserPoolId"] == {"Ref": staff_pool}
    }
    assert groups == {role.value for role in Role} == {"agent", "supervisor", "finance", "admin"}


@pytest.mark.parametrize("name", ["customer_client", "staff_client"])
def test_clients_are_public_browser_clients(synthesized: Synthesized, name: str) -> None:
    client = synthesized.resource(getattr(synthesized.stack.identity, name))["Properties"]
    assert client["GenerateSecret"] is False
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"} <= set(client["ExplicitAuthFlows"])


def test_customer_client_reads_but_cannot_write_customer_id(synthesized: Synthesized) -> None:
    client = synthesized.resource(synthesized.stack.identity.customer_client)["Properties"]
    assert "custom:customer_id" in client["ReadAttributes"]
    assert not [name for name in client["WriteAttributes"] if name.startswith("custom:")]


def test_authorizer_trusts_both_pools(synthesized: Synthesized) -> None:
    authorizer = synthesized.resource(synthesized.stack.api.authorizer)
    identity = synthesized.stack.identity
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert sorted(authorizer["Properties"]["ProviderARNs"], key=str) == sorted(
        [
            get_att(synthesized.logical_id(identity.customer_pool)),
            get_att(synthesized.logical_id(identity.staff_pool)),
        ],
        key=str,
    )


def _resource_paths(synthesized: Synthesized) -> dict[str, str]:
    """Logical id of each API resource -> its full path."""
    resources = synthesized.of_type("AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            properties = resources[logical_id]["Properties"]
            parent = properties["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{properties['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _methods_by_path(synthesized: Synthesized) -> dict[str, dict[str, dict[str, Any]]]:
    paths = _resource_paths(synthesized)
    methods: dict[str, dict[str, dict[str, Any]]] = {}
    for method in synthesized.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        resource = properties["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        methods.setdefault(path, {})[properties["HttpMethod"]] = properties
    return methods


def test_every_route_reaches_its_function_with_its_auth(synthesized: Synthesized) -> None:
    methods = _methods_by_path(synthesized)
    for route in catalog.ROUTES:
        function_id = synthesized.logical_id(synthesized.stack.functions[route.function])
        paths = [route.path, f"{route.path}/{{proxy+}}"] if route.greedy else [route.path]
        for path in paths:
            method = methods[path]["ANY"]
            assert method["Integration"]["Type"] == "AWS_PROXY", path
            assert function_id in str(method["Integration"]["Uri"]), path
            expected = "NONE" if route.auth is catalog.Auth.NONE else "COGNITO_USER_POOLS"
            assert method["AuthorizationType"] == expected, path
            assert "OPTIONS" in methods[path], f"{path} needs a CORS preflight"


def test_no_route_outside_the_catalog(synthesized: Synthesized) -> None:
    routed = {path for path, methods in _methods_by_path(synthesized).items() if "ANY" in methods}
    expected = {route.path for route in catalog.ROUTES} | {
        f"{route.path}/{{proxy+}}" for route in catalog.ROUTES if route.greedy
    }
    assert routed == expected


def test_api_stage_logs_traces_throttles_and_has_a_waf(synthesized: Synthesized) -> None:
    (stage,) = synthesized.of_type("AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    assert properties["TracingEnabled"] is True
    assert "DestinationArn" in properties["AccessLogSetting"]
    throttle = properties["MethodSettings"][0]
    assert throttle["ThrottlingRateLimit"] > 0 and throttle["ThrottlingBurstLimit"] > 0
    (association,) = synthesized.of_type("AWS::WAFv2::WebACLAssociation").values()
    assert "Stage" in str(association["Properties"]["ResourceArn"])


def test_cors_allows_only_the_web_origin(synthesized: Synthesized) -> None:
    distribution = synthesized.logical_id(synthesized.stack.web.distribution)
    for path, methods in _methods_by_path(synthesized).items():
        if "OPTIONS" not in methods:
            continue
        headers = methods["OPTIONS"]["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        origin = headers["method.response.header.Access-Control-Allow-Origin"]
        assert distribution in str(origin) and "*" not in str(origin), path
