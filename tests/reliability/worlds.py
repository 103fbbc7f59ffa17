"""Customers with open invoices, written to the local environment's ledger, for the payment tests.

Every world uses fresh ids (the session's environment is shared), and reads back what a test asserts on with
strongly consistent reads of the base table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.models import Account, Customer, Invoice, Payment
from tests import builders as b


@dataclass
class PayWorld:
    customer: Customer
    account: Account
    invoices: list[Invoice]
    token: str | None = None  # the customer's ID token, when logged in

    @property
    def customer_id(self) -> str:
        return self.customer.customer_id

    def invoice(self, invoice_id: str) -> Invoice:
        item = client("dynamodb").get_item(
            TableName=settings().ledger_table,
            Key=codec.serialize(
                {"PK": customer_items.customer_pk(self.customer_id), "SK": invoice_items.invoice_sk(invoice_id)}
            ),
            ConsistentRead=True,
        )["Item"]
        return entity_items.from_item(codec.deserialize(item), Invoice)

    def partition(self, prefix: str) -> list[dict[str, Any]]:
        """Every item of the customer's partition whose sort key starts with ``prefix``."""
        request: dict[str, Any] = {
            "TableName": settings().ledger_table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": customer_items.customer_pk(self.customer_id)},
                ":prefix": {"S": prefix},
            },
            "ConsistentRead": True,
        }
        found: list[dict[str, Any]] = []
        while True:
            response = client("dynamodb").query(**request)
            found.extend(codec.deserialize(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def payments(self) -> list[Payment]:
        return [entity_items.from_item(i, Payment) for i in self.partition("PAY#")]


def pay_world(amounts: tuple[int, ...] = (3_000, 5_000), *, customer_id: str, email: str | None = None) -> PayWorld:
    """A customer with one water account and an open invoice per amount, due a week apart (oldest first)."""
    customer = b.customer(customer_id, email=email)
    account = b.account(customer_id, number=f"UT-{b.n() + 800000}")
    invoices = [
        b.invoice(customer_id, account.account_number, amount=amount, due=b.TODAY + timedelta(days=7 * k))
        for k, amount in enumerate(amounts)
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new([customer, account, *invoices])
    return PayWorld(customer, account, invoices)


def pdf_text(data: bytes) -> bytes:
    """Every compressed content stream of a PDF, inflated: what a test searches for the text a page shows."""
    import re
    import zlib

    streams = [
        data[m.end() : m.end() + int(m.group(1))]
        for m in re.finditer(rb"/FlateDecode /Length (\d+) >>\nstream\n", data)
    ]
    return b"\n".join(zlib.decompress(s) for s in streams)
