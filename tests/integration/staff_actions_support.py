"""Shared set-up for the staff action tests: a customer with open invoices, and payments taken through the API."""

from __future__ import annotations

import time
import uuid
from typing import Any

from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.domain.models import Invoice
from tests import builders as b
from tests.integration.conftest import new_customer_id


def new_customer(local_env: Any, amounts: tuple[int, ...] = (4_000, 6_000)) -> tuple[str, str, list[Invoice]]:
    cid = new_customer_id()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    invoices = [
        b.invoice(cid, account.account_number, amount=a).model_copy(update={"invoice_id": f"inv_{uuid.uuid4().hex}"})
        for a in amounts
    ]
    customer = b.customer(cid, email=f"{cid.lower()}@example.org")
    DynamoCustomerRecords(local_env.resources.ledger_table).put_new([customer, account, *invoices])
    return cid, account.account_number, invoices


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def pay(gateway: Any, token: str, cid: str, lines: list[dict[str, Any]], **extra: Any) -> Any:
    body = {
        "customer_id": cid,
        "amount": sum(line["amount"] for line in lines),
        "currency": "USD",
        "method": "card",
        "channel": "phone",
        "token": "tok_visa",
        "lines": lines,
        **extra,
    }
    return gateway.request("POST", "/v1/staff/payments", token=token, json=body, headers=key())


def approval_item(local_env: Any, approval_id: str) -> dict[str, Any]:
    response = local_env.client("dynamodb").get_item(
        TableName=local_env.resources.ledger_table,
        Key=codec.serialize({"PK": f"APPROVAL#{approval_id}", "SK": "APPROVAL"}),
        ConsistentRead=True,
    )
    return codec.deserialize(response["Item"]) if "Item" in response else {}


def wait_for(local_env: Any, approval_id: str, predicate: Any, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = approval_item(local_env, approval_id)
        if item and predicate(item):
            return item
        time.sleep(0.05)
    raise TimeoutError(f"approval {approval_id}: {approval_item(local_env, approval_id)}")


def execution_ended(local_env: Any, machine: str, name: str, status: str, timeout: float = 15) -> bool:
    """Whether the machine's execution ``name`` ends in ``status`` within ``timeout`` s: its task writes the
    approval's outcome before the machine reaches its last state, so the item can say so first."""
    arn = local_env.resources.state_machines[machine]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = local_env.client("stepfunctions").list_executions(stateMachineArn=arn, statusFilter=status)
        if any(e["name"] == name for e in listed["executions"]):
            return True
        time.sleep(0.05)
    return False


def invoice_of(local_env: Any, cid: str, invoice_id: str) -> dict[str, Any]:
    response = local_env.client("dynamodb").get_item(
        TableName=local_env.resources.ledger_table,
        Key=codec.serialize({"PK": f"CUST#{cid}", "SK": f"INV#{invoice_id}"}),
        ConsistentRead=True,
    )
    return codec.deserialize(response["Item"])
