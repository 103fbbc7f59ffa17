"""Saved payment methods: what the processor gave back for a card or bank account the payer kept.

    CUST#<id>  PM#<method_id>   saved payment method (processor token, brand, last four)

Not a ledger entity (not in ``entity_items.Record``): ``payment_methods.py`` reads them itself.
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.dynamodb import customer_items, table_layout
from arportal.domain.models import SavedPaymentMethod


def payment_method_sk(method_id: str) -> str:
    return f"PM#{method_id}"


def payment_method_item(method: SavedPaymentMethod) -> dict[str, Any]:
    body = table_layout.to_dynamo(method.model_dump(mode="json"))
    return {
        **body,
        "PK": customer_items.customer_pk(method.customer_id),
        "SK": payment_method_sk(method.method_id),
        "type": "payment_method",
    }
