"""Tested = deployed. The dependencies layer holds exactly the locked versions (``requirements/runtime.txt``), less
the boto3 the runtime brings; the lock's versions are the ones the tests run with (``requirements/dev.txt``, which
``make test`` installs); and both locks still satisfy ``pyproject.toml`` (a range edited without ``make lock``
fails here). Reads the layer as built for Lambda: each ``*.dist-info/METADATA``, not what pip says it installed."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from infrastructure import catalog
from infrastructure.constructs.vendor_layer import LOCK, PYTHON_VERSION, RUNTIME_PROVIDED, PipBundling, canonical_name

DEV_LOCK = LOCK.with_name("dev.txt")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
# Where the layer runs: the python3.12 Lambda runtime on x86_64
LAMBDA_MARKERS = {
    "python_version": PYTHON_VERSION,
    "python_full_version": f"{PYTHON_VERSION}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}


def pins(lock: Path, environment: dict[str, str] | None = None) -> dict[str, str]:
    """``{name: version}`` of a lock's entries whose marker holds in ``environment`` (this interpreter's if None)."""
    found = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match and (match.group(3) is None or Marker(match.group(3)).evaluate(environment)):
            found[canonical_name(match.group(1))] = match.group(2)
    return found


@pytest.fixture(scope="module")
def layer() -> dict[str, str]:
    """``{name: version}`` of every distribution in the built dependencies layer."""
    site = PipBundling().build() / "python"
    found = {}
    for metadata in site.glob("*.dist-info/METADATA"):
        headers = HeaderParser().parsestr(metadata.read_text(encoding="utf-8"))
        found[canonical_name(headers["Name"])] = headers["Version"]
    return found


@pytest.mark.parametrize("distribution", ["aws-lambda-powertools", "pydantic", "pydantic-core"])
def test_the_deployed_version_is_the_locked_and_the_tested_one(layer: dict[str, str], distribution: str) -> None:
    locked = pins(LOCK)[distribution]
    assert layer[distribution] == locked, f"the layer deploys {distribution} {layer[distribution]}, locked {locked}"
    assert importlib.metadata.version(distribution) == locked, "the tests run another version than the lock's"


def test_the_layer_is_the_lock_less_what_the_runtime_brings(layer: dict[str, str]) -> None:
    expected = {name: v for name, v in pins(LOCK, LAMBDA_MARKERS).items() if name not in RUNTIME_PROVIDED}
    assert layer == expected
    assert {"aws-lambda-powertools", "pydantic", "cryptography", "stripe", "defusedxml", "rapidfuzz"} <= set(layer)


def test_the_runtime_lock_has_the_dev_lock_s_versions() -> None:
    runtime, dev = pins(LOCK, LAMBDA_MARKERS), pins(DEV_LOCK, LAMBDA_MARKERS)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_the_locks_satisfy_pyproject() -> None:
    project = tomllib.loads((catalog.ROOT / "pyproject.toml").read_text())["project"]
    for declared, lock in ((project["dependencies"], LOCK), (project["optional-dependencies"]["dev"], DEV_LOCK)):
        locked = pins(lock)
        for line in declared:
            requirement = Requirement(line)
            name = canonical_name(requirement.name)
            assert name in locked, f"{name} is not in {lock.name}: run make lock"
            assert requirement.specifier.contains(locked[name], prereleases=True), (
                f"{lock.name} pins {name}=={locked[name]}, outside pyproject's {requirement.specifier}: run make lock"
            )


def test_every_lock_entry_carries_hashes() -> None:
    for lock in (LOCK, DEV_LOCK, LOCK.with_name("lambda-runtime.txt")):
        entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
        pinned = [entry for entry in entries if PIN.match(entry.splitlines()[0])]
        assert pinned, lock
        for entry in pinned:
            assert "--hash=sha256:" in entry, (lock.name, entry.splitlines()[0])
