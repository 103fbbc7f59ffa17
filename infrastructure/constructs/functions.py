"""The Lambda functions of ``catalog.FUNCTIONS``: our layer, the dependencies layer, one role each.

Nothing here bundles with Docker. The layer is ``layers/arportal`` and the functions' code ``functions/`` as they
are on disk (pure Python, less ``ASSET_EXCLUDES``), each with its bytecode compiled for the runtime's Python on this
machine (``bytecode.py``). Their third-party dependencies (Powertools, pydantic, the Stripe SDK, defusedxml,
rapidfuzz...) are the dependencies layer, which pip builds on this machine once from the lock that the tests run
with, and caches (``vendor_layer.py``), so ``python app.py`` and ``cdk synth`` need no Docker. Functions marked
``only_with_processor`` exist only in stacks with that processor (the sandbox's own API).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure import catalog
from infrastructure.constructs.bytecode import compiled_asset
from infrastructure.constructs.logs import encrypted_log_group
from infrastructure.constructs.vendor_layer import dependencies_layer
from infrastructure.deployment_config import DeploymentConfig

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.X86_64

# Where Lambda extracts a function's code and its layers: the paths the bytecode names (bytecode.py).
FUNCTION_ROOT = "/var/task"
LAYER_ROOT = "/opt"
ASSET_EXCLUDES = [
    "**/__pycache__",
    "**/*.pyc",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
    "**/tests",
    "**/*.md",
]


class Functions(Construct):
    """``functions[name]`` is the function, ``logs[name]`` its log group; grants are the stack's job."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self._processor = config.processor
        self.layer = lambda_.LayerVersion(
            self,
            "ArPortalLayer",
            code=compiled_asset(catalog.LAYER_DIR, ASSET_EXCLUDES, LAYER_ROOT),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="arportal: domain, services, ports and adapters",
        )
        self.dependencies_layer = dependencies_layer(
            self, "DependenciesLayer", runtime=RUNTIME, architecture=ARCHITECTURE
        )
        deployed_environment, file_settings = catalog.settings_file(environment)
        self.settings_layer = _settings_layer(self, file_settings)
        layers = [self.layer, self.settings_layer, self.dependencies_layer]
        # One asset for all handlers: each function's handler string picks its own package.
        code = compiled_asset(catalog.FUNCTIONS_DIR, ASSET_EXCLUDES, FUNCTION_ROOT)
        self.functions: dict[str, lambda_.Function] = {}
        self.logs: dict[str, logs.LogGroup] = {}
        for spec in catalog.functions_for(config.processor):
            self.logs[spec.name] = log_group = encrypted_log_group(
                self, f"{_pascal(spec.name)}Logs", key=key, config=config
            )
            role = iam.Role(
                self,
                f"{_pascal(spec.name)}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"Receivables Portal {spec.name}: least privilege, granted by the stack",
            )
            # Instead of AWSLambdaBasicExecutionRole (any log group in the account): only its own.
            log_group.grant_write(role)
            self.functions[spec.name] = lambda_.Function(
                self,
                _pascal(spec.name),
                description=spec.description,
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                code=code,
                handler=spec.handler,
                memory_size=spec.memory_mb,
                timeout=Duration.seconds(spec.timeout_s),
                layers=layers,
                environment=deployed_environment,
                tracing=lambda_.Tracing.ACTIVE,
                log_group=log_group,
                role=role,
            )

    def __getitem__(self, name: str) -> lambda_.Function:
        return self.functions[name]

    def api_functions(self) -> list[lambda_.Function]:
        """The functions behind API routes (they may start workflows; the workflow task function may not)."""
        routes = catalog.routes_for(self._processor)
        return [self.functions[name] for name in dict.fromkeys(route.function for route in routes)]


def _settings_layer(scope: Construct, settings: dict[str, str]) -> lambda_.LayerVersion:
    """The agency's settings file as a layer: ``/opt/agency-settings.json``. Written under ``build/`` keyed by its
    content, so the same settings make the same asset (and no redeploy)."""
    body = json.dumps(settings, sort_keys=True, separators=(",", ":")).encode()
    folder = catalog.ROOT / "build" / "agency-settings" / hashlib.sha256(body).hexdigest()[:16]
    target = folder / Path(catalog.SETTINGS_FILE_PATH).name
    if not target.exists() or target.read_bytes() != body:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return lambda_.LayerVersion(
        scope,
        "AgencySettingsLayer",
        code=lambda_.Code.from_asset(str(folder)),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="The agency's settings too large for the environment (chart of accounts, bank accounts)",
    )


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))
