"""Who reaches the webhook endpoints' routes in the stack: one Cognito authorizer over the staff and the integrations
pools (never the customers'), with scopes, so API Gateway takes access tokens only: a staff member's (scope
``aws.cognito.signin.user.admin``) or a connected system's (an integration scope). The handler decides the rest.
And the public key of the webhook signatures is served to anyone, with no authorizer."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from arportal.domain import integration_scopes
from infrastructure import catalog
from tests.infrastructure.synth import Synthesized, get_att
from tests.infrastructure.test_identity_and_api import _methods_by_path

pytestmark = pytest.mark.xdist_group("cdk")

WEBHOOKS = "/v1/integrations/webhooks"


def test_the_webhook_routes_have_an_authorizer_over_the_staff_and_integrations_pools_only(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    authorizer = synthesized.resource(stack.api.admin_or_machine_authorizer)["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    identity = stack.identity
    assert authorizer["ProviderARNs"] == [
        get_att(synthesized.logical_id(identity.staff_pool)),
        get_att(synthesized.logical_id(identity.integrations_pool)),
    ]
    assert get_att(synthesized.logical_id(identity.customer_pool)) not in authorizer["ProviderARNs"]


def test_every_webhook_method_asks_for_an_access_token_with_a_staff_or_integration_scope(
    synthesized: Synthesized,
) -> None:
    methods = _methods_by_path(synthesized)
    authorizer = {"Ref": synthesized.logical_id(synthesized.stack.api.admin_or_machine_authorizer)}
    function = synthesized.logical_id(synthesized.stack.functions["integration_api"])
    for path in (WEBHOOKS, f"{WEBHOOKS}/{{proxy+}}"):
        method = methods[path]["ANY"]
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS", path
        assert method["AuthorizerId"] == authorizer, path
        scopes = set(method["AuthorizationScopes"])
        assert scopes == {*integration_scopes.all_full_names(), catalog.STAFF_ACCESS_SCOPE}, path
        assert "integrations/webhooks.manage" in scopes and "aws.cognito.signin.user.admin" in scopes
        assert function in str(method["Integration"]["Uri"]), path
        assert "OPTIONS" in methods[path], f"{path} needs a CORS preflight"
    # the other integration routes keep their own authorizer, which takes no staff token
    machine = {"Ref": synthesized.logical_id(synthesized.stack.api.machine_authorizer)}
    for path in ("/v1/integrations", "/v1/integrations/{proxy+}"):
        assert methods[path]["ANY"]["AuthorizerId"] == machine, path
        assert catalog.STAFF_ACCESS_SCOPE not in methods[path]["ANY"]["AuthorizationScopes"], path
    # and no other route uses the webhook routes' authorizer
    for path, by_method in methods.items():
        if "ANY" in by_method and not path.startswith(WEBHOOKS):
            assert by_method["ANY"].get("AuthorizerId") != authorizer, path


def test_the_signing_key_is_public_and_served_by_the_public_function(synthesized: Synthesized) -> None:
    method = _methods_by_path(synthesized)["/v1/webhooks/signing-keys"]["ANY"]
    assert method["AuthorizationType"] == "NONE"
    assert "AuthorizerId" not in method
    function = synthesized.logical_id(synthesized.stack.functions["public_api"])
    assert function in str(method["Integration"]["Uri"])
    # cdk-nag's APIG4/COG4 findings on it are suppressed with the public routes' reason
    suppressed = Match.object_like({"id": "AwsSolutions-APIG4", "reason": Match.string_like_regexp("public key")})
    synthesized.template.has_resource(
        "AWS::ApiGateway::Method",
        Match.object_like(
            {
                "Properties": Match.object_like({"ResourceId": method["ResourceId"], "AuthorizationType": "NONE"}),
                "Metadata": {"cdk_nag": {"rules_to_suppress": Match.array_with([suppressed])}},
            }
        ),
    )


def test_the_local_gateway_and_the_stack_ask_the_same_scopes() -> None:
    assert catalog.authorization_scopes(catalog.Auth.USER) == []
    assert catalog.authorization_scopes(catalog.Auth.NONE) == []
    assert catalog.authorization_scopes(catalog.Auth.MACHINE) == integration_scopes.all_full_names()
    below = catalog.route_for(f"{WEBHOOKS}/whe_01ARZ3NDEKTSV4RRFFQ69G5FAV/attempts")
    beside = catalog.route_for("/v1/integrations/webhooksx")
    assert below is not None and below.auth is catalog.Auth.ADMIN_OR_MACHINE
    assert beside is not None and beside.auth is catalog.Auth.MACHINE
