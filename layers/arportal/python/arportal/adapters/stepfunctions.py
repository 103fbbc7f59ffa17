"""Starting state machine executions by name, which is what makes a scheduled charge start once.

Step Functions (Standard) keeps an execution's name for 90 days: starting the same name again while it runs with
the same input returns that execution; after it ends, or with another input, it answers
``ExecutionAlreadyExists``. Either way nothing new starts, and that is what a rerun of a job needs. Callers put
something of the run into the input (the autopay run its run id), so a success means "started by this run" and
only a retried call within the run can meet its own execution again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from botocore.exceptions import BotoCoreError, ClientError

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError

MAX_NAME = 80  # Step Functions' limit on an execution name


class StepFunctionsStarter:
    def __init__(self, payment_retry_arn: str) -> None:
        self.payment_retry_arn = payment_retry_arn

    def start_payment_retry(self, name: str, payload: Mapping[str, object]) -> bool:
        if not self.payment_retry_arn:
            raise DependencyError("the payment_retry state machine is not configured (PAYMENT_RETRY_STATE_MACHINE_ARN)")
        if len(name) > MAX_NAME:
            raise ValueError(f"execution name longer than {MAX_NAME}: {name}")
        try:
            client("stepfunctions").start_execution(
                stateMachineArn=self.payment_retry_arn, name=name, input=json.dumps(payload, default=str)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise DependencyError("the payment workflow could not be started") from exc
        except BotoCoreError as exc:
            raise DependencyError("the payment workflow could not be reached") from exc
        return True


class StepFunctionsApprovals:
    """The approval machine: started by name (the approval id, so a retried request starts it once) and resumed
    with a staff member's decision through its task token."""

    def __init__(self, approval_arn: str) -> None:
        self.approval_arn = approval_arn

    def start_approval(self, name: str, payload: Mapping[str, object]) -> bool:
        if not self.approval_arn:
            raise DependencyError("the approval state machine is not configured (APPROVAL_STATE_MACHINE_ARN)")
        try:
            client("stepfunctions").start_execution(
                stateMachineArn=self.approval_arn, name=name[:MAX_NAME], input=json.dumps(payload, default=str)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise DependencyError("the approval workflow could not be started") from exc
        except BotoCoreError as exc:
            raise DependencyError("the approval workflow could not be reached") from exc
        return True

    def send_task_success(self, task_token: str, output: Mapping[str, object]) -> bool:
        try:
            client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(output, default=str))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}:
                return False
            raise DependencyError("the approval workflow could not be resumed") from exc
        except BotoCoreError as exc:
            raise DependencyError("the approval workflow could not be reached") from exc
        return True


class StepFunctionsImports:
    """The import machine, started by the import's id: a second start of one import starts nothing."""

    def __init__(self, source_import_arn: str) -> None:
        self.source_import_arn = source_import_arn

    def start(self, import_id: str, payload: Mapping[str, object]) -> bool:
        if not self.source_import_arn:
            raise DependencyError("the import state machine is not configured (SOURCE_IMPORT_STATE_MACHINE_ARN)")
        try:
            client("stepfunctions").start_execution(
                stateMachineArn=self.source_import_arn, name=import_id[:MAX_NAME], input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return False
            raise DependencyError("the import could not be started") from exc
        except BotoCoreError as exc:
            raise DependencyError("the import workflow could not be reached") from exc
        return True
