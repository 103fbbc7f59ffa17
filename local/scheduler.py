"""Scheduled jobs of the local runtime: ``JOBS`` is the one list of them.

In AWS, EventBridge Scheduler triggers the scheduled work; moto's schedules never fire, so the local runtime runs
the same work itself, periodically (``Scheduler.start``) and on demand (``POST /local/jobs/{name}``, which calls
``Scheduler.run``). A job is a name, an interval, a function of the running ``LocalEnvironment`` returning what
the job reports, and a description; append one to ``JOBS`` and both the periodic runs and the routes have it:

    JOBS.append(Job("statements", timedelta(hours=1), run_statements, description="Monthly statements"))

Each job first runs one interval after start. Jobs run one at a time, so a periodic run and an on-demand run
never overlap. An exception is the job's failed outcome: logged, kept as its last outcome, and the job runs
again at its next time.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from arportal import clock

if TYPE_CHECKING:
    from local.environment import LocalEnvironment

logger = logging.getLogger("local.scheduler")
SETTLEMENT_TIMEOUT_S = 600  # a seeded day settles in seconds; past this the job reports failure, the run goes on


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[LocalEnvironment], Any]
    description: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Outcome:
    job: str
    ok: bool
    started_at: datetime  # by the product's clock, like everything the product records
    seconds: float
    result: Any = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "ok": self.ok,
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "result": self.result,
            "error": self.error,
        }


# --- the jobs ---------------------------------------------------------------------------------------------------


def _scheduled_job(job: str) -> Callable[[LocalEnvironment], Any]:
    """One job of the scheduled_jobs function, invoked as EventBridge Scheduler does: ``{"job": ...}`` and no
    day, so the function reads the day from the product's clock, as in AWS."""

    def run(env: LocalEnvironment) -> Any:
        response = env.client("lambda").invoke(
            FunctionName=env.resources.functions["scheduled_jobs"], Payload=json.dumps({"job": job}).encode()
        )
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            message = payload.get("errorMessage") if isinstance(payload, dict) else None
            raise RuntimeError(message or f"the scheduled_jobs function failed: {payload!r}"[:500])
        return payload

    return run


def _settlement(env: LocalEnvironment) -> Any:
    """Settle from the processor's payouts as the daily schedule does (no input: the machine reads today from the
    product's clock), and wait for it."""
    sfn = env.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=env.resources.state_machines["settlement"], input="{}")["executionArn"]
    deadline = time.monotonic() + SETTLEMENT_TIMEOUT_S
    while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise TimeoutError(f"settlement still running after {SETTLEMENT_TIMEOUT_S}s: {arn}")
        time.sleep(0.1)
    if described["status"] != "SUCCEEDED":
        cause = described.get("cause") or described.get("error") or described["status"]
        raise RuntimeError(f"settlement {described['status'].lower()}: {cause}"[:1000])
    output = json.loads(described.get("output") or "null")
    listing = output.get("listing", {}) if isinstance(output, dict) else {}
    report = output.get("report", {}).get("report") if isinstance(output, dict) else None
    return {
        "today": listing.get("today"),
        "banking_day": listing.get("banking_day"),
        "execution_arn": arn,
        "report": report,
    }


# Hourly here (daily in AWS) so a developer sees them work; each is safe to rerun (charges start once a day by
# execution name, notices are sent once by their markers, settlement writes each change once).
JOBS: list[Job] = [
    Job("autopay", timedelta(hours=1), _scheduled_job("autopay"),
        description="Start today's autopay charges and due payment-plan instalments (payment_retry)"),
    Job("reminders", timedelta(hours=1), _scheduled_job("reminders"),
        description="Email reminders for invoices and instalments coming due"),
    Job("overdue", timedelta(hours=1), _scheduled_job("overdue"),
        description="Email overdue notices for invoices past their due date"),
    Job("settlement", timedelta(hours=1), _settlement,
        description="Run the settlement state machine: the processor's payouts settle their payments"),
    Job("reconcile", timedelta(minutes=5), _scheduled_job("reconcile"),
        description="Post charges whose payment was never recorded; close payment intents with no charge"),
    Job("journal", timedelta(hours=1), _scheduled_job("journal"),
        description="On a banking day, build and store the previous banking day's GL journal (once)"),
    Job("close", timedelta(hours=1), _scheduled_job("close"),
        description="On a banking day, close the previous banking day for the agency (once): control totals, "
                    "variances, hashed in the audit chain"),
]  # fmt: skip


# --- running them -----------------------------------------------------------------------------------------------


class UnknownJobError(KeyError):
    pass


class Scheduler:
    def __init__(self, env: LocalEnvironment, jobs: list[Job] | None = None, *, tick_s: float = 1.0) -> None:
        self.env = env
        self.jobs = {job.name: job for job in (JOBS if jobs is None else jobs)}
        self.tick_s = tick_s
        self.last: dict[str, Outcome] = {}
        self._one_at_a_time = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self, name: str) -> Outcome:
        """Run one job now (waiting for a run in progress to finish first) and keep its outcome."""
        job = self.jobs.get(name)
        if job is None:
            raise UnknownJobError(name)
        with self._one_at_a_time:
            started_at, started = clock.now(), time.monotonic()
            try:
                result = job.run(self.env)
                outcome = Outcome(name, True, started_at, time.monotonic() - started, result=result)
            except Exception as exc:
                # While stopping, moto goes away under a running job: that failure is expected, not news.
                if not self._stop.is_set():
                    logger.exception("scheduled job %s failed", name)
                outcome = Outcome(name, False, started_at, time.monotonic() - started, error=str(exc) or repr(exc))
            self.last[name] = outcome
        return outcome

    def describe(self) -> list[dict[str, Any]]:
        """What ``GET /local/jobs`` answers: every job with its interval and last outcome (None before a run)."""
        return [
            {
                "name": job.name,
                "description": job.description,
                "every_seconds": int(job.every.total_seconds()),
                "last": last.as_dict() if (last := self.last.get(job.name)) else None,
            }
            for job in self.jobs.values()
        ]

    def start(self) -> Scheduler:
        if self.jobs:
            self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        # Intervals are real (monotonic) time: moving the product's clock does not make jobs due; run them with
        # POST /local/jobs/{name} after a move.
        now = time.monotonic()
        due = {job.name: now + job.every.total_seconds() for job in self.jobs.values()}
        while not self._stop.wait(self.tick_s):
            for job in self.jobs.values():
                if self._stop.is_set() or time.monotonic() < due[job.name]:
                    continue
                self.run(job.name)
                due[job.name] = time.monotonic() + job.every.total_seconds()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
