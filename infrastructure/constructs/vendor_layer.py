"""The vendor layer: third-party packages the Powertools layer does not carry (the Stripe SDK, defusedxml for
camt bank files, rapidfuzz for matching payer names).

Built by pip on the synthesizing machine, never in Docker (``ILocalBundling``): wheels for the Lambda runtime
(x86_64, CPython 3.12) whatever this machine is. Every stack has it, since the bank-file code runs whatever the
processor, so the first synthesis on a machine needs PyPI (or a pip index it is configured for). The result is
kept under ``build/vendor-layer/<hash>``, keyed by the requirements and the target platforms, so later syntheses
(the infrastructure tests) copy it instead of downloading again, offline; delete ``build/`` to force a fresh
download.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infrastructure import catalog

VENDOR_DIR = catalog.ROOT / "layers" / "vendor"
REQUIREMENTS = VENDOR_DIR / "requirements.txt"
CACHE_DIR = catalog.ROOT / "build" / "vendor-layer"
# The python3.12 runtime is Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels run there, and rapidfuzz 3.14
# publishes only those (no manylinux2014 wheel), so pip may pick either.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
PYTHON_VERSION = "3.12"
PIP_TIMEOUT_S = 600
# Required by BundlingOptions but never run: local bundling always succeeds or raises.
_UNUSED_IMAGE = "public.ecr.aws/sam/build-python3.12"


class VendorBuildError(RuntimeError):
    """pip could not build the layer (offline, or a requirement has no wheel for the Lambda platform)."""


@jsii.implements(ILocalBundling)
class PipBundling:
    """Installs ``requirements`` for the Lambda platform into ``<output>/python`` (a layer's layout)."""

    def __init__(self, requirements: Path = REQUIREMENTS, *, cache_dir: Path = CACHE_DIR) -> None:
        self.requirements = requirements
        self.cache_dir = cache_dir

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: Any) -> bool:
        shutil.copytree(self.build() / "python", Path(output_dir) / "python", dirs_exist_ok=True)
        return True

    @property
    def key(self) -> str:
        recipe = f"{self.requirements.read_text()}|{','.join(PLATFORMS)}|{PYTHON_VERSION}"
        return hashlib.sha256(recipe.encode()).hexdigest()[:16]

    def build(self) -> Path:
        """The cached build for these requirements, made now if there is none."""
        target = self.cache_dir / self.key
        if (target / "python").is_dir():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.key}-", dir=self.cache_dir))
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--requirement",
            str(self.requirements),
            "--target",
            str(staging / "python"),
            *(option for platform in PLATFORMS for option in ("--platform", platform)),
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_VERSION,
            "--only-binary=:all:",
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)  # noqa: S603
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            output = getattr(exc, "stderr", "") or ""
            raise VendorBuildError(f"pip could not build the vendor layer from {self.requirements}: {output}") from exc
        shutil.rmtree(staging / "python" / "bin", ignore_errors=True)  # console scripts: nothing runs them
        try:
            os.replace(staging, target)  # atomic: a concurrent synthesis sees the whole build or none
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another synthesis finished first; use its build
        return target


def vendor_layer(
    scope: Construct, construct_id: str, *, runtime: lambda_.Runtime, architecture: lambda_.Architecture
) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(
            str(VENDOR_DIR),
            # The requirements decide the content (they are pinned), so hashing them avoids running pip just to
            # learn the asset's hash.
            asset_hash_type=AssetHashType.SOURCE,
            bundling=BundlingOptions(image=DockerImage.from_registry(_UNUSED_IMAGE), local=PipBundling()),
        ),
        compatible_runtimes=[runtime],
        compatible_architectures=[architecture],
        description="Third-party packages beyond Powertools: Stripe SDK, defusedxml, rapidfuzz (layers/vendor)",
    )
