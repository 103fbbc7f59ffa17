"""The deployment configuration is validated before any construct exists, naming the key that is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import aws_cdk as cdk
import pytest

from infrastructure.deployment_config import DeploymentConfigError
from tests.infrastructure.synth import ROOT, app_module, context

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("currency", "usd"),
        ("processor", "paypal"),
        ("agency", "Springfield City"),
        ("stage", "Prod!"),
        ("senderEmail", "not-an-address"),
        ("approvalThresholdMinor", -1),
        ("account", "12345"),
    ],
)
def test_invalid_context_fails_naming_the_key(key: str, value: object) -> None:
    # Given an app whose context has one bad value
    app = cdk.App(context=context(**{key: value}))
    # When the stack is built, Then it fails before any construct, and says which key is wrong
    with pytest.raises(DeploymentConfigError, match=key):
        app_module.build(app)
    assert app.node.try_find_child(f"ArPortal-springfield-{context()['stage']}") is None


def test_missing_required_key_is_named() -> None:
    app = cdk.App(context={k: v for k, v in context().items() if k != "senderEmail"})
    with pytest.raises(DeploymentConfigError, match="senderEmail"):
        app_module.load_config(app)


def test_command_line_strings_are_coerced() -> None:
    # `-c staffMfa=false -c approvalThresholdMinor=2500` arrive as strings.
    app = cdk.App(context=context(staffMfa="false", approvalThresholdMinor="2500", agency="shelbyville"))
    config = app_module.load_config(app)
    assert (config.staff_mfa, config.approval_threshold_minor) == (False, 2500)
    assert config.stack_name == "ArPortal-shelbyville-dev"


def test_main_exits_with_the_message_instead_of_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = context(currency="usd")
    monkeypatch.setattr(app_module, "cdk_json_context", lambda: bad)
    with pytest.raises(SystemExit) as exit_info:
        app_module.main()
    assert "currency" in str(exit_info.value.code)


def test_an_unknown_key_stops_the_python_only_synth_with_the_nearest_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # `python app.py` (and the tests) read cdk.json's context: a misspelt key there is refused, not ignored
    misspelt = context(approvalThreshold=-5)
    monkeypatch.setattr(app_module, "cdk_json_context", lambda: misspelt)
    with pytest.raises(SystemExit) as exit_info:
        app_module.main()
    message = str(exit_info.value.code)
    assert "approvalThreshold: not a key of this app" in message
    assert "did you mean 'approvalThresholdMinor'?" in message


def test_the_clis_context_is_read_whole() -> None:
    # The CDK CLI passes cdk.json, cdk.context.json and `-c` values to the app as CDK_CONTEXT_JSON, with its own
    # aws:cdk:* keys and `-c` values as strings: `cdk synth -c staffMfa=ture -c approvalThreshold=-5`. CDK's App
    # reads the variable in its Node process when that starts, hence a fresh interpreter here.
    cli = {**context(), "staffMfa": "ture", "approvalThreshold": "-5", "aws:cdk:enable-path-metadata": True}
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(cli), "CDK_OUTDIR": "/nonexistent/cdk.out"}
    command = [sys.executable, str(ROOT / "app.py")]
    run = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert run.returncode != 0
    assert "staffMfa: 'ture' is not a boolean; fix: write true or false" in run.stderr
    assert "approvalThreshold: not a key of this app" in run.stderr and "'approvalThresholdMinor'?" in run.stderr
    assert "aws:cdk" not in run.stderr


def test_the_clis_default_region_must_offer_the_stacks_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDK_DEFAULT_REGION", "ap-east-1")  # no SES endpoint in botocore's data
    app = cdk.App(context={key: value for key, value in context().items() if key != "region"})
    with pytest.raises(
        DeploymentConfigError, match=r"region: unset, so CDK_DEFAULT_REGION .* ap-east-1 does not offer"
    ):
        app_module.load_config(app)
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-2")
    assert app_module.load_config(app).region is None
