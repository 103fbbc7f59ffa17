"""Bytecode for the Lambda runtime's Python, compiled when the assets are bundled.

Lambda's ``/var/task`` and ``/opt`` are read-only: a module without its ``.pyc`` in the asset is compiled again on
every cold start and the result thrown away (issue 18: about half of an API handler's cold import). So every asset
of ours carries ``__pycache__/*.cpython-312.pyc``, compiled by CPython 3.12 itself (bytecode is version-specific),
never in Docker (``ILocalBundling``):

- ``--invalidation-mode unchecked-hash``: the ``.pyc`` records its source's hash, not its modification time (which
  a zip does not keep), and the runtime loads it without reading the source again;
- the build folder is replaced by the deployed one in the code objects (``-s``/``-p``), so the same source gives the
  same bytes wherever it is built: the asset's hash (its output's) changes only when the code does.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from collections.abc import Iterable
from glob import glob
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

PYTHON_VERSION = "3.12"
COMPILE_TIMEOUT_S = 600
# Required by BundlingOptions but never run: local bundling always succeeds or raises.
UNUSED_IMAGE = "public.ecr.aws/sam/build-python3.12"


class BytecodeError(RuntimeError):
    """No CPython of the runtime's version here, or a module that does not compile."""


def lambda_python() -> str:
    """The CPython 3.12 to compile with (and to run as the runtime's interpreter in tests): ``LAMBDA_PYTHON``, else
    ``python3.12`` or pyenv's."""
    candidates = [os.environ.get("LAMBDA_PYTHON"), shutil.which(f"python{PYTHON_VERSION}")]
    candidates += sorted(glob(os.path.expanduser(f"~/.pyenv/versions/{PYTHON_VERSION}.*/bin/python{PYTHON_VERSION}")))
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 - our own candidates
            [candidate, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == PYTHON_VERSION:
            return candidate
    raise BytecodeError(f"no CPython {PYTHON_VERSION} (Lambda's) found: install it, or name it in LAMBDA_PYTHON")


def compile_tree(folder: Path, deployed_at: str) -> None:
    """Compile every module under ``folder`` in place, as if ``folder`` were ``deployed_at`` (``/var/task``)."""
    command = [
        lambda_python(),
        "-I",
        "-m",
        "compileall",
        "-q",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(folder),
        "-p",
        deployed_at,
        str(folder),
    ]
    result = subprocess.run(  # noqa: S603 - our interpreter, our folder
        command, capture_output=True, text=True, check=False, timeout=COMPILE_TIMEOUT_S
    )
    if result.returncode != 0:
        raise BytecodeError(f"{folder} does not compile for Python {PYTHON_VERSION}: {result.stdout}{result.stderr}")


def copy_source(source: Path, target: Path, excludes: Iterable[str]) -> Path:
    """``source`` less ``excludes`` (CDK's glob patterns, each ``**/<name glob>``: dropped at any depth)."""
    patterns = [pattern.removeprefix("**/") for pattern in excludes]
    assert all(not p.startswith("**") for p in patterns), "only **/<name glob> patterns are supported"

    def ignored(_: str, names: list[str]) -> set[str]:
        return {name for name in names for p in patterns if fnmatch.fnmatch(name, p)}

    shutil.copytree(source, target, ignore=ignored, dirs_exist_ok=True)
    return target


def compiled_copy(source: Path, target: Path, excludes: Iterable[str], deployed_at: str) -> Path:
    """What the asset holds: ``source`` less ``excludes``, with its bytecode."""
    copy_source(source, target, excludes)
    compile_tree(target, deployed_at)
    return target


@jsii.implements(ILocalBundling)
class CompiledSource:
    """Bundles a folder of Python source as ``compiled_copy`` makes it, on this machine."""

    def __init__(self, source: Path, excludes: Iterable[str], deployed_at: str) -> None:
        self.source = source
        self.excludes = tuple(excludes)
        self.deployed_at = deployed_at

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_: Any) -> bool:
        compiled_copy(self.source, Path(output_dir), self.excludes, self.deployed_at)
        return True


def compiled_asset(source: Path, excludes: Iterable[str], deployed_at: str) -> lambda_.Code:
    """``Code.from_asset(source, exclude=excludes)`` with bytecode; its hash is its output's, bytecode included."""
    excludes = list(excludes)
    return lambda_.Code.from_asset(
        str(source),
        exclude=excludes,
        asset_hash_type=AssetHashType.OUTPUT,
        bundling=BundlingOptions(
            image=DockerImage.from_registry(UNUSED_IMAGE), local=CompiledSource(source, excludes, deployed_at)
        ),
    )
