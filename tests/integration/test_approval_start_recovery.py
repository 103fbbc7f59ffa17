"""A filed approval whose machine failed to start is recovered by retrying the request with the same
Idempotency-Key: the same approval answers, and its execution (named after the approval id) starts once."""

from __future__ import annotations

import uuid

from arportal.adapters.dynamodb.staff_actions import DynamoStaffActionStore
from arportal.adapters.stepfunctions import StepFunctionsApprovals
from arportal.config import settings
from arportal.domain.errors import DependencyError
from tests.integration.staff_actions_support import approval_item, new_customer, pay, wait_for

BIG = 60_000  # over the local agency's threshold (50,000)


def _executions_named(local_env, name: str) -> list[dict]:
    found = local_env.client("stepfunctions").list_executions(stateMachineArn=settings().approval_state_machine)
    return [e for e in found["executions"] if e["name"] == name]


def test_a_failed_start_is_recovered_by_retrying_the_same_request(local_env, gateway, make_users, monkeypatch):
    # Given an agent's refund above the threshold, whose first start of the approval machine fails
    cid, _, (invoice,) = new_customer(local_env, amounts=(BIG,))
    agent = make_users(groups=("agent",))
    paid = pay(gateway, agent.staff_token, cid, [{"invoice_id": invoice.invoice_id, "amount": BIG}])
    assert paid.status == 201, paid.body
    real_start = StepFunctionsApprovals.start_approval
    starts: list[str] = []

    def failing_once(self, name, payload):
        starts.append(name)
        if len(starts) == 1:
            raise DependencyError("the approval workflow could not be reached")
        return real_start(self, name, payload)

    monkeypatch.setattr(StepFunctionsApprovals, "start_approval", failing_once)
    request = {
        "path": f"/v1/staff/payments/{paid.body['payment']['payment_id']}/refunds",
        "token": agent.staff_token,
        "json": {"amount": 55_000, "reason_code": "duplicate", "note": "Paid twice"},
        "headers": {"Idempotency-Key": uuid.uuid4().hex},
    }

    # When the request is sent: the approval is filed, but the machine did not start
    first = gateway.request("POST", **request)
    assert first.status == 503, first.body
    guard = _guard(f"staff:staff:{agent.staff.username}", request["headers"]["Idempotency-Key"])
    assert guard is not None and guard.filed_approval_id
    approval_id = guard.filed_approval_id
    assert approval_item(local_env, approval_id)["status"] == "pending"
    assert _executions_named(local_env, approval_id) == []

    # And it is sent again with the same key
    second = gateway.request("POST", **request)

    # Then the same approval answers, its machine now runs and waits for a decision, and nothing was filed twice
    assert second.status == 202, second.body
    assert second.body["approval_id"] == approval_id
    assert starts == [approval_id, approval_id]
    assert len(_executions_named(local_env, approval_id)) == 1
    assert wait_for(local_env, approval_id, lambda item: item.get("task_token"))["status"] == "pending"
    assert _guard(f"staff:staff:{agent.staff.username}", request["headers"]["Idempotency-Key"]) == guard


def _guard(scope: str, key: str):
    return DynamoStaffActionStore(settings().ledger_table, settings().audit_table).applied(scope, key)
