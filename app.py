#!/usr/bin/env python3
"""CDK entry point: validated deployment configuration -> one Receivables Portal stack per agency/stage.

    npx cdk deploy -c agency=springfield -c agencyName="City of Springfield" -c senderEmail=pay@example.gov

Every key of ``deployment_config.CONTEXT_KEYS`` is read from CDK context (cdk.json, then ``-c``) and
validated before any construct exists, so a typo fails with the key's name instead of a broken stack.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
# The layer's table specs and domain roles are plain Python that the stack builds from.
sys.path.insert(0, str(ROOT / "layers" / "arportal" / "python"))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from infrastructure import catalog, deployment_config  # noqa: E402
from infrastructure.deployment_config import DeploymentConfig, DeploymentConfigError  # noqa: E402
from infrastructure.stack import ArPortalStack  # noqa: E402


def load_config(app: cdk.App) -> DeploymentConfig:
    """The deployment configuration from the app's context; raises DeploymentConfigError naming the key."""
    context = {key: app.node.try_get_context(key) for key in deployment_config.CONTEXT_KEYS}
    return deployment_config.load(context)


def build(app: cdk.App) -> ArPortalStack:
    """The stack for the app's context, with cdk-nag's AWS Solutions checks applied to it."""
    config = load_config(app)
    stack = ArPortalStack(
        app,
        config.stack_name,
        config=config,
        env=cdk.Environment(
            account=config.account or os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=config.region or os.environ.get("CDK_DEFAULT_REGION"),
        ),
    )
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    return stack


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context, so ``python app.py`` synthesizes like the CLI (whose ``-c`` values still win)."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def main() -> None:
    # The CLI says where to write; run alone, write where the CLI would (not a temp directory).
    app = cdk.App(context=cdk_json_context(), outdir=os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")))
    try:
        build(app)
    except DeploymentConfigError as exc:
        sys.exit(f"cdk: {exc} (set it in cdk.json or with -c KEY=VALUE)")
    assembly = app.synth()
    if overflows := environment_overflows(assembly):
        # Lambda would refuse these only half-way through the deploy; refusing the synth stops `cdk deploy` first.
        sys.exit("cdk: " + "; ".join(overflows))


def environment_overflows(assembly: Any) -> list[str]:
    """Each function whose environment, as synthesized, would exceed Lambda's 4 KB once deployed."""
    found = []
    for stack in assembly.stacks:
        for logical_id, resource in stack.template.get("Resources", {}).items():
            if resource.get("Type") == "AWS::Lambda::Function":
                variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
                if message := catalog.environment_overflow(logical_id, variables):
                    found.append(message)
    return found


if __name__ == "__main__":
    main()
