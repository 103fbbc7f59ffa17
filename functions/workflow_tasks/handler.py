"""The Lambda behind every Task state of the payment_retry, approval, settlement and source_import machines.

The event names its ``task``: a small function that validates the input, makes one service call and returns plain
JSON for the machine. Each machine's tasks live in a module of their own (``payment_retry.py``, ``approval.py``,
``settlement.py``, ``source_import.py``: its ``TASKS``), imported on the first invocation that asks for one of them
(``TASK_MODULES``), so a cold start loads none of the others; one Lambda serves them all, so the ASL files and the
CDK name one function. It also takes the import bucket's S3 notifications of bank files dropped
under ``bank-files/inbox/`` (``bank_files.py``). An unknown task is a programming error in an ASL file: it raises
``UnknownTaskError``, which the machine does not catch, so the execution fails loudly.
"""

from __future__ import annotations

import importlib
from typing import Any

from aws_lambda_powertools import Logger

from workflow_tasks import bank_files

logger = Logger(service="workflow_tasks")

# The module of each machine and the tasks it serves (its ``TASKS``; tests/unit/test_workflow_task_table.py holds the
# two together): a new task needs its name here.
TASK_MODULES: dict[str, tuple[str, ...]] = {
    "payment_retry": ("charge", "next_attempt", "post_charge", "charge_failed", "schedule_active"),
    "approval": ("await_decision", "execute_approved", "record_rejected", "mark_expired"),
    "settlement": ("list_payouts", "match_chunk", "finish_settlement"),
    "source_import": ("split_import", "load_chunk", "finish_import", "fail_import"),
}
_MODULE_OF = {task: module for module, tasks in TASK_MODULES.items() for task in tasks}


class UnknownTaskError(Exception):
    """The machine asked for a task this function does not have."""


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if bank_files.is_s3_event(event):  # the import bucket's notification of a dropped bank file
        return bank_files.on_s3_event(event)
    name = str(event.get("task"))
    if name not in _MODULE_OF:
        raise UnknownTaskError(f"workflow_tasks has no task {event.get('task')!r}; known: {sorted(_MODULE_OF)}")
    module = importlib.import_module(f"workflow_tasks.{_MODULE_OF[name]}")
    logger.append_keys(task=name)
    timed = getattr(module, "TIMED_TASKS", {}).get(name)
    if timed is not None:  # it stops before the invocation's time runs out, and says where
        answer: dict[str, Any] = timed(event, context.get_remaining_time_in_millis)
        return answer
    result: dict[str, Any] = module.TASKS[name](event)
    return result
