#!/usr/bin/env python3
"""CDK entry point: validated deployment configuration -> one Receivables Portal stack per agency/stage.

    npx cdk deploy -c agency=springfield -c agencyName="City of Springfield" -c senderEmail=pay@example.gov

All of the CDK context (cdk.json's, then ``-c``) is validated before any construct exists: a key the config does
not know, a wrong value or a region lacking a service stops the synth with the key, the reason and the fix
(docs/configuration.md), instead of deploying a half-configured stack.
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
from infrastructure.constructs.web_acl import EDGE_REGION, EdgeStack  # noqa: E402
from infrastructure.deployment_config import DeploymentConfig, DeploymentConfigError  # noqa: E402
from infrastructure.stack import ArPortalStack  # noqa: E402


def load_config(app: cdk.App) -> DeploymentConfig:
    """The deployment configuration from all of the app's context (under the CLI, the CDK_CONTEXT_JSON it passes:
    cdk.json, cdk.context.json and ``-c``); raises DeploymentConfigError naming the key, the reason and the fix."""
    context = app.node.get_all_context()
    return deployment_config.load(context, default_region=os.environ.get("CDK_DEFAULT_REGION"))


def build(app: cdk.App) -> ArPortalStack:
    """The stack for the app's context, with cdk-nag's AWS Solutions checks applied to it."""
    config = load_config(app)
    account = config.account or os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = config.region or os.environ.get("CDK_DEFAULT_REGION")
    # CloudFront's web ACL must live in us-east-1: a stack elsewhere gets a companion stack there (web_acl.py).
    edge = None
    if region and region != EDGE_REGION and not config.cloud_front_web_acl_arn:
        edge = EdgeStack(
            app,
            f"{config.stack_name}-edge",
            config=config,
            env=cdk.Environment(account=account, region=EDGE_REGION),
            cross_region_references=True,
        )
    stack = ArPortalStack(
        app,
        config.stack_name,
        config=config,
        env=cdk.Environment(account=account, region=region),
        cloudfront_web_acl_arn=config.cloud_front_web_acl_arn or (edge.web_acl.attr_arn if edge else None),
        cross_region_references=edge is not None,
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
        sys.exit(f"cdk: {exc}")
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
