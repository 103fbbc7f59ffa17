"""What the layout and plain-words tests need in the runtime's data, made through the API as staff would make it:
a request waiting in the approvals queue, and a payment of the demo customer that was partly refunded today."""

from __future__ import annotations

import uuid
from typing import Any

from tests.browser import data
from tests.browser.conftest import Portal

AGENT = "agent@demo.local"
OVER_THE_THRESHOLD = data.MAX_AT_ONCE + 10_000  # an agent's adjustment this large waits for a supervisor


def _staff(portal: Portal, who: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    return portal.api("POST", path, token=portal.login(who), json_body=body, headers=headers)


def pending_approval(portal: Portal) -> dict[str, Any]:
    """An agent's charge on one of the demo customer's invoices, over the threshold: it waits in the queue (and
    changes no balance while it waits)."""
    invoice = data.invoices(portal)[0]
    body = {
        "customer_id": data.customer_id(portal),
        "invoice_id": invoice["invoice_id"],
        "kind": "adjustment",
        "amount": OVER_THE_THRESHOLD,
        "reason_code": "billing_error",
        "note": "Browser test: a charge waiting for a supervisor, with a note long enough to wrap in its cell",
    }
    status, filed = _staff(portal, AGENT, "/v1/staff/adjustments", body)
    assert status == 202 and filed["status"] == "pending", filed
    return dict(filed)


def partly_refunded_payment(portal: Portal, *, paid: int = 1_000, refunded: int = 400) -> dict[str, Any]:
    """The demo customer pays ``paid`` on an account by card today; a supervisor refunds ``refunded`` of it at
    once (under the threshold). The payment as the customer's API answers it, refunded."""
    account = data.dashboard(portal)["accounts"][0]["account_number"]
    payment = data.pay(portal, paid, account_number=account)["payment"]
    body = {"amount": refunded, "reason_code": "customer_request", "note": "Browser test: part refunded"}
    status, done = _staff(portal, data.SUPERVISOR, f"/v1/staff/payments/{payment['payment_id']}/refunds", body)
    assert status == 201 and done["status"] == "done", done
    return dict(data.get(portal, f"/v1/portal/payments/{payment['payment_id']}")["payment"])
