"""The Lambda behind every Task state of the payment_retry, approval, settlement and source_import machines.

The event names its ``task``; ``TASKS`` maps it to a small function that validates the input, makes one service
call and returns plain JSON for the machine. Each machine's tasks live in a module of their own
(``payment_retry.py``, ``approval.py``, ``settlement.py``, ``source_import.py``); one Lambda serves them all, so
the ASL files and the CDK name one function. It also takes the import bucket's S3 notifications of bank files dropped
under ``bank-files/inbox/`` (``bank_files.py``). An unknown task is a programming error in an ASL file: it raises
``UnknownTaskError``, which the machine does not catch, so the execution fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

from workflow_tasks import approval, bank_files, payment_retry, settlement, source_import

logger = Logger(service="workflow_tasks")

TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    **payment_retry.TASKS,
    **approval.TASKS,
    **settlement.TASKS,
    **source_import.TASKS,
}


class UnknownTaskError(Exception):
    """The machine asked for a task this function does not have."""


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if bank_files.is_s3_event(event):  # the import bucket's notification of a dropped bank file
        return bank_files.on_s3_event(event)
    task = TASKS.get(str(event.get("task")))
    if task is None:
        raise UnknownTaskError(f"workflow_tasks has no task {event.get('task')!r}; known: {sorted(TASKS)}")
    logger.append_keys(task=event["task"])
    timed = settlement.TIMED_TASKS.get(event["task"])
    if timed is not None:  # it stops before the invocation's time runs out, and says where
        return timed(event, context.get_remaining_time_in_millis)
    return task(event)
