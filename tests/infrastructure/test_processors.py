"""The processor decides part of the stack: a sandbox stack has the sandbox's own API (and a generated webhook
secret); a Stripe stack has neither. Both get the dependencies layer (the Stripe SDK, defusedxml, rapidfuzz among
them), built by pip from the lock without Docker: the bank-file code runs whatever the processor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infrastructure import catalog
from infrastructure.constructs.vendor_layer import LOCK, PipBundling
from infrastructure.stack import API_BASE_URL_VARIABLE, PROCESSOR_FUNCTIONS, PROCESSOR_SECRET_VARIABLE, ArPortalStack
from tests.infrastructure.synth import ACCOUNT, REGION, Synthesized, app_module, context

SANDBOX_HANDLER = "sandbox_api.handler.lambda_handler"


def _policies_of(synthesized: Synthesized, role_logical_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _logical_id(stack: ArPortalStack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


# --- a sandbox stack (cdk.json's default) -----------------------------------------------------------------------


@pytest.mark.xdist_group("cdk")
class TestSandboxStack:
    def test_it_has_the_sandbox_api_behind_a_public_route(self, synthesized: Synthesized) -> None:
        fn = synthesized.resource(synthesized.stack.functions["sandbox_api"])["Properties"]
        assert fn["Handler"] == SANDBOX_HANDLER
        assert catalog.route_for("/sandbox/v1/tokens") == catalog.RouteSpec(
            "/sandbox", "sandbox_api", catalog.Auth.NONE
        )

    def test_every_function_gets_the_dependencies_layer_too(self, synthesized: Synthesized) -> None:
        layer_id = synthesized.logical_id(synthesized.stack.functions.dependencies_layer)
        for spec in catalog.functions_for("sandbox"):
            fn = synthesized.resource(synthesized.stack.functions[spec.name])["Properties"]
            assert {"Ref": layer_id} in fn["Layers"], spec.name

    def test_its_dependencies_layer_holds_the_bank_file_libraries_for_the_lambda_runtime(
        self, synthesized: Synthesized
    ) -> None:
        (site,) = {path.parent.parent for path in synthesized.outdir.glob("asset.*/python/defusedxml/__init__.py")}
        pinned = LOCK.read_text()
        for package in ("defusedxml", "rapidfuzz", "stripe"):
            (dist_info,) = site.glob(f"{package}-*.dist-info")
            version = dist_info.name.removeprefix(f"{package}-").removesuffix(".dist-info")
            assert f"{package}=={version}" in pinned
        # rapidfuzz is compiled: the wheel must be CPython 3.12 on x86_64 Linux, whatever this machine is
        wheel = next(site.glob("rapidfuzz-*.dist-info")).joinpath("WHEEL").read_text()
        assert "cp312-cp312-manylinux" in wheel and "x86_64" in wheel

    def test_the_sandbox_touches_only_its_own_items_of_the_ledger(self, synthesized: Synthesized) -> None:
        fn = synthesized.resource(synthesized.stack.functions["sandbox_api"])["Properties"]
        statements = _policies_of(synthesized, fn["Role"]["Fn::GetAtt"][0])
        tables = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
        ledger = synthesized.logical_id(synthesized.stack.data.ledger)
        assert tables, "the sandbox keeps its charges in the ledger table"
        for statement in tables:
            assert statement["Resource"] == {"Fn::GetAtt": [ledger, "Arn"]}
            assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["SANDBOX#*"]}}
            assert not any(a.endswith("*") or a in {"dynamodb:Scan", "dynamodb:Query"} for a in _actions(statement))
        everything = json.dumps(statements)
        assert "ses:" not in everything and "states:" not in everything

    def test_its_webhooks_go_to_this_stack_s_api_stage(self, synthesized: Synthesized) -> None:
        variables = synthesized.resource(synthesized.stack.functions["sandbox_api"])["Properties"]["Environment"][
            "Variables"
        ]
        base = json.dumps(variables[API_BASE_URL_VARIABLE])
        assert synthesized.logical_id(synthesized.stack.api.rest_api) in base
        assert f"/{synthesized.stack.config.stage}" in base and "execute-api" in base

    def test_a_webhook_secret_is_generated_and_given_to_whoever_signs_or_verifies(
        self, synthesized: Synthesized
    ) -> None:
        secret = synthesized.stack.processor_secret
        assert secret is not None
        properties = synthesized.resource(secret)["Properties"]
        assert properties["GenerateSecretString"]["GenerateStringKey"] == "webhook_secret"
        assert json.loads(properties["GenerateSecretString"]["SecretStringTemplate"]) == {"api_key": "sk_sandbox"}
        for name in ("sandbox_api", "public_api", "portal_api", "staff_api", "workflow_tasks"):
            variables = synthesized.resource(synthesized.stack.functions[name])["Properties"]["Environment"][
                "Variables"
            ]
            assert variables[PROCESSOR_SECRET_VARIABLE] == {"Ref": synthesized.logical_id(secret)}, name

    def test_the_front_ends_may_frame_the_hosted_fields(self, synthesized: Synthesized) -> None:
        (policy,) = synthesized.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
        csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
        text = json.dumps(csp["ContentSecurityPolicy"])
        frame_src = text.split("frame-src", 1)[1].split(";", 1)[0]
        assert synthesized.logical_id(synthesized.stack.api.rest_api) in frame_src
        assert "'none'" not in frame_src and "js.stripe.com" not in text


# --- a Stripe stack ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stripe(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArPortalStack, dict[str, Any], Path]:
    """A Stripe stack without cdk-nag's checks (the production-stage test runs those on a Stripe stack)."""
    outdir = tmp_path_factory.mktemp("cdk.out.stripe")
    app = cdk.App(
        context=context(processor="stripe", processorSecretName="arportal/qa/stripe", stage="qa"), outdir=str(outdir)
    )
    config = app_module.load_config(app)
    stack = ArPortalStack(app, config.stack_name, config=config, env=cdk.Environment(account=ACCOUNT, region=REGION))
    return stack, Template.from_stack(stack).to_json(), outdir


@pytest.mark.xdist_group("cdk-stripe")
class TestStripeStack:
    def test_it_has_no_sandbox(self, stripe: tuple[ArPortalStack, dict[str, Any], Path]) -> None:
        stack, template, _ = stripe
        resources = template["Resources"].values()
        handlers = {r["Properties"].get("Handler") for r in resources if r["Type"] == "AWS::Lambda::Function"}
        assert SANDBOX_HANDLER not in handlers
        paths = {r["Properties"]["PathPart"] for r in resources if r["Type"] == "AWS::ApiGateway::Resource"}
        assert "sandbox" not in paths
        assert "sandbox_api" not in stack.functions.functions
        # Stripe's keys are the agency's own secret, named by processorSecretName: the stack makes none
        assert not [r for r in resources if r["Type"] == "AWS::SecretsManager::Secret" and "Processor" in json.dumps(r)]
        for name in PROCESSOR_FUNCTIONS:
            variables = template["Resources"][_logical_id(stack, stack.functions[name])]["Properties"]["Environment"]
            assert "secret:arportal/qa/stripe" in json.dumps(variables["Variables"][PROCESSOR_SECRET_VARIABLE])

    def test_every_function_gets_the_dependencies_layer(
        self, stripe: tuple[ArPortalStack, dict[str, Any], Path]
    ) -> None:
        stack, template, _ = stripe
        layer = stack.functions.dependencies_layer
        assert layer is not None
        layer_id = _logical_id(stack, layer)
        for spec in catalog.functions_for("stripe"):
            fn = template["Resources"][_logical_id(stack, stack.functions[spec.name])]
            assert {"Ref": layer_id} in fn["Properties"]["Layers"], spec.name

    def test_the_layer_holds_the_stripe_sdk_built_without_docker(
        self, stripe: tuple[ArPortalStack, dict[str, Any], Path]
    ) -> None:
        stack, _, outdir = stripe
        manifest = json.loads((outdir / f"{stack.artifact_id}.assets.json").read_text())
        assert manifest.get("dockerImages", {}) == {}
        bundled = list(outdir.glob("asset.*/python/stripe/__init__.py"))
        assert len(bundled) == 1
        version = next(bundled[0].parent.parent.glob("stripe-*.dist-info")).name
        pinned = LOCK.read_text()
        assert f"{version.removesuffix('.dist-info').replace('-', '==')} " in pinned
        # Built for the Lambda runtime, whatever this machine is: the one compiled dependency is a cp312 wheel
        wheels = {p.name for p in bundled[0].parent.parent.glob("*.dist-info")}
        assert any(name.startswith("charset_normalizer") for name in wheels)
        wheel_tags = next(bundled[0].parent.parent.glob("charset_normalizer-*.dist-info")) / "WHEEL"
        assert "cp312-cp312-manylinux" in wheel_tags.read_text()

    def test_the_build_is_cached_by_its_recipe(self, stripe: tuple[ArPortalStack, dict[str, Any], Path]) -> None:
        bundling = PipBundling()
        assert (bundling.cache_dir / bundling.key / "python" / "stripe").is_dir()
        assert bundling.build() == bundling.cache_dir / bundling.key  # a second build is the cached one
