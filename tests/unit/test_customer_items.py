"""The customer partition's header: the last known balances kept beside the profile and the accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from arportal.adapters.dynamodb import customer_items
from arportal.domain.balances import AccountBalance, SourceBalance

AT = datetime(2026, 11, 1, 23, 59, 30, tzinfo=UTC)
CID = "CUS-0001ABCD"


def test_a_last_known_balance_round_trips_as_not_fresh():
    answer = SourceBalance(
        "Parking", "parking", 2_500, "USD", AT, fresh=True, accounts=(AccountBalance("PK-1", 2_500),)
    )
    item = customer_items.last_balance_item(CID, answer)
    assert (item["PK"], item["SK"]) == (customer_items.customer_pk(CID), "#BALANCE#parking")
    back = customer_items.last_balance_from_item(item)
    assert back.amount == 2_500 and back.as_of == AT and back.accounts == answer.accounts and back.fresh is False
    with pytest.raises(ValueError, match="only an answer with an amount"):
        customer_items.last_balance_item(
            CID, SourceBalance("Parking", "parking", None, "USD", None, fresh=False, error="x")
        )


def test_the_partition_header_spans_the_profile_the_last_known_balances_and_every_account():
    inside = ["#BALANCE#parking", customer_items.PROFILE, "ACCT#PT-100001", "ACCT#UT-9999999999"]
    outside = ["ALLOC#pay_1#inv_1", "CN#cn_1", "INV#inv_1", "PAY#pay_1", "SRCH#EMAIL"]
    assert all(customer_items.PARTITION_HEADER_FIRST <= sk <= customer_items.PARTITION_HEADER_LAST for sk in inside)
    assert not any(
        customer_items.PARTITION_HEADER_FIRST <= sk <= customer_items.PARTITION_HEADER_LAST for sk in outside
    )
