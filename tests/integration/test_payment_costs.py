"""What one interactive payment costs (ARCHITECTURE "Budgets", issue 4 "Cost"): no Standard Step Functions
execution, no receipt PDF stored (issue 18: rendered on first download), and a bounded, recorded number of
DynamoDB calls with exactly one posting transaction.

Every AWS call the payment makes in this process is recorded (botocore's ``_make_api_call``, below every
client), so a StartExecution from any module would be seen, and the retry machine's execution list is compared
before and after as well.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from botocore.client import BaseClient

from arportal.adapters import processors
from arportal.adapters.sandbox import SandboxProcessor
from tests.fakes import CountingProcessor
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips
from tests.reliability.worlds import PayWorld, pay_world

# The card payment's DynamoDB calls, each with its reason: the idempotency record (PutItem in progress, UpdateItem
# completed), the posting guard's read (GetItem), the open invoices (Query on OpenItems), the payment's intent
# before the charge (PutItem, issue 10), the payer's open series of tries at these invoices (GetItem by key, issue
# 14: a retry of a decline is linked to it for the success rate with retries), THE posting (TransactWriteItems,
# which also closes the intent), the payer's profile for the receipt (GetItem), the receipt's Document record
# (PutItem; its PDF is made on first download) and, before its email leaves, the suppression list (GetItem by
# the address: docs/email.md).
CARD_PAYMENT_CALLS = Counter({"PutItem": 3, "GetItem": 4, "Query": 1, "TransactWriteItems": 1, "UpdateItem": 1})
# ACH: the same without the receipt's Document (the receipt follows when the bank pays).
ACH_PAYMENT_CALLS = CARD_PAYMENT_CALLS - Counter({"PutItem": 1})


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


@pytest.fixture
def in_memory_sandbox(monkeypatch) -> CountingProcessor:
    """The sandbox in this process's memory, so that the calls counted are the product's, not the stand-in's."""
    counter = CountingProcessor(SandboxProcessor())
    monkeypatch.setattr(processors, "processor_for", lambda _settings: counter)
    return counter


@pytest.fixture
def aws_calls(monkeypatch) -> Iterator[list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation: str, params: dict) -> object:  # type: ignore[type-arg]
        calls.append((self.meta.service_model.service_name, operation))
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield calls


@pytest.fixture
def measured(in_memory_sandbox, aws_calls) -> tuple[CountingProcessor, list[tuple[str, str]]]:
    return in_memory_sandbox, aws_calls


def _executions(local_env) -> int:
    sfn = local_env.client("stepfunctions")
    arn = local_env.resources.state_machines["payment_retry"]
    return len(sfn.list_executions(stateMachineArn=arn, maxResults=1000)["executions"])


def _pay(gateway, world: PayWorld, body: dict):
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    return gateway.request("POST", "/v1/portal/payments", token=world.token, json=body, headers=headers)


@pytest.mark.parametrize(
    "case",
    [("card", "tok_visa", "posted", CARD_PAYMENT_CALLS), ("ach", "tok_ach", "pending", ACH_PAYMENT_CALLS)],
    ids=["card", "ach"],
)
def test_an_interactive_payment_starts_no_execution_and_makes_a_known_number_of_dynamodb_calls(
    local_env, gateway, world, measured, case
):
    method, token, status, expected = case
    in_memory_sandbox, aws_calls = measured
    # Given a customer with two open invoices, and the retry machine's executions so far
    gateway.request("GET", "/v1/health")  # the handlers are imported, as in a warm container
    before = _executions(local_env)
    aws_calls.clear()

    # When they pay by card (or ACH) in the portal
    with dynamodb_round_trips() as trips:
        reply = _pay(gateway, world, {"amount": 4_000, "currency": "USD", "method": method, "token": token})

    # Then it went through without Step Functions: not one call to it, and no new execution
    assert reply.status in (201, 202), reply.body
    assert reply.body["payment"]["status"] == status
    assert not [c for c in aws_calls if c[0] == "stepfunctions"], aws_calls
    # And no receipt PDF: it is rendered and stored when first downloaded (issue 18), not on every payment
    assert ("s3", "PutObject") not in aws_calls, aws_calls
    assert _executions(local_env) == before
    # And its DynamoDB calls are exactly the budgeted ones: one posting transaction, no Scan, no batch
    made = Counter(call.rsplit(".", 1)[-1] for call in trips.calls)
    assert made == expected, made
    assert made["TransactWriteItems"] == 1 and "Scan" not in made
    assert [c for c in aws_calls if c[0] == "dynamodb"] == [("dynamodb", op) for op in _ops(trips.calls)]
    assert len(in_memory_sandbox.charges) == 1


def _ops(calls: list[str]) -> list[str]:
    return [c.rsplit(".", 1)[-1] for c in calls]
