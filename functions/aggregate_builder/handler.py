"""Ledger table stream (new ``OUTBOX#`` items only, filtered by the event source mapping) -> the daily totals
(``services/daily_totals.py``).

Each record is folded on its own; on a failure the handler reports that record (partial batch failures), so the
stream retries from it and the records before it are not folded again (nothing would change if they were:
folding is idempotent). Invoked directly with ``{"rebuild": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}}`` it folds
every payment taken in the range: the backfill after the first deploy, or after records were loaded without
events."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.domain.payment_outcomes import Outcome, first_outcome
from arportal.services.daily_totals import fold_events, rebuild
from arportal.wiring import daily_totals

logger = Logger()


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "rebuild" in event:
        start, end = (date.fromisoformat(event["rebuild"][k]) for k in ("from", "to"))
        moved = rebuild(daily_totals.daily_totals(), daily_totals.activity(), start=start, end=end)
        logger.info("rebuilt daily totals", extra={"from": str(start), "to": str(end), "moved": moved})
        return {"moved": moved}
    return _fold(DynamoDBStreamEvent(event))


def _fold(event: DynamoDBStreamEvent) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    folded = 0
    outcomes: Counter[Outcome] = Counter()
    for record in event.records:
        image = record.raw_event.get("dynamodb", {}).get("NewImage") or {}
        detail = daily_totals.outbox_detail(image)
        if detail is None:
            continue
        try:
            folded += fold_events(daily_totals.daily_totals(), [detail])
        except Exception:
            logger.exception("folding an event failed", extra={"event_id": detail.get("event_id")})
            failures.append({"itemIdentifier": str(record.raw_event["dynamodb"]["SequenceNumber"])})
            break  # a shard is in order: the stream retries from this record, so the rest waits for it
        if outcome := first_outcome(daily_totals.outbox_type(image), detail):
            outcomes[outcome] += 1
    # the dashboard's payment success rate: each payment's first outcome, counted as its event is folded
    daily_totals.payment_metrics().outcomes(accepted=outcomes[Outcome.ACCEPTED], failed=outcomes[Outcome.FAILED])
    logger.info("folded outbox events", extra={"records": len(list(event.records)), "moved": folded})
    return {"batchItemFailures": failures}
