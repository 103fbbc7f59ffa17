"""What an ASL definition calls, as IAM actions: its Task states, its Map readers and writers, its Distributed Maps.

Step Functions calls these with the machine's role, so ``infrastructure/permissions.py`` declares them per machine
and a test reads each ``statemachines/*.asl.json`` with ``asl_actions`` to check the declaration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# A Distributed Map runs its items as child executions of the machine itself (the documented IAM policy).
DISTRIBUTED_MAP = ("states:StartExecution", "states:DescribeExecution", "states:StopExecution")

_OPTIMIZED = {  # arn:aws:states:::<service>:<api>, the integrations whose IAM action is not the API's name
    ("lambda", "invoke"): "lambda:InvokeFunction",
    ("s3", "listObjectsV2"): "s3:ListBucket",
}
_PREFIXES = {"stepfunctions": "states", "sfn": "states"}


def _task_action(resource: str) -> str:
    """``arn:aws:states:::dynamodb:updateItem`` -> ``dynamodb:UpdateItem``; ``...:::aws-sdk:s3:getObject`` too."""
    integration = resource.removeprefix("arn:aws:states:::").removeprefix("aws-sdk:")
    service, _, api = integration.partition(":")
    api = api.split(".", 1)[0]  # .sync, .sync:2, .waitForTaskToken: how Step Functions waits, not what it calls
    service = _PREFIXES.get(service, service)
    return _OPTIMIZED.get((service, api)) or f"{service}:{api[:1].upper()}{api[1:]}"


def asl_actions(definition: Mapping[str, Any]) -> frozenset[str]:
    """The IAM actions an ASL definition's Task states, Map readers and writers, and Distributed Maps call."""
    found: set[str] = set()
    for state in definition.get("States", {}).values():
        if state.get("Type") == "Task":
            found.add(_task_action(state["Resource"]))
        for key in ("ItemReader", "ResultWriter"):
            if key in state:
                found.add(_task_action(state[key]["Resource"]))
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor is not None:
            found |= asl_actions(processor)
            if processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED":
                found |= set(DISTRIBUTED_MAP)
        for branch in state.get("Branches", []):
            found |= asl_actions(branch)
    return frozenset(found)
