"""Cold import of each Lambda handler module, each in a fresh interpreter, beside the baseline of importing
boto3 + pydantic + Powertools alone (what any handler on this stack pays before its own code).

The budget (ARCHITECTURE "Budgets"): a handler's cold import stays close to that baseline.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ("public_api.handler", "portal_api.handler", "staff_api.handler", "workflow_tasks.handler")
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


def median_ms(statement: str, runs: int = RUNS) -> float:
    _time_import(statement)  # warm the bytecode cache, as a deployed package ships .pyc-free but cached
    return round(statistics.median(_time_import(statement) for _ in range(runs)) * 1000, 1)


def run() -> dict[str, object]:
    baseline = median_ms(BASELINE)
    handlers = {}
    for module in HANDLERS:
        if (ROOT / "functions" / module.replace(".", "/")).with_suffix(".py").exists():
            handlers[module] = median_ms(f"import {module}")
    return {
        "baseline_ms": baseline,
        "baseline": "boto3 + pydantic + Powertools (Logger, APIGatewayRestResolver)",
        "handlers_ms": handlers,
        "overhead_ms": {m: round(v - baseline, 1) for m, v in handlers.items()},
        "runs": RUNS,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
