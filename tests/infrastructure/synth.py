"""What the infrastructure tests share: the synthesized stack and small template helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Template

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "layers" / "arportal" / "python"))

import app as app_module  # noqa: E402
from infrastructure.stack import ArPortalStack  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"


@dataclass(frozen=True)
class Synthesized:
    stack: ArPortalStack
    template: Template
    annotations: Annotations
    resources: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    outdir: Path

    def logical_id(self, construct: Any) -> str:
        """The logical id of a CloudFormation resource, or of an L2 construct's main resource."""
        element = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
        return self.stack.get_logical_id(element)

    def resource(self, construct: Any) -> dict[str, Any]:
        return self.resources[self.logical_id(construct)]

    def settings_file(self) -> dict[str, str]:
        """The agency settings file the functions' settings layer carries (``/opt/agency-settings.json``)."""
        layer = self.resource(self.stack.functions.settings_layer)
        folder = self.outdir / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}"
        settings: dict[str, str] = json.loads((folder / "agency-settings.json").read_text())
        return settings

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == resource_type}


def context(**overrides: Any) -> dict[str, Any]:
    values = {**app_module.cdk_json_context(), "account": ACCOUNT, "region": REGION}
    values.update(overrides)
    return values


def ref(logical_id: str) -> dict[str, str]:
    return {"Ref": logical_id}


def get_att(logical_id: str, attribute: str = "Arn") -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def mentions(value: Any, needle: str) -> bool:
    """Whether ``needle`` occurs anywhere in a (possibly intrinsic-laden) template value."""
    return needle in json.dumps(value)


def synthesize(outdir: Path, **overrides: Any) -> Synthesized:
    """Synthesize the app (with cdk-nag) once into ``outdir``."""
    app = cdk.App(context=context(**overrides), outdir=str(outdir))
    stack = app_module.build(app)
    template = Template.from_stack(stack)  # synthesizes; Annotations reuses the same assembly
    annotations = Annotations.from_stack(stack)
    as_json = template.to_json()
    return Synthesized(
        stack=stack,
        template=template,
        annotations=annotations,
        resources=as_json["Resources"],
        outputs=as_json.get("Outputs", {}),
        outdir=outdir,
    )
