"""The files a deployed function sees, laid out as Lambda lays them out: ``/var/task`` (the function's code asset),
``/opt`` (its layers' assets, extracted in the function's order, a later one over an earlier), and the runtime's
own boto3. Two sources:

- a synthesized cloud assembly (``ARPORTAL_CDK_OUT``, as ``make deploy-check`` gives it): the very assets and
  environment the template deploys;
- this checkout, packaged the way ``infrastructure/constructs/functions.py`` packages it (the same excludes, the
  same dependencies layer build, the settings file split the same way), when no assembly is given: no synthesis,
  so the test stays quick.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infrastructure import catalog
from infrastructure.constructs.bytecode import PYTHON_VERSION, compiled_copy, copy_source
from infrastructure.constructs.functions import ASSET_EXCLUDES, FUNCTION_ROOT, LAYER_ROOT
from infrastructure.constructs.vendor_layer import PipBundling

RUNTIME_LOCK = catalog.ROOT / "requirements" / "lambda-runtime.txt"
RUNTIME_SDK_CACHE = catalog.ROOT / "build" / "lambda-runtime-sdk"
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Function:
    name: str
    handler: str
    task: Path  # what Lambda extracts to /var/task
    layers: tuple[Path, ...]  # what Lambda extracts to /opt, in this order
    environment: dict[str, str]


def runtime_sdk() -> Path:
    """The boto3 the Lambda runtime ships (``requirements/lambda-runtime.txt``), installed once under ``build/``,
    with its bytecode: the runtime's image carries the ``.pyc`` of its own SDK."""
    return PipBundling(RUNTIME_LOCK, cache_dir=RUNTIME_SDK_CACHE, leave_out=frozenset()).compiled() / "python"


def sys_path(function: Function, opt: Path, sdk: Path) -> list[str]:
    """Lambda's python3.12 search path ahead of the standard library: the task, the layers, then the runtime's SDK."""
    site = opt / "python" / "lib" / f"python{PYTHON_VERSION}" / "site-packages"
    return [str(function.task), str(site), str(opt / "python"), str(sdk)]


def lambda_environment(function: Function, opt: Path) -> dict[str, str]:
    """The function's variables, with what Lambda itself sets; no credentials (nothing here may reach AWS)."""
    variables = {
        name: str(opt / value.removeprefix("/opt/")) if value.startswith("/opt/") else value
        for name, value in function.environment.items()
    }
    return {
        **variables,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_EC2_METADATA_DISABLED": "true",
        "LAMBDA_TASK_ROOT": str(function.task),
        "_HANDLER": function.handler,
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
    }


def extract_layers(layers: tuple[Path, ...], opt: Path) -> Path:
    for layer in layers:
        shutil.copytree(layer, opt, dirs_exist_ok=True)
    return opt


# --- from this checkout ------------------------------------------------------------------------------------------


def package(source: Path, target: Path, deployed_at: str, *, bytecode: bool = True) -> Path:
    """The asset ``functions.py`` makes of ``source`` (``bytecode=False``: as it was before it carried bytecode)."""
    if bytecode:
        return compiled_copy(source, target, ASSET_EXCLUDES, deployed_at)
    return copy_source(source, target, ASSET_EXCLUDES)


def checkout_environment() -> dict[str, str]:
    """Every function's variables for a sandbox agency: the catalog's names, placeholder resource names."""
    return catalog.runtime_environment(
        ledger_table="arportal-ledger",
        audit_table="arportal-audit",
        idempotency_table="arportal-idempotency",
        documents_bucket="arportal-documents",
        audit_bucket="arportal-audit-archive",
        event_bus="arportal-bus",
        customer_pool_id=f"{REGION}_Customers",
        staff_pool_id=f"{REGION}_Staff",
        integrations_pool_id=f"{REGION}_Integrations",
        agency_name="Isolated Import Agency",
        currency="USD",
        time_zone="America/Chicago",  # read from the layer's tzdata: the runtime's image has no zone files
        processor="sandbox",
        approval_threshold_minor=0,
        sender_email="payments@example.gov",
        stage="prod",
        webhooks_table="arportal-webhooks",
    )


def from_checkout(work: Path, *, bytecode: bool = True) -> list[Function]:
    task = package(catalog.FUNCTIONS_DIR, work / "task", FUNCTION_ROOT, bytecode=bytecode)
    ours = package(catalog.LAYER_DIR, work / "layer-arportal", LAYER_ROOT, bytecode=bytecode)
    deployed, file_settings = catalog.settings_file(checkout_environment())
    settings = work / "layer-settings"
    settings.mkdir()
    body = json.dumps(file_settings, sort_keys=True, separators=(",", ":"))
    (settings / Path(catalog.SETTINGS_FILE_PATH).name).write_text(body)
    dependencies = work / "layer-dependencies"  # the bundling's output: the build's python/ alone
    dependencies.mkdir()
    pip = PipBundling()
    built = pip.compiled() if bytecode else pip.build()
    (dependencies / "python").symlink_to(built / "python", target_is_directory=True)
    layers = (ours, settings, dependencies)  # functions.py's order
    return [
        Function(spec.name, spec.handler, task, layers, dict(deployed)) for spec in catalog.functions_for("sandbox")
    ]


# --- from a synthesized cloud assembly ---------------------------------------------------------------------------


def _placeholder(value: Any) -> str:
    """A deploy-time value as a string of its kind: a reference names its resource, a join joins."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::URLSuffix": "amazonaws.com"}.get(
            value["Ref"], f"{value['Ref']}".lower()
        )
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return f"arn:aws:placeholder:{REGION}:{ACCOUNT}:{logical_id.lower()}" if attribute == "Arn" else logical_id
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_placeholder(part) for part in parts)
    return "placeholder"


def _asset(cdk_out: Path, properties: Mapping[str, Any], key: str) -> Path:
    s3_key = properties[key]["S3Key"]
    folder = cdk_out / f"asset.{_placeholder(s3_key).removesuffix('.zip')}"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: the template's asset is not in the assembly")
    return folder


def _layer(cdk_out: Path, resources: Mapping[str, Any], layer: Any) -> Path:
    if not (isinstance(layer, dict) and set(layer) == {"Ref"}):
        # a layer published elsewhere (the public Powertools one was): its contents are not the lock's to check
        raise ValueError(f"layer {layer} is not one of this assembly's assets, so no test can see what it deploys")
    return _asset(cdk_out, resources[layer["Ref"]]["Properties"], "Content")


def from_cdk_out(cdk_out: Path) -> list[Function]:
    ours = {spec.name for spec in catalog.FUNCTIONS}

    def has_ours(path: Path) -> bool:  # the edge stack (us-east-1) holds only CDK's own helper functions
        resources = json.loads(path.read_text()).get("Resources", {}).values()
        return any(
            r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler", "").split(".")[0] in ours
            for r in resources
        )

    templates = [path for path in cdk_out.glob("*.template.json") if has_ours(path)]
    if len(templates) != 1:
        raise ValueError(f"{cdk_out}: expected one stack with our functions, found {[t.name for t in templates]}")
    resources = json.loads(templates[0].read_text())["Resources"]
    functions = []
    for resource in resources.values():
        properties = resource["Properties"]
        if resource["Type"] != "AWS::Lambda::Function" or properties.get("Handler", "").split(".")[0] not in ours:
            continue  # CDK's own helper functions (custom resources) are not ours to call
        layers = tuple(_layer(cdk_out, resources, layer) for layer in properties.get("Layers", []))
        variables = properties.get("Environment", {}).get("Variables", {})
        functions.append(
            Function(
                name=properties["Handler"].split(".", 1)[0],
                handler=properties["Handler"],
                task=_asset(cdk_out, properties, "Code"),
                layers=layers,
                environment={name: _placeholder(value) for name, value in variables.items()},
            )
        )
    return functions
