"""A handler's cold import stays within a budget of modules (issue 18: each handler imports at start only what it
needs; ``bench/cold_import.py`` times it as deployed against the baseline of boto3 + pydantic + Powertools).

Counted, not timed, so the machine's load cannot make it pass or fail: each handler is imported in a fresh
interpreter and the modules it loads are counted, all of them and the product's own (``arportal.*``). The API
handlers include their route modules on the first request that needs them (``arportal/api/route_table.py``), so
their import loads none. Raising a budget is a decision: measure with ``python -m bench cold_import`` first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infrastructure import catalog

ROOT = Path(__file__).resolve().parents[2]
# function: (every module its import loads, of which arportal.*), with a little room above what they load today
BUDGETS: dict[str, tuple[int, int]] = {
    "public_api": (400, 25),
    "portal_api": (400, 25),
    "staff_api": (400, 25),
    "integration_api": (400, 25),
    "workflow_tasks": (250, 18),
    "audit_exporter": (300, 24),
    "aggregate_builder": (325, 50),
    "sandbox_api": (385, 22),
    "webhook_dispatcher": (345, 18),
    "email_events": (270, 32),
    "scheduled_jobs": (250, 18),
}
_COUNT = """
import json, sys
sys.path[:0] = {paths!r}
before = set(sys.modules)
import {module}
new = [m for m in sys.modules if m not in before]
print(json.dumps({{"all": len(new), "arportal": sorted(m for m in new if m.split(".")[0] == "arportal"),
                  "routes": sorted(m for m in new if ".routes." in m), "boto3": "boto3" in sys.modules}}))
"""


def _loaded(module: str) -> dict[str, object]:
    paths = [str(ROOT / "layers/arportal/python"), str(ROOT / "functions"), str(ROOT)]
    out = subprocess.run(  # noqa: S603 - this interpreter, our code, in a fresh process: a cold import
        [sys.executable, "-c", _COUNT.format(paths=paths, module=module)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    loaded: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return loaded


def test_every_function_has_a_budget() -> None:
    assert set(BUDGETS) == {spec.name for spec in catalog.FUNCTIONS}


@pytest.mark.parametrize("spec", catalog.FUNCTIONS, ids=lambda spec: spec.name)
def test_the_handler_s_cold_import_stays_within_its_budget(spec: catalog.FunctionSpec) -> None:
    loaded = _loaded(spec.handler.rpartition(".")[0])
    every, own = BUDGETS[spec.name]
    assert isinstance(loaded["arportal"], list)
    assert len(loaded["arportal"]) <= own, f"{spec.name} imports {len(loaded['arportal'])}: {loaded['arportal']}"
    assert isinstance(loaded["all"], int) and loaded["all"] <= every, loaded["all"]
    assert loaded["routes"] == [], f"{spec.name} imports route modules at start: {loaded['routes']}"
    assert loaded["boto3"] is False  # the AWS SDK comes with the first adapter a call needs (arportal/wiring)
