"""Interactions staff record with a customer (calls, notes), and the claim that writes each once.

    CUST#<id>  INT#<interaction_id>           interaction (ids sort by time)
               REQKEY#interaction#<digest>    its Idempotency-Key claim (see ``request_items.request_claim_sk``)

ByActivityDay holds interactions (DAYSK <at>#<interaction_id>) beside payments, so a day's activity is one
Query per day; readers tell them apart by ``type``. The interaction item itself is mapped by ``entity_items``;
every writer creates it through ``DynamoUnitOfWork.add_interaction``, which counts it on its day in the same
transaction (``daily_total_items``: what the exceptions report reads).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.dynamodb import customer_items, request_items
from arportal.domain.models import Interaction

INTERACTION_PREFIX = "INT#"


def interaction_sk(interaction_id: str) -> str:
    return f"{INTERACTION_PREFIX}{interaction_id}"


def interaction_day_sk(at: datetime, interaction_id: str) -> str:
    return f"{at.isoformat()}#{interaction_id}"


def interaction_claim_key(customer_id: str, actor: str, idempotency_key: str) -> dict[str, str]:
    """Scoped to the staff member: two agents choosing the same key for one customer do not collide."""
    return {
        "PK": customer_items.customer_pk(customer_id),
        "SK": request_items.request_claim_sk("interaction", f"{actor}\n{idempotency_key}"),
    }


def interaction_claim_item(
    interaction: Interaction, *, actor: str, idempotency_key: str, fingerprint: str
) -> dict[str, Any]:
    """Claims the Idempotency-Key for one interaction: created in the same transaction, so a key writes once."""
    return {
        **interaction_claim_key(interaction.customer_id, actor, idempotency_key),
        "type": "interaction_claim",
        "interaction_id": interaction.interaction_id,
        "fingerprint": fingerprint,
    }
