"""The dependencies layer: every third-party package the Lambda code imports (Powertools, pydantic, cryptography, the
Stripe SDK, defusedxml, rapidfuzz and what they need), at the versions of ``requirements/runtime.txt``, the lock that
``make test`` installs: the versions deployed are the versions tested. boto3, botocore and s3transfer are left out:
the Lambda runtime supplies them (``requirements/lambda-runtime.txt`` records its version for the isolated import
test, ``tests/deploy``).

Built by pip on the synthesizing machine, never in Docker (``ILocalBundling``): wheels for the Lambda runtime
(x86_64, CPython 3.12) whatever this machine is, each checked against its hash in the lock (the lock records every
wheel of a version, so the Linux cp312 ones too). The first synthesis on a machine needs PyPI (or a pip index it is
configured for). The result is kept under ``build/dependencies-layer/<hash>``, keyed by the requirements and the
target platform, so later syntheses (the infrastructure tests) copy it instead of downloading again, offline; delete
``build/`` to force a fresh download.

The layer carries its bytecode, compiled by CPython 3.12 (``bytecode.py``) once per build and cached beside it
(``<hash>-bytecode``): ``/opt`` is read-only, so without it every cold start would compile pydantic and Powertools.
"""

from __future__ import annotations

import hashlib
import os
import re
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
from infrastructure.constructs.bytecode import PYTHON_VERSION, UNUSED_IMAGE, compile_tree

LOCK = catalog.ROOT / "requirements" / "runtime.txt"
CACHE_DIR = catalog.ROOT / "build" / "dependencies-layer"
# What the python3.12 runtime brings itself. The rest of boto3's dependencies stay in the layer: Powertools needs
# jmespath and the Stripe SDK urllib3, and the layer comes first on sys.path, so the runtime's botocore runs with the
# layer's copies (the isolated import test runs that combination).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# The python3.12 runtime is Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels run there, and rapidfuzz 3.14
# publishes only those (no manylinux2014 wheel), so pip may pick either.
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
PIP_TIMEOUT_S = 600
_REQUIREMENT_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


class VendorBuildError(RuntimeError):
    """pip could not build the layer (offline, or a requirement has no wheel for the Lambda platform)."""


def canonical_name(name: str) -> str:
    """A distribution's name as PEP 503 compares it (``Typing_Extensions`` is ``typing-extensions``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def layer_requirements(lock_text: str, leave_out: frozenset[str] = RUNTIME_PROVIDED) -> str:
    """The lock less ``leave_out`` (canonical names). An entry is its ``name==version`` line and the indented lines
    under it (hashes, ``# via``); comments between entries are dropped."""
    kept: list[str] = []
    keep = False
    for line in lock_text.splitlines():
        if line[:1].isspace():
            if keep:
                kept.append(line)
            continue
        match = _REQUIREMENT_NAME.match(line)
        keep = match is not None and canonical_name(match.group(1)) not in leave_out
        if keep:
            kept.append(line)
    return "\n".join(kept) + "\n"


@jsii.implements(ILocalBundling)
class PipBundling:
    """Installs a lock (less ``leave_out``) for the Lambda platform into ``<output>/python``."""

    def __init__(
        self, lock: Path = LOCK, *, cache_dir: Path = CACHE_DIR, leave_out: frozenset[str] = RUNTIME_PROVIDED
    ) -> None:
        self.lock = lock
        self.requirements = layer_requirements(lock.read_text(), leave_out)
        self.cache_dir = cache_dir

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: Any) -> bool:
        shutil.copytree(self.compiled() / "python", Path(output_dir) / "python", dirs_exist_ok=True)
        return True

    @property
    def key(self) -> str:
        recipe = f"{self.requirements}|{','.join(PLATFORMS)}|{PYTHON_VERSION}"
        return hashlib.sha256(recipe.encode()).hexdigest()[:16]

    @property
    def asset_key(self) -> str:
        """The layer's content: the build's, with its bytecode for the runtime's Python (``bytecode.py``)."""
        return hashlib.sha256(f"{self.key}|bytecode {PYTHON_VERSION} unchecked-hash".encode()).hexdigest()[:16]

    def compiled(self) -> Path:
        """The build with its bytecode (``<build>/python``), compiled once from ``build()`` and cached beside it."""
        target = self.cache_dir / f"{self.key}-bytecode"
        if (target / "python").is_dir():
            return target
        source = self.build()
        staging = Path(tempfile.mkdtemp(prefix=f".{self.key}-bytecode-", dir=self.cache_dir))
        try:
            shutil.copytree(source / "python", staging / "python", symlinks=True)
            compile_tree(staging / "python", "/opt/python")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            os.replace(staging, target)  # atomic, as build()'s
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def build(self) -> Path:
        """The cached build for these requirements, made now if there is none: ``<build>/python`` is the layer and
        ``<build>/requirements.txt`` what pip installed into it."""
        target = self.cache_dir / self.key
        if (target / "python").is_dir():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.key}-", dir=self.cache_dir))
        requirements = staging / "requirements.txt"
        requirements.write_text(self.requirements)
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--require-hashes",
            "--requirement",
            str(requirements),
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
            raise VendorBuildError(f"pip could not install {self.lock} for the Lambda runtime: {output}") from exc
        shutil.rmtree(staging / "python" / "bin", ignore_errors=True)  # console scripts: nothing runs them
        try:
            os.replace(staging, target)  # atomic: a concurrent synthesis sees the whole build or none
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another synthesis finished first; use its build
        return target


def dependencies_layer(
    scope: Construct, construct_id: str, *, runtime: lambda_.Runtime, architecture: lambda_.Architecture
) -> lambda_.LayerVersion:
    bundling = PipBundling()
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(
            str(LOCK.parent),
            # The locked requirements (and the bytecode's recipe) decide the content, so their hash is the asset's: no
            # pip run to learn it, and a change to the dev tools' lock next to it changes nothing here.
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=bundling.asset_key,
            bundling=BundlingOptions(image=DockerImage.from_registry(UNUSED_IMAGE), local=bundling),
        ),
        compatible_runtimes=[runtime],
        compatible_architectures=[architecture],
        description="Third-party packages at the tested versions (requirements/runtime.txt), boto3 aside",
    )
