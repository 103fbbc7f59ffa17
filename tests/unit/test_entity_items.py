"""The item mapping is the data layer's contract: every entity round-trips and carries its index keys."""

from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.dynamodb import entity_items, payment_items, table_layout
from arportal.domain.models import Allocation, Customer, Interaction, InteractionKind, Invoice, Payment, Schedule
from tests import builders as b

C = b.customer("CUS-000042", name="Ana Lopez")
A = b.account(C.customer_id, number="UT-200042")
INV = b.invoice(C.customer_id, A.account_number, number="UT-2026-00042")
PAY = b.payment(C.customer_id, transaction_id="sbx_000000000042")
DAY_AT = datetime(2026, 11, 1, 23, 59, 30, tzinfo=UTC)
RECORDS = [
    C,
    A,
    INV,
    PAY,
    b.receipt(PAY, "R-2611-AAAAAA"),
    b.credit_note(C.customer_id, A.account_number),
    b.plan(C.customer_id, A.account_number),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_every_entity_round_trips(record):
    item = entity_items.to_item(record)
    assert item["PK"] == "CUST#CUS-000042"
    assert entity_items.entity_of(item) == record


def test_external_keys_are_case_insensitive_values_tagged_with_their_kind():
    assert (entity_items.to_item(INV)["XK"], entity_items.to_item(INV)["XSK"]) == ("UT-2026-00042", "invoice")
    assert entity_items.to_item(C)["XSK"] == "customer"
    pointer = payment_items.transaction_pointer(PAY)
    assert pointer is not None and (pointer["XK"], pointer["payment_id"]) == ("SBX_000000000042", PAY.payment_id)


def test_open_items_are_in_the_sparse_indexes_only_while_live():
    live = entity_items.to_item(INV)
    assert live["OPK"] == "CUST#CUS-000042" and live["DUEPK"] == f"DUE#{INV.due_date.isoformat()}"
    paid = Invoice.model_validate({**INV.model_dump(), "paid": INV.amount, "balance": 0, "status": "paid"})
    assert not {"OPK", "DUEPK"} & set(entity_items.to_item(paid))
    ended = Schedule.model_validate({**RECORDS[-1].model_dump(), "active": False})
    assert "OPK" not in entity_items.to_item(ended)


def test_payments_are_indexed_by_day_with_their_filters_at_top_level():
    item = entity_items.to_item(PAY)
    assert item["DAYPK"] == f"DAY#{PAY.created_at.date().isoformat()}"
    assert {"channel", "status", "departments"} <= set(item)


def test_guest_payments_live_outside_customer_partitions():
    guest = Payment.model_validate({**PAY.model_dump(), "customer_id": None})
    assert entity_items.to_item(guest)["PK"] == "GUEST"
    alloc = Allocation(
        payment_id=PAY.payment_id,
        invoice_id=INV.invoice_id,
        invoice_number=INV.invoice_number,
        customer_id=None,
        account_number=A.account_number,
        department="utilities",
        amount=1,
        currency="USD",
        applied_at=PAY.created_at + timedelta(seconds=1),
    )
    assert entity_items.to_item(alloc)["PK"] == "GUEST"


def test_floats_never_reach_the_table():
    with pytest.raises(TypeError):
        table_layout.to_dynamo({"amount": 1.5})


def test_unknown_item_types_are_ignored():
    assert entity_items.entity_of({"PK": "X", "SK": "Y", "type": "mystery"}) is None
    assert isinstance(entity_items.entity_of(entity_items.to_item(C)), Customer)


def test_allocations_and_interactions_are_found_by_their_day_beside_payments():
    p = b.payment(C.customer_id, at=DAY_AT)
    allocation = Allocation(
        payment_id=p.payment_id,
        invoice_id="inv_1",
        invoice_number="INV-0001",
        customer_id=C.customer_id,
        account_number="UT-200001",
        department="utilities",
        amount=100,
        currency="USD",
        applied_at=DAY_AT,
    )
    interaction = Interaction(
        interaction_id="int_1", customer_id=C.customer_id, kind=InteractionKind.NOTE, summary="x", at=DAY_AT
    )
    for record, sk in (
        (p, f"{DAY_AT.isoformat()}#{p.payment_id}"),
        (allocation, f"{DAY_AT.isoformat()}#{p.payment_id}#inv_1"),
        (interaction, f"{DAY_AT.isoformat()}#int_1"),
    ):
        item = entity_items.to_item(record)
        assert (item["DAYPK"], item["DAYSK"]) == ("DAY#2026-11-01", sk)
    assert entity_items.from_item(entity_items.to_item(allocation), Allocation) == allocation
