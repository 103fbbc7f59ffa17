"""`make dev` start-up: seconds from launching ``python -m local --seed 42`` to its "ready" line, median of a few
runs in fresh processes. Budget (ARCHITECTURE "Local runtime"): ready within 15 s on a 2-core machine.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
BUDGET_S = 15.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seconds_to_ready(timeout_s: float = 120.0) -> tuple[float, int]:
    """Start the dev runtime, wait for its ready line, stop it; returns (seconds, seeded items)."""
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_ENDPOINT_URL", "MOTO_PORT"}}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / p) for p in ("layers/arportal/python", "functions", "."))
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", str(_free_port()), "--seed", "42"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    items = 0
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "demo data" in line:
                items = int(line.split()[2])
            if line.startswith("ready in"):
                return time.monotonic() - started, items
            if time.monotonic() - started > timeout_s:
                break
        raise RuntimeError("the dev runtime did not become ready")
    finally:
        process.terminate()
        process.wait(timeout=30)


def run() -> dict[str, object]:
    runs = [seconds_to_ready() for _ in range(RUNS)]
    median = statistics.median(s for s, _ in runs)
    return {
        "runs_s": [round(s, 2) for s, _ in runs],
        "median_s": round(median, 2),
        "seeded_items": runs[-1][1],
        "budget_s": BUDGET_S,
        "within_budget": median < BUDGET_S,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
