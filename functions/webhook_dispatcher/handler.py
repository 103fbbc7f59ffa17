"""The webhook dispatcher, one Lambda with two callers:

- the queue the bus's rule fills (``infrastructure/constructs/webhooks.py``; locally ``local/webhook_queue.py``):
  SQS records whose body is an EventBridge event. Each record is opened as deliveries on its own (Powertools'
  ``BatchProcessor``: a record that could not be stored is reported in ``batchItemFailures`` and comes back alone);
  then every delivery opened is tried at once, at most a few at a time per endpoint. A delivery whose attempt fails,
  or never happens (this container dies), waits in the table for the sweep: no record is failed for a receiver's
  failure.
- a schedule, every minute, with ``{"task": "sweep"}``: the deliveries whose next attempt has come are tried, while
  a margin of the function's time is left.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal.wiring import webhooks

logger = Logger(service="webhook_dispatcher")
processor = BatchProcessor(event_type=EventType.SQS)
# No attempt starts with less than this left: one takes at most 10 s, and what is not tried stays due for the sweep.
ATTEMPT_MARGIN_MS = 30_000


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    def time_left() -> bool:
        return context.get_remaining_time_in_millis() > ATTEMPT_MARGIN_MS

    if event.get("task") == "sweep":
        swept = webhooks.sweep(time_left=time_left)
        busy = swept.released or swept.orphaned or swept.attempts.attempted or swept.attempts.held
        # A sweep that found nothing (most minutes; every second locally) is not worth a log line.
        (logger.info if busy else logger.debug)("webhook sweep", extra={"report": swept.as_dict()})
        return {"task": "sweep", **swept.as_dict()}
    run = webhooks.dispatch()

    def open_deliveries(record: SQSRecord) -> None:
        run.take(json.loads(record.body))

    response = process_partial_response(
        event=event, record_handler=open_deliveries, processor=processor, context=context
    )
    report = run.attempt(time_left=time_left)
    # Errors are deliveries left for the sweep (storage or Secrets Manager failed for them): worth a look if many.
    (logger.warning if report.attempts.errors else logger.info)(
        "webhook events dispatched", extra={"report": report.as_dict()}
    )
    return dict(response)
