"""An interaction's Idempotency-Key claim: one per customer, staff member and key."""

from __future__ import annotations

from datetime import UTC, datetime

from arportal.adapters.dynamodb import customer_items, interaction_items
from arportal.domain.models import Interaction, InteractionKind

AT = datetime(2026, 11, 1, 23, 59, 30, tzinfo=UTC)
CID = "CUS-0001ABCD"


def test_an_interaction_claim_is_scoped_to_customer_staff_member_and_key():
    interaction = Interaction(interaction_id="int_1", customer_id=CID, kind=InteractionKind.CALL, summary="x", at=AT)
    claim = interaction_items.interaction_claim_item(interaction, actor="staff:a", idempotency_key="k", fingerprint="f")
    assert claim["PK"] == customer_items.customer_pk(CID) and claim["SK"].startswith("REQKEY#interaction#")
    other_actor = interaction_items.interaction_claim_key(CID, "staff:b", "k")
    assert other_actor["SK"] != claim["SK"] and claim["interaction_id"] == "int_1"
