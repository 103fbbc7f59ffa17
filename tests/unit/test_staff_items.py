"""Item mappings the staff console added: activity-day entries, last known balances, interaction claims."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from arportal.adapters.dynamodb import items, keys
from arportal.domain.balances import AccountBalance, SourceBalance
from arportal.domain.models import Allocation, Interaction, InteractionKind
from tests import builders as b

AT = datetime(2026, 11, 1, 23, 59, 30, tzinfo=UTC)
CID = "CUS-0001ABCD"


def test_allocations_and_interactions_are_found_by_their_day_beside_payments():
    p = b.payment(CID, at=AT)
    allocation = Allocation(
        payment_id=p.payment_id,
        invoice_id="inv_1",
        invoice_number="INV-0001",
        customer_id=CID,
        account_number="UT-200001",
        department="utilities",
        amount=100,
        currency="USD",
        applied_at=AT,
    )
    interaction = Interaction(interaction_id="int_1", customer_id=CID, kind=InteractionKind.NOTE, summary="x", at=AT)
    for record, sk in (
        (p, f"{AT.isoformat()}#{p.payment_id}"),
        (allocation, f"{AT.isoformat()}#{p.payment_id}#inv_1"),
        (interaction, f"{AT.isoformat()}#int_1"),
    ):
        item = items.to_item(record)
        assert (item["DAYPK"], item["DAYSK"]) == ("DAY#2026-11-01", sk)
    assert items.from_item(items.to_item(allocation), Allocation) == allocation


def test_a_last_known_balance_round_trips_as_not_fresh():
    answer = SourceBalance(
        "Parking", "parking", 2_500, "USD", AT, fresh=True, accounts=(AccountBalance("PK-1", 2_500),)
    )
    item = items.last_balance_item(CID, answer)
    assert (item["PK"], item["SK"]) == (keys.customer_pk(CID), "#BALANCE#parking")
    back = items.last_balance_from_item(item)
    assert back.amount == 2_500 and back.as_of == AT and back.accounts == answer.accounts and back.fresh is False
    with pytest.raises(ValueError, match="only an answer with an amount"):
        items.last_balance_item(CID, SourceBalance("Parking", "parking", None, "USD", None, fresh=False, error="x"))


def test_an_interaction_claim_is_scoped_to_customer_staff_member_and_key():
    interaction = Interaction(interaction_id="int_1", customer_id=CID, kind=InteractionKind.CALL, summary="x", at=AT)
    claim = items.interaction_claim_item(interaction, actor="staff:a", idempotency_key="k", fingerprint="f")
    assert claim["PK"] == keys.customer_pk(CID) and claim["SK"].startswith("REQKEY#interaction#")
    other_actor = keys.interaction_claim_key(CID, "staff:b", "k")
    assert other_actor["SK"] != claim["SK"] and claim["interaction_id"] == "int_1"


def test_the_partition_header_spans_the_profile_the_last_known_balances_and_every_account():
    inside = ["#BALANCE#parking", keys.PROFILE, "ACCT#PT-100001", "ACCT#UT-9999999999"]
    outside = ["ALLOC#pay_1#inv_1", "CN#cn_1", "INV#inv_1", "PAY#pay_1", "SRCH#EMAIL"]
    assert all(keys.PARTITION_HEADER_FIRST <= sk <= keys.PARTITION_HEADER_LAST for sk in inside)
    assert not any(keys.PARTITION_HEADER_FIRST <= sk <= keys.PARTITION_HEADER_LAST for sk in outside)
