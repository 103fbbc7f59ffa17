"""Cold import of each Lambda handler module (every function of ``infrastructure/catalog.FUNCTIONS``), each in a
fresh interpreter, beside the baseline of importing boto3 + pydantic + Powertools alone (what any handler on this
stack pays before its own code).

The budget (ARCHITECTURE "Budgets"): a handler's cold import stays close to that baseline. Times vary with the
machine, so each handler's count of modules loaded (all, and the product's own ``arportal.*``) is reported too:
a count does not vary, and it is what grows when a handler starts importing what its routes never use.
``BEFORE_COMPOSITION_ROOT`` holds the counts measured before every adapter moved into ``arportal/wiring/``
(issue 11), so a run shows whether the composition root made cold starts heavier.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from infrastructure import catalog

ROOT = Path(__file__).resolve().parent.parent
# Every function the stack deploys (the catalog), so a new function package is measured without being listed here.
HANDLERS = tuple(spec.handler.removesuffix(".lambda_handler") for spec in catalog.FUNCTIONS)
# (modules loaded by the import, of which arportal.*), measured at commit 8fbdb26 with the same interpreter
BEFORE_COMPOSITION_ROOT = {
    "public_api.handler": (402, 60),
    "portal_api.handler": (637, 78),
    "staff_api.handler": (648, 86),
    "workflow_tasks.handler": (469, 46),
    "scheduled_jobs.handler": (214, 5),
    "audit_exporter.handler": (505, 42),
    "sandbox_api.handler": (339, 10),
}
BASELINE = (
    "import boto3, pydantic; "
    "from aws_lambda_powertools import Logger; "
    "from aws_lambda_powertools.event_handler import APIGatewayRestResolver"
)
RUNS = 7
ENV = {
    "PYTHONPATH": f"{ROOT / 'layers/arportal/python'}:{ROOT / 'functions'}",
    "PYTHONDONTWRITEBYTECODE": "0",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "PATH": "/usr/bin:/bin",
}


def _time_import(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True, cwd=ROOT
    ).stdout
    return float(out.strip().splitlines()[-1])


def module_counts(module: str) -> tuple[int, int]:
    """How many modules importing ``module`` loads, and how many of them are the product's own."""
    code = (
        "import sys; before = set(sys.modules); "
        f"import {module}; "
        "new = [m for m in sys.modules if m not in before]; "
        "print(len(new), sum(m.startswith('arportal') for m in new))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True, cwd=ROOT
    ).stdout
    loaded, own = out.strip().splitlines()[-1].split()
    return int(loaded), int(own)


def median_ms(statement: str, runs: int = RUNS) -> float:
    _time_import(statement)  # warm the bytecode cache, as a deployed package ships .pyc-free but cached
    return round(statistics.median(_time_import(statement) for _ in range(runs)) * 1000, 1)


def run() -> dict[str, object]:
    baseline = median_ms(BASELINE)
    handlers = {}
    counts = {}
    for module in HANDLERS:
        if (ROOT / "functions" / module.replace(".", "/")).with_suffix(".py").exists():
            handlers[module] = median_ms(f"import {module}")
            counts[module] = module_counts(module)
    return {
        "baseline_ms": baseline,
        "baseline": "boto3 + pydantic + Powertools (Logger, APIGatewayRestResolver)",
        "handlers_ms": handlers,
        "overhead_ms": {m: round(v - baseline, 1) for m, v in handlers.items()},
        "modules_loaded": {m: {"all": c[0], "arportal": c[1]} for m, c in counts.items()},
        "modules_loaded_before_composition_root": {
            m: {"all": c[0], "arportal": c[1]} for m, c in BEFORE_COMPOSITION_ROOT.items()
        },
        "modules_change": {
            m: c[0] - BEFORE_COMPOSITION_ROOT[m][0] for m, c in counts.items() if m in BEFORE_COMPOSITION_ROOT
        },
        "runs": RUNS,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
