"""The three state machines, from the real ASL files, executed by moto with the real workflow_tasks handler.

Wait states are instant here (``local_env`` has ``max_wait_seconds=0``), so a retry schedule of days runs in
milliseconds; the history still shows each Wait with the seconds it was asked to wait.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from arportal.adapters.dynamodb import codec
from local.environment import LocalEnvironment
from tests.integration.conftest import Executions, new_customer_id


def _charge(token: str, **overrides: Any) -> dict[str, Any]:
    charge = {
        "idempotency_key": f"autopay-{uuid.uuid4().hex}",
        "amount": 12_550,
        "currency": "USD",
        "token": token,
        "description": "Water and sewer, account UT-200001",
        "customer_id": new_customer_id(),
    }
    return {"charge": {**charge, **overrides}, "backoff_days": [1, 3, 5], "attempt": 1}


def _events_for(env: LocalEnvironment, key: str, value: str) -> list[dict[str, Any]]:
    return [e for e in env.drain_events() if e["detail"].get(key) == value]


def _waits(history: list[dict[str, Any]]) -> list[int]:
    """Seconds each Wait state was asked to wait (from the input it entered with)."""
    return [
        json.loads(e["stateEnteredEventDetails"]["input"])["next"]["wait_seconds"]
        for e in history
        if e["type"] == "WaitStateEntered"
    ]


# --- payment_retry ----------------------------------------------------------------------------------------


def test_a_charge_that_succeeds_first_time_publishes_payment_charged(local_env, executions: Executions):
    # Given a card that works
    payload = _charge("tok_visa")

    # When the machine runs
    run = executions.run("payment_retry", payload)

    # Then one attempt succeeded and payment.charged carries the transaction
    assert run.status == "SUCCEEDED"
    assert run.output["attempt"] == 1
    assert run.output["last_charge"]["outcome"] == "succeeded"
    assert run.states_entered().count("Charge") == 1
    assert "PostToLedger" in run.states_entered()
    assert _waits(run.history) == []
    (event,) = _events_for(local_env, "idempotency_key", payload["charge"]["idempotency_key"])
    assert event["detail-type"] == "payment.charged"
    assert event["source"] == "arportal"
    assert event["detail"]["transaction_id"].startswith("sbx_")
    assert event["detail"]["attempts"] == 1
    assert event["detail"]["amount"] == 12_550


def test_a_retryable_failure_waits_then_charges_again(local_env, executions: Executions):
    # Given a card that fails once with a processing error, then works
    payload = _charge("tok_flaky_1")

    # When the machine runs
    run = executions.run("payment_retry", payload)

    # Then it waited one day (instantly, here: bench/ measures how long machines take) and charged again
    assert run.status == "SUCCEEDED"
    assert run.states_entered().count("Charge") == 2
    assert _waits(run.history) == [86_400]
    assert run.output["attempt"] == 2
    (event,) = _events_for(local_env, "idempotency_key", payload["charge"]["idempotency_key"])
    assert event["detail-type"] == "payment.charged"
    assert event["detail"]["attempts"] == 2


def test_retries_exhausted_publish_payment_failed_and_fail_the_execution(local_env, executions: Executions):
    # Given a card whose funds never arrive
    payload = _charge("tok_insufficient_funds")

    # When the machine runs through the whole backoff schedule
    run = executions.run("payment_retry", payload)

    # Then four attempts were made, 1, 3 and 5 days apart, and the failure was published
    assert run.status == "FAILED"
    assert run.error == "PaymentFailed"
    assert run.states_entered().count("Charge") == 4
    assert _waits(run.history) == [86_400, 3 * 86_400, 5 * 86_400]
    (event,) = _events_for(local_env, "idempotency_key", payload["charge"]["idempotency_key"])
    assert event["detail-type"] == "payment.failed"
    assert event["detail"]["outcome"] == "retryable"
    assert event["detail"]["code"] == "insufficient_funds"
    assert event["detail"]["attempts"] == 4


def test_a_hard_decline_is_never_retried(local_env, executions: Executions):
    payload = _charge("tok_stolen")

    run = executions.run("payment_retry", payload)

    assert run.status == "FAILED"
    assert run.states_entered().count("Charge") == 1
    assert "PlanNextAttempt" not in run.states_entered()
    (event,) = _events_for(local_env, "idempotency_key", payload["charge"]["idempotency_key"])
    assert event["detail-type"] == "payment.failed"
    assert event["detail"]["outcome"] == "declined"
    assert event["detail"]["code"] == "stolen_card"


def test_ach_is_published_as_pending(local_env, executions: Executions):
    payload = _charge("tok_ach")

    run = executions.run("payment_retry", payload)

    assert run.status == "SUCCEEDED"
    (event,) = _events_for(local_env, "idempotency_key", payload["charge"]["idempotency_key"])
    assert event["detail"]["outcome"] == "pending"
    assert event["detail"]["method_type"] == "ach"


def test_a_lost_answer_is_reconciled_instead_of_charging_again(local_env, executions: Executions):
    # Given a processor that charges the card but whose answer never arrives
    payload = _charge("tok_unavailable_after_charge")

    # When the machine runs
    run = executions.run("payment_retry", payload)

    # Then the charge was found by its idempotency key: one attempt, succeeded, not retried
    assert run.status == "SUCCEEDED"
    assert run.output["last_charge"]["reconciled"] is True
    assert run.states_entered().count("Charge") == 1


# --- approval ---------------------------------------------------------------------------------------------


def _approval(expires_in_seconds: int = 600) -> dict[str, Any]:
    return {
        "approval_id": f"apr_{uuid.uuid4().hex}",
        "action": "refund",
        "amount": 75_000,
        "currency": "USD",
        "requested_by": "staff:agent@example.com",
        "target_id": "pay_01JD3XAMPLE0000000000000000",
        "reason": "Customer paid twice",
        "expires_in_seconds": expires_in_seconds,
    }


def _approval_item(env: LocalEnvironment, approval_id: str) -> dict[str, Any]:
    response = env.client("dynamodb").get_item(
        TableName=env.resources.ledger_table,
        Key=codec.serialize({"PK": f"APPROVAL#{approval_id}", "SK": "APPROVAL"}),
        ConsistentRead=True,
    )
    return codec.deserialize(response["Item"]) if "Item" in response else {}


def _await_token(env: LocalEnvironment, approval_id: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        token = _approval_item(env, approval_id).get("task_token")
        if token:
            return str(token)
        time.sleep(0.05)
    raise TimeoutError("the approval never recorded its task token")


@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_a_decision_resumes_the_approval(local_env, executions: Executions, decision: str):
    # Given a pending approval waiting on its task token
    request = _approval()
    arn = executions.start("approval", request)
    token = _await_token(local_env, request["approval_id"])
    pending = _approval_item(local_env, request["approval_id"])
    assert pending["status"] == "pending"
    assert pending["OPK"] == "APPROVALS#PENDING"

    # When a second staff member decides
    local_env.client("stepfunctions").send_task_success(
        taskToken=token,
        output=json.dumps({"decision": decision, "decided_by": "staff:supervisor@example.com", "note": "checked"}),
    )
    run = executions.wait(arn)

    # Then the approval records the decision, leaves the pending list, and the decision is published
    assert run.status == "SUCCEEDED"
    item = _approval_item(local_env, request["approval_id"])
    assert item["status"] == decision
    assert item["decided_by"] == "staff:supervisor@example.com"
    assert "task_token" not in item
    assert "OPK" not in item
    (event,) = _events_for(local_env, "approval_id", request["approval_id"])
    assert event["detail-type"] == f"approval.{decision}"
    if decision == "approved":
        assert "ExecuteApproved" in run.states_entered()
        assert event["detail"]["execution"] == "ready"


def test_an_approval_nobody_decides_expires(local_env, executions: Executions):
    # Given an approval that expires after a second
    request = _approval(expires_in_seconds=1)

    # When nobody decides
    run = executions.run("approval", request)

    # Then the timeout is caught, the approval is marked expired and the expiry is published
    assert run.status == "SUCCEEDED"
    assert "MarkExpired" in run.states_entered()
    assert _approval_item(local_env, request["approval_id"])["status"] == "expired"
    (event,) = _events_for(local_env, "approval_id", request["approval_id"])
    assert event["detail-type"] == "approval.expired"


# --- settlement: tests/integration/test_settlement_payouts.py --------------------------------------------------


def test_an_unknown_task_is_a_programming_error(local_env):
    from local.invoke import LambdaContext
    from workflow_tasks.handler import UnknownTaskError, lambda_handler

    with pytest.raises(UnknownTaskError, match="no task 'refund_everything'"):
        lambda_handler({"task": "refund_everything"}, LambdaContext(function_name="workflow_tasks"))
