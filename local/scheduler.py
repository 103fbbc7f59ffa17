"""Scheduled jobs of the local runtime.

In AWS, EventBridge Scheduler triggers the scheduled work (settlement, reminders, autopay runs); moto's schedules
never fire, so the local runtime runs the same work itself. A job is a name, an interval and a function of the
running ``LocalEnvironment``; register it in ``JOBS`` (or pass a list to ``Scheduler``):

    JOBS.append(Job("settlement", timedelta(days=1), lambda env: start_settlement(env)))

Each job first runs one interval after start, on the scheduler's thread, one job at a time; an exception is
logged and the job runs again at its next time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from local.environment import LocalEnvironment

logger = logging.getLogger("local.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[LocalEnvironment], None]


JOBS: list[Job] = []


# --- the scheduled_jobs function (issue 4): what EventBridge Scheduler invokes daily in AWS ---------------------
# Hourly here, so a developer sees them work; each is safe to rerun (charges start once a day by execution name,
# notices are sent once by their markers), so the extra runs change nothing.
def _scheduled_job(job: str) -> Callable[[LocalEnvironment], None]:
    def run(env: LocalEnvironment) -> None:
        import json

        response = env.client("lambda").invoke(
            FunctionName=env.resources.functions["scheduled_jobs"], Payload=json.dumps({"job": job}).encode()
        )
        if response.get("FunctionError"):
            raise RuntimeError(f"scheduled job {job} failed: {response['Payload'].read()[:500]!r}")

    return run


JOBS.extend(
    Job(f"scheduled_jobs:{job}", timedelta(hours=1), _scheduled_job(job)) for job in ("autopay", "reminders", "overdue")
)


class Scheduler:
    def __init__(self, env: LocalEnvironment, jobs: list[Job] | None = None, *, tick_s: float = 1.0) -> None:
        self.env = env
        self.jobs = list(JOBS if jobs is None else jobs)
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Scheduler:
        if self.jobs:
            self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        now = time.monotonic()
        due = {job.name: now + job.every.total_seconds() for job in self.jobs}
        while not self._stop.wait(self.tick_s):
            for job in self.jobs:
                if time.monotonic() < due[job.name]:
                    continue
                try:
                    job.run(self.env)
                except Exception:
                    logger.exception("scheduled job %s failed", job.name)
                due[job.name] = time.monotonic() + job.every.total_seconds()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
