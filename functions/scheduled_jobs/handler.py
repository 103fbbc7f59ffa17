"""The scheduled jobs, one Lambda: ``{"job": "autopay" | "reminders" | "overdue" | "reconcile" | "journal" |
"close", "day"?: "YYYY-MM-DD"}``.

EventBridge Scheduler invokes it once a day per job, and ``reconcile`` every few minutes
(``infrastructure/constructs/schedules.py``); the local runtime's scheduler does the same (``local/scheduler.py``).
``day`` defaults to today (UTC): an operator reruns a missed day by passing it (``reconcile`` ignores it: it works
on the intents open longer than a few minutes by the clock), and every job is safe to run again (scheduled charges
start once by execution name; notices are sent once by their markers; a reconciled charge posts once by its key).
A job that could not finish raises, so the scheduler retries it and, in the end, dead-letters the event.

Two jobs are never scheduled. ``{"job": "rebuild_totals", "from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}``, which an operator
invokes to fold the payments taken on those days into the daily totals from the ledger (the backfill after an
upgrade, docs/deploy.md); the aggregate builder's own ``rebuild`` does the same within its 60 s, this one has 900.
``{"job": "reindex_customers", "cursor"?: "..."}``, also an operator's, once after an upgrade: what this version
keeps beside the records of customers an earlier one wrote (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field

from arportal import clock, wiring
from arportal.domain.errors import DependencyError
from arportal.wiring import jobs, stores

logger = Logger(service="scheduled_jobs")
JOURNAL_BUILD_FAILED = "JournalBuildFailed"  # namespace ArPortal, no dimension: the metric the alarm watches
JOURNAL_UNBALANCED = "JournalUnbalanced"  # as well, when the failure is a journal that does not balance
CLOSE_ACTOR = "system:daily_close"


class JobInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job: Literal["autopay", "reminders", "overdue", "reconcile", "journal", "close"]
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


def journal(day: date, now: datetime) -> dict[str, Any]:
    """On a banking day, the previous banking day's GL journal, built and stored once
    (``services/journal_batches.py``); a journal that cannot be built counts ``JournalBuildFailed`` (the alarm), and
    one that does not balance ``JournalUnbalanced`` too (its own alarm)."""
    from arportal.domain.banking_days import is_banking_day, previous_banking_day
    from arportal.domain.journals import UnbalancedJournalError
    from arportal.services.journal_batches import build_day
    from arportal.wiring import journals

    if not is_banking_day(day):
        return {"skipped": f"{day} is not a banking day"}
    business_date = previous_banking_day(day)
    try:
        built = build_day(journals.books(), journals.sources(), journals.chart(), business_date, now=now)
    except Exception as exc:
        metrics = Metrics(namespace="ArPortal", service="")  # "": Powertools adds no service dimension
        metrics.add_metric(name=JOURNAL_BUILD_FAILED, unit=MetricUnit.Count, value=1)
        if isinstance(exc, UnbalancedJournalError):  # a defect in the entries, not a code to map: its own alarm
            metrics.add_metric(name=JOURNAL_UNBALANCED, unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()
        logger.exception("journal build failed", extra={"business_date": business_date.isoformat()})
        raise
    batch = built.batch
    return {
        "business_date": business_date.isoformat(),
        "batch_id": batch.batch_id,
        "created": built.created,
        "csv_sha256": batch.csv_sha256,
        "totals": [list(t) for t in batch.totals],
    }


def close(day: date, now: datetime) -> dict[str, Any]:
    """On a banking day, the agency-wide close of the previous banking day, once (``services/daily_close.py``);
    its journal is built first if it is not there. A close that cannot be made (a code the chart of accounts does
    not map, a store failing) raises, so the scheduler retries it and, in the end, dead-letters it (alarmed)."""
    from arportal.domain.banking_days import is_banking_day, previous_banking_day
    from arportal.services.daily_close import close_day
    from arportal.wiring import daily_close

    if not is_banking_day(day):
        return {"skipped": f"{day} is not a banking day"}
    business_date = previous_banking_day(day)
    try:
        closed = close_day(
            daily_close.books(), daily_close.chart(), business_date, department=None, actor=CLOSE_ACTOR, now=now
        )
    except Exception:
        logger.exception("daily close failed", extra={"business_date": business_date.isoformat()})
        raise
    document = closed.close.document
    return {
        "business_date": business_date.isoformat(),
        "created": closed.created,
        "sha256": closed.close.sha256,
        "variances": [{k: v[k] for k in ("reason", "currency", "department", "amount")} for v in document["variances"]],
    }


JOBS: dict[str, Callable[[date, datetime], dict[str, Any]]] = {
    "autopay": autopay,
    "reminders": reminders,
    "overdue": overdue,
    "reconcile": reconcile,
    "journal": journal,
    "close": close,
}


REBUILD_TOTALS = "rebuild_totals"


class RebuildInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job: Literal["rebuild_totals"]
    start: date = Field(alias="from")
    end: date = Field(alias="to")


def rebuild_totals(data: RebuildInput) -> dict[str, Any]:
    """The daily totals of the payments taken from ``from`` to ``to`` (both included, at most five years), folded
    again from the ledger (``services/daily_totals.rebuild``); safe to run again, and beside the aggregate builder."""
    from arportal.services.daily_totals import rebuild
    from arportal.wiring import daily_totals

    moved = rebuild(daily_totals.daily_totals(), daily_totals.activity(), start=data.start, end=data.end)
    return {"from": data.start.isoformat(), "to": data.end.isoformat(), "moved": moved}


REINDEX_CUSTOMERS = "reindex_customers"


class ReindexInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    job: Literal["reindex_customers"]
    cursor: str | None = Field(default=None, max_length=4096)


def reindex_customers(data: ReindexInput) -> dict[str, Any]:
    """What this version keeps beside each customer's records (search pointers, index attributes, balance
    checkpoints) for the customers an earlier version wrote, as many pages as fit one invocation; the answer's
    ``cursor`` goes on (``done`` when there is none)."""
    from arportal.services.search import reindex
    from arportal.wiring import jobs as job_wiring

    try:
        return reindex(job_wiring.customer_reindex(), data.cursor).as_dict()
    except ValueError as exc:  # a cursor this job never returned: say so rather than start over silently
        return {"error": str(exc)}


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("job") == REBUILD_TOTALS:
        rebuilt = rebuild_totals(RebuildInput.model_validate(event))
        logger.info("daily totals rebuilt", extra={"result": rebuilt})
        return {"job": REBUILD_TOTALS, **rebuilt}
    if event.get("job") == REINDEX_CUSTOMERS:
        reindexed = reindex_customers(ReindexInput.model_validate(event))
        logger.info("customers reindexed", extra={"result": reindexed})
        return {"job": REINDEX_CUSTOMERS, **reindexed}
    data = JobInput.model_validate(event)
    now = clock.now()
    day = data.day or now.date()
    logger.append_keys(job=data.job, day=day.isoformat())
    result = JOBS[data.job](day, now)
    logger.info("job finished", extra={"result": result})
    return {"job": data.job, **result}
