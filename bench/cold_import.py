"""Cold import of every Lambda handler (``infrastructure/catalog.FUNCTIONS``) as deployed, against the baseline of
importing boto3 + pydantic + Powertools alone from the same layers (what any handler on this stack pays before its
own code). Budget (issue 18): each handler's median ratio to the baseline is at most ``BUDGET``.

As deployed means what Lambda runs: the function asset and the layer assets packaged as
``infrastructure/constructs/functions.py`` packages them (``tests/deploy/lambda_layout.py``: the same excludes, the
same bytecode compiled for the runtime, the same dependencies layer), the runtime's own boto3 (with its bytecode, as
the runtime's image has it), and CPython 3.12
started as the isolated import test starts it (``-I -S -B``: no site-packages, no environment paths, and no
bytecode written: ``/var/task`` and ``/opt`` are read-only, so only what the assets carry is reused).

Each handler's import runs in a fresh interpreter right after a baseline import in another (paired, interleaved, in
the same run), ``RUNS`` times; the figure is the median of the paired wall-time ratios (``cpu_ratio``: the same on
CPU time, which the load of other processes disturbs least). Times vary with the machine's load, so
the modules each import loads (all, and the product's own ``arportal.*``) are reported too: counts do not vary, and
``tests/unit/test_cold_import_budget.py`` holds every handler to a budget of them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from infrastructure.constructs.bytecode import lambda_python
from tests.deploy import lambda_layout
from tests.deploy.lambda_layout import Function

BUDGET = 1.3
RUNS = 9
BASELINE = (
    "import boto3, pydantic; "
    "from aws_lambda_powertools import Logger; "
    "from aws_lambda_powertools.event_handler import APIGatewayRestResolver"
)
# Measured with this bench (7 runs) before issue 18's changes: the assets without bytecode, every route module and
# every port imported at start. (median wall ratio, modules loaded by the import, of which arportal.*)
BEFORE: dict[str, tuple[float, int, int]] = {
    "public_api": (1.72, 496, 105),
    "portal_api": (1.77, 516, 110),
    "staff_api": (2.21, 579, 151),
    "integration_api": (1.77, 506, 104),
    "workflow_tasks": (1.38, 350, 88),
    "audit_exporter": (1.43, 377, 80),
    "aggregate_builder": (1.41, 380, 83),
    "sandbox_api": (1.12, 396, 20),
    "webhook_dispatcher": (1.03, 359, 16),
    "email_events": (1.3, 339, 80),
    "scheduled_jobs": (0.86, 272, 16),
}

_PROBE = (
    "import sys, time; sys.path[:0] = {path!r}; before = set(sys.modules); "
    "t, c = time.perf_counter(), time.process_time(); {statement}; "
    "elapsed, cpu = time.perf_counter() - t, time.process_time() - c; "
    "new = [m for m in sys.modules if m not in before]; "
    "print(elapsed, cpu, len(new), sum(m.split('.')[0] == 'arportal' for m in new))"
)


def _measure(python: str, function: Function, opt: Path, sdk: Path, statement: str) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, modules loaded, of which arportal.*) of ``statement`` in a fresh isolated
    interpreter."""
    code = _PROBE.format(path=lambda_layout.sys_path(function, opt, sdk), statement=statement)
    out = subprocess.run(
        [python, "-I", "-S", "-B", "-c", code],
        capture_output=True,
        text=True,
        env=lambda_layout.lambda_environment(function, opt),
        check=True,
        cwd=function.task,
    ).stdout
    seconds, cpu, loaded, own = out.strip().splitlines()[-1].split()
    return float(seconds), float(cpu), int(loaded), int(own)


def measure(functions: list[Function], work: Path, runs: int = RUNS) -> dict[str, dict[str, Any]]:
    python, sdk = lambda_python(), lambda_layout.runtime_sdk()
    opts: dict[tuple[Path, ...], Path] = {}
    for function in functions:
        if function.layers not in opts:
            opts[function.layers] = lambda_layout.extract_layers(function.layers, work / f"opt{len(opts)}")
    wall: dict[str, list[tuple[float, float]]] = {f.name: [] for f in functions}
    cpu: dict[str, list[tuple[float, float]]] = {f.name: [] for f in functions}
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(runs):
        for function in functions:  # interleaved: every handler in every round, each right after its baseline
            opt = opts[function.layers]
            base, base_cpu, _, _ = _measure(python, function, opt, sdk, BASELINE)
            module = function.handler.rpartition(".")[0]
            seconds, seconds_cpu, loaded, own = _measure(python, function, opt, sdk, f"import {module}")
            wall[function.name].append((seconds, base))
            cpu[function.name].append((seconds_cpu, base_cpu))
            counts[function.name] = (loaded, own)
    result = {}
    for function in functions:
        pairs = wall[function.name]
        result[function.name] = {
            "ratio": round(statistics.median(h / b for h, b in pairs), 2),
            # CPU time: what the load of other processes on the machine disturbs least
            "cpu_ratio": round(statistics.median(h / b for h, b in cpu[function.name]), 2),
            "handler_ms": round(statistics.median(h for h, _ in pairs) * 1000, 1),
            "baseline_ms": round(statistics.median(b for _, b in pairs) * 1000, 1),
            "modules": counts[function.name][0],
            "arportal_modules": counts[function.name][1],
        }
    return result


def run(runs: int = RUNS, *, bytecode: bool = True, only: tuple[str, ...] = ()) -> dict[str, object]:
    """``bytecode=False``: the assets as they were packaged before they carried their bytecode; ``only``: these
    functions (default: every one)."""
    with tempfile.TemporaryDirectory(prefix="cold-import-") as folder:
        work = Path(folder)
        functions = lambda_layout.from_checkout(work / "assets", bytecode=bytecode)
        handlers = measure([f for f in functions if not only or f.name in only], work, runs)
    return {
        "layout": "deployed: function + layer assets as CDK packages them, python3.12 -I -S -B",
        "bytecode_in_assets": bytecode,
        "baseline": "boto3 + pydantic + Powertools (Logger, APIGatewayRestResolver), from the same layers",
        "budget_ratio": BUDGET,
        "runs": runs,
        "handlers": handlers,
        "over_budget": sorted(name for name, figures in handlers.items() if figures["ratio"] > BUDGET),
        "before": {
            name: dict(zip(("ratio", "modules", "arportal_modules"), v, strict=True)) for name, v in BEFORE.items()
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
