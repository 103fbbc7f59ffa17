"""The deployment configuration is validated before any construct exists, naming the key that is wrong."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from infrastructure.deployment_config import DeploymentConfigError
from tests.infrastructure.synth import app_module, context

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
