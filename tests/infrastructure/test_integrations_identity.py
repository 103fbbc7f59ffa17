"""The connected systems' side of the stack: the integrations pool with its domain, resource server and one app
client per configured system; the integration routes behind an authorizer of their own that requires a scope; the
grants that let the integration API name its caller and an admin rotate secrets; and the config that refuses a
scope that does not exist."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks

from arportal.domain import integration_scopes
from infrastructure import catalog
from infrastructure.constructs.identity import Identity, domain_prefix
from infrastructure.deployment_config import DeploymentConfig, DeploymentConfigError, load
from tests.infrastructure.synth import Synthesized, context, get_att, mentions
from tests.infrastructure.test_identity_and_api import _methods_by_path

pytestmark = pytest.mark.xdist_group("cdk")

CLIENTS = [
    {"name": "tax-system", "scopes": ["invoices.write", "customers.write", "documents.write"]},
    {"name": "erp", "scopes": ["events.read"]},
]


def _config(**overrides: Any) -> DeploymentConfig:
    return load(context(**overrides))


# --- the stack as cdk.json deploys it ------------------------------------------------------------------------------


def test_the_integrations_pool_has_no_users_a_domain_and_the_catalogue_as_scopes(synthesized: Synthesized) -> None:
    identity = synthesized.stack.identity
    pool = synthesized.resource(identity.integrations_pool)["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    pool_id = {"Ref": synthesized.logical_id(identity.integrations_pool)}
    (domain,) = synthesized.of_type("AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"]["UserPoolId"] == pool_id
    (server,) = synthesized.of_type("AWS::Cognito::UserPoolResourceServer").values()
    assert server["Properties"]["UserPoolId"] == pool_id
    assert server["Properties"]["Identifier"] == integration_scopes.RESOURCE_SERVER == "integrations"
    assert {(s["ScopeName"], s["ScopeDescription"]) for s in server["Properties"]["Scopes"]} == {
        (scope.name, scope.description) for scope in integration_scopes.SCOPES
    }


def test_no_integration_client_unless_the_config_names_one(synthesized: Synthesized) -> None:
    assert synthesized.stack.config.integration_clients == []
    pool = synthesized.logical_id(synthesized.stack.identity.integrations_pool)
    clients = synthesized.of_type("AWS::Cognito::UserPoolClient").values()
    assert not [c for c in clients if c["Properties"]["UserPoolId"] == {"Ref": pool}]


def test_integration_routes_need_an_access_token_of_the_integrations_pool_with_a_scope(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    machine = synthesized.resource(stack.api.machine_authorizer)["Properties"]
    assert machine["Type"] == "COGNITO_USER_POOLS"
    assert machine["ProviderARNs"] == [get_att(synthesized.logical_id(stack.identity.integrations_pool))]
    machine_id = {"Ref": synthesized.logical_id(stack.api.machine_authorizer)}
    methods = _methods_by_path(synthesized)
    routes = [route for route in catalog.ROUTES if route.auth is catalog.Auth.MACHINE]
    assert [route.path for route in routes] == ["/v1/integrations"]
    for path in ("/v1/integrations", "/v1/integrations/{proxy+}"):
        method = methods[path]["ANY"]
        assert method["AuthorizerId"] == machine_id, path
        assert sorted(method["AuthorizationScopes"]) == sorted(integration_scopes.all_full_names()), path
    # and no person's route takes the integrations pool's tokens
    user_id = {"Ref": synthesized.logical_id(stack.api.authorizer)}
    for path, by_method in methods.items():
        if "ANY" in by_method and not path.startswith("/v1/integrations"):
            assert by_method["ANY"].get("AuthorizerId") in (None, user_id), path
            assert "AuthorizationScopes" not in by_method["ANY"], path


def test_every_function_knows_the_integrations_pool_and_its_token_url(synthesized: Synthesized) -> None:
    identity = synthesized.stack.identity
    pool = {"Ref": synthesized.logical_id(identity.integrations_pool)}
    for spec in catalog.functions_for(synthesized.stack.config.processor):
        variables = synthesized.resource(synthesized.stack.functions[spec.name])["Properties"]["Environment"]
        assert variables["Variables"]["INTEGRATIONS_POOL_ID"] == pool, spec.name
        token_url = variables["Variables"]["INTEGRATIONS_TOKEN_URL"]
        assert mentions(token_url, "/oauth2/token") and mentions(token_url, "amazoncognito.com"), spec.name
    assert synthesized.outputs["IntegrationsUserPoolId"]["Value"] == pool
    assert mentions(synthesized.outputs["IntegrationsTokenUrl"]["Value"], "/oauth2/token")


def _actions_by_role(synthesized: Synthesized) -> dict[str, str]:
    found: dict[str, list[Any]] = {}
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        for role in policy["Properties"]["Roles"]:
            found.setdefault(role["Ref"], []).extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return {role: json.dumps(statements) for role, statements in found.items()}


def _role(synthesized: Synthesized, function: str) -> str:
    properties = synthesized.resource(synthesized.stack.functions[function])["Properties"]
    return str(properties["Role"]["Fn::GetAtt"][0])


def test_only_the_staff_api_rotates_secrets_and_the_integration_api_reads_client_names(
    synthesized: Synthesized,
) -> None:
    actions = _actions_by_role(synthesized)
    pool = synthesized.logical_id(synthesized.stack.identity.integrations_pool)
    staff = actions[_role(synthesized, "staff_api")]
    for action in ("ListUserPoolClients", "AddUserPoolClientSecret", "DeleteUserPoolClientSecret"):
        assert f"cognito-idp:{action}" in staff
    assert pool in staff
    integration = actions[_role(synthesized, "integration_api")]
    assert "cognito-idp:DescribeUserPoolClient" in integration and pool in integration
    rotators = [role for role, statements in actions.items() if "AddUserPoolClientSecret" in statements]
    assert rotators == [_role(synthesized, "staff_api")]


# --- one app client per configured system (the Identity construct alone, with cdk-nag) --------------------------


@pytest.fixture(scope="module")
def with_clients() -> tuple[Identity, Template, Annotations]:
    app = cdk.App()
    stack = cdk.Stack(app, "IdentityOnly", env=cdk.Environment(account="123456789012", region="us-east-1"))
    identity = Identity(stack, "Identity", config=_config(integrationClients=CLIENTS))
    cdk.Aspects.of(app).add(AwsSolutionsChecks())
    template = Template.from_stack(stack)
    return identity, template, Annotations.from_stack(stack)


def test_each_configured_system_gets_a_client_credentials_client_with_its_scopes(
    with_clients: tuple[Identity, Template, Annotations],
) -> None:
    identity, template, _ = with_clients
    stack = cdk.Stack.of(identity)
    server = stack.get_logical_id(identity.resource_server.node.default_child)  # type: ignore[arg-type]
    pool = stack.get_logical_id(identity.integrations_pool.node.default_child)  # type: ignore[arg-type]
    clients = template.find_resources("AWS::Cognito::UserPoolClient", {"Properties": {"UserPoolId": {"Ref": pool}}})
    assert len(clients) == len(CLIENTS)
    by_name = {c["Properties"]["ClientName"]: c["Properties"] for c in clients.values()}
    for wanted in CLIENTS:
        client = by_name[wanted["name"]]
        assert client["GenerateSecret"] is True
        assert client["AllowedOAuthFlows"] == ["client_credentials"]
        assert client["AllowedOAuthFlowsUserPoolClient"] is True
        assert client["AccessTokenValidity"] == 60 and client["TokenValidityUnits"] == {"AccessToken": "minutes"}
        assert sorted(client["AllowedOAuthScopes"], key=json.dumps) == sorted(
            ({"Fn::Join": ["", [{"Ref": server}, f"/{scope}"]]} for scope in wanted["scopes"]), key=json.dumps
        )
    assert set(identity.integration_clients) == {"tax-system", "erp"}


def test_cdk_nag_finds_nothing_on_the_integrations_pool_and_its_clients(
    with_clients: tuple[Identity, Template, Annotations],
) -> None:
    _, _, annotations = with_clients
    findings = [
        *annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")),
        *annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*")),
    ]
    about_integrations = [f"{f.id}: {f.entry.data}" for f in findings if "Integration" in f.id]
    assert about_integrations == []
    assert findings, "cdk-nag ran (the customer pool's optional MFA is suppressed only in the full stack)"


# --- the domain prefix and the config -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "stage"),
    [("springfield", "dev"), ("lawson-county", "prod"), ("amazonia-cognito-awsx", "a" * 31), ("a" * 31, "b" * 31)],
)
def test_the_domain_prefix_is_valid_for_cognito(agency: str, stage: str) -> None:
    prefix = domain_prefix(_config(agency=agency, stage=stage))
    assert len(prefix) <= 63 and prefix.endswith("-123456789012")
    assert not any(word in prefix for word in ("aws", "amazon", "cognito")), prefix
    assert prefix[0].isalnum() and all(c.isalnum() or c == "-" for c in prefix), prefix


def test_integration_clients_are_validated_with_the_scope_catalogue() -> None:
    config = _config(integrationClients=json.dumps(CLIENTS))  # as `-c integrationClients='[...]'` passes it
    assert [(c.name, c.scopes) for c in config.integration_clients] == [
        ("tax-system", ["customers.write", "documents.write", "invoices.write"]),
        ("erp", ["events.read"]),
    ]


@pytest.mark.parametrize(
    ("clients", "message"),
    [
        (
            [{"name": "erp", "scopes": ["invoice.write"]}],
            "unknown scope 'invoice.write' (did you mean 'invoices.write'?)",
        ),
        ([{"name": "erp", "scopes": ["integrations/events.read"]}], "unknown scope"),
        ([{"name": "erp", "scopes": []}], "integrationClients.0.scopes"),
        ([{"name": "ERP", "scopes": ["events.read"]}], "integrationClients.0.name"),
        ([{"name": "erp", "scopes": ["events.read"], "secret": "x"}], "integrationClients.0.secret"),
        ([{"name": "erp", "scopes": ["events.read"]}] * 2, "each name once"),
        ("[not json", "integrationClients: not JSON"),
    ],
)
def test_a_wrong_integration_client_is_refused_naming_what_is_wrong(clients: Any, message: str) -> None:
    with pytest.raises(DeploymentConfigError, match="integrationClients") as raised:
        _config(integrationClients=clients)
    assert message in str(raised.value)
