"""The scheduled jobs, one Lambda: ``{"job": "autopay" | "reminders" | "overdue" | "reconcile", "day"?: "YYYY-MM-DD"}``.

EventBridge Scheduler invokes it once a day per job, and ``reconcile`` every few minutes
(``infrastructure/constructs/schedules.py``); the local runtime's scheduler does the same (``local/scheduler.py``).
``day`` defaults to today (UTC): an operator reruns a missed day by passing it (``reconcile`` ignores it: it works
on the intents open longer than a few minutes by the clock), and every job is safe to run again (scheduled charges
start once by execution name; notices are sent once by their markers; a reconciled charge posts once by its key).
A job that could not finish raises, so the scheduler retries it and, in the end, dead-letters the event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict

from arportal import clock, wiring
from arportal.domain.errors import DependencyError
from arportal.wiring import jobs, stores

logger = Logger(service="scheduled_jobs")


class JobInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job: Literal["autopay", "reminders", "overdue", "reconcile"]
    day: date | None = None


def autopay(day: date, now: datetime) -> dict[str, Any]:
    from arportal.services import autopay as service

    store = stores.schedules()
    return service.run(store, store, jobs.payment_retry_starter(), today=day, now=now).as_dict()


def reminders(day: date, now: datetime) -> dict[str, Any]:
    from arportal.services.reminders import send_reminders

    report = send_reminders(stores.schedules(), jobs.mailing(), today=day, now=now)
    return _finished(report.as_dict())


def overdue(day: date, now: datetime) -> dict[str, Any]:
    from arportal.services.reminders import send_overdue_notices

    report = send_overdue_notices(stores.schedules(), jobs.mailing(), today=day, now=now)
    return _finished(report.as_dict())


def _finished(report: dict[str, Any]) -> dict[str, Any]:
    logger.info("notices sent", extra={"report": report})
    if report.get("failed"):
        # The rest went out; raising makes the scheduler run the job again, which sends only what failed.
        raise DependencyError(f"{report['failed']} notice email(s) could not be sent: {report}")
    return report


def reconcile(day: date, now: datetime) -> dict[str, Any]:
    """Charges whose posting never happened are posted, intents without a charge closed
    (``services/reconciliation.py``)."""
    from arportal.services.reconciliation import reconcile as run

    # Chained audit: a payment the reconciler posts starts its verifiable chain, as a staff payment does.
    wired = wiring.payments(chained_audit=True)
    report = run(
        intents=jobs.payment_intents(),
        ledger=wired.ledger,
        processor=wired.processor,
        config=wired.config,
        now=now,
    ).as_dict()
    logger.info("payment intents reconciled", extra={"report": report})
    if report["failed"]:
        # The rest is done; raising makes the scheduler run the job again (and alarms if it keeps failing).
        raise DependencyError(f"{report['failed']} payment intent(s) could not be reconciled: {report['failures']}")
    return report


JOBS: dict[str, Callable[[date, datetime], dict[str, Any]]] = {
    "autopay": autopay,
    "reminders": reminders,
    "overdue": overdue,
    "reconcile": reconcile,
}


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    data = JobInput.model_validate(event)
    now = clock.now()
    day = data.day or now.date()
    logger.append_keys(job=data.job, day=day.isoformat())
    result = JOBS[data.job](day, now)
    logger.info("job finished", extra={"result": result})
    return {"job": data.job, **result}
