"""`make dev` start-up: seconds from launching ``python -m local --seed 42 [--customers N]`` to its "ready" line, and
the process's peak resident memory (``VmHWM``), in fresh processes.

The CPU seconds it used by then are recorded too: on a shared machine the wall time follows the load.
Budgets (issue 18): the default demo agency ready within 6 s; a 10,000-customer agency ready within 15 s and
1 GiB, on a 2-core machine. The default is timed ``RUNS`` times (median); a larger agency once, stopped when it
passes ``GIVE_UP_S`` or ``GIVE_UP_RSS_MB`` (reported as not ready, with what it had reached). Timings scale
with the machine's load: the 1-minute load average is recorded beside them.

    python -m bench dev_startup                     # the default, 1,000 and 10,000 customers
    python -m bench.dev_startup 1000                # one size, printed
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
SIZES = (None, 1_000, 10_000)  # None: the default demo agency (local.seed.DEFAULT_CUSTOMERS)
BUDGETS = {None: (6.0, 1024), 10_000: (15.0, 1024)}  # seconds, MiB
GIVE_UP_S = 600.0
GIVE_UP_RSS_MB = 2048  # twice the budget: past it the answer is known, and the machine is shared


@dataclass(frozen=True)
class Start:
    seconds: float | None  # None: not ready before it was stopped
    cpu_s: float  # CPU seconds it had used by then (with its generating worker): less sensitive to the load
    peak_rss_mb: int
    items: int
    through_the_door: int
    stopped_because: str | None = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> int:
    """The process's high-water mark of resident memory (Linux ``/proc``; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its reaped children (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def start_once(customers: int | None = None, *, give_up_s: float = GIVE_UP_S) -> Start:
    """Start the dev runtime, wait for its ready line (or give up), stop it."""
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_ENDPOINT_URL", "MOTO_PORT"}}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / p) for p in ("layers/arportal/python", "functions", "."))
    command = [sys.executable, "-m", "local", "--port", str(_free_port()), "--seed", "42"]
    if customers is not None:
        command += ["--customers", str(customers)]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:  # the output, on a thread: the watch below must not block on a silent process
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("ready in"):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    reason = None
    peak = 0
    try:
        while not ready.wait(0.2):
            peak = max(peak, _peak_rss_mb(process.pid))
            if process.poll() is not None:
                raise RuntimeError("the dev runtime exited:\n" + "".join(lines[-20:]))
            if time.monotonic() - started > give_up_s:
                reason = f"not ready after {give_up_s:.0f} s"
            elif peak > GIVE_UP_RSS_MB:
                reason = f"over {GIVE_UP_RSS_MB} MiB"
            if reason:
                break
        seconds = None if reason else time.monotonic() - started
        peak = max(peak, _peak_rss_mb(process.pid))
        cpu = _cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=60)
    items = door = 0
    for line in lines:
        if "demo data" in line:
            items = int(line.split()[2])
        if "loaded through the integration API" in line:
            door = int(line.split()[0])
    return Start(seconds, round(cpu, 2), peak, items, door, reason)


def measure(customers: int | None) -> dict[str, object]:
    runs = [start_once(customers) for _ in range(RUNS if customers is None else 1)]
    ready = [r.seconds for r in runs if r.seconds is not None]
    median = statistics.median(ready) if len(ready) == len(runs) else None
    peak = max(r.peak_rss_mb for r in runs)
    budget_s, budget_mb = BUDGETS.get(customers, (None, None))
    result: dict[str, object] = {
        "customers": customers or "default",
        "runs_s": [None if r.seconds is None else round(r.seconds, 2) for r in runs],
        "median_s": None if median is None else round(median, 2),
        "cpu_s": statistics.median(r.cpu_s for r in runs),
        "peak_rss_mb": peak,
        "seeded_items": runs[-1].items,
        "through_the_door": runs[-1].through_the_door,
        "stopped_because": runs[-1].stopped_because,
    }
    if budget_s is not None and budget_mb is not None:
        result["budget"] = {"seconds": budget_s, "rss_mb": budget_mb}
        result["within_budget"] = median is not None and median < budget_s and peak < budget_mb
    return result


def run() -> dict[str, object]:
    sizes = [measure(customers) for customers in SIZES]
    return {"sizes": sizes, "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}


if __name__ == "__main__":
    import json

    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else None), indent=2))
