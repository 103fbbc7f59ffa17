"""The drawer store on moto (``adapters/dynamodb/drawer_store.py``): a close of more payments than one transaction
holds is written in chunks, a close left half-written is finished by the next one, and two closes sent at once
make one deposit."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

from arportal import clock
from arportal.adapters.dynamodb import codec, drawer_items, payout_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.drawer_store import DynamoDrawerStore
from arportal.adapters.pdf.deposit_slip import PdfDepositSlipRenderer
from arportal.adapters.s3 import S3DocumentStore
from arportal.config import settings
from arportal.domain.drawer_close import DrawerClose, DrawerCount
from arportal.domain.models import AuditEvent, Channel, MethodDetail, Payment, PaymentMethodType
from arportal.ports import PayoutRecord
from arportal.services.drawer_close import ClosedDrawer, DrawerServices, close_drawer
from tests import builders as b
from tests.integration.conftest import new_customer_id


def _counter_payments(terminal: str, amounts: list[int]) -> list[Payment]:
    cid, now = new_customer_id(), clock.now()
    payments = [
        b.payment(cid, amount=a, at=now - timedelta(minutes=len(amounts) - k)).model_copy(
            update={
                "method": MethodDetail(type=PaymentMethodType.CASH),
                "channel": Channel.COUNTER,
                "terminal_id": terminal,
                "drawer_id": "D1",
                "processor": "counter",
                "transaction_id": None,
            }
        )
        for k, a in enumerate(amounts)
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new(payments)
    return payments


def _services(store: DynamoDrawerStore) -> DrawerServices:
    s = settings()
    return DrawerServices(
        store, S3DocumentStore(s.documents_bucket), PdfDepositSlipRenderer(), s.agency_name, s.currency
    )


def _store(max_items: int = 100) -> DynamoDrawerStore:
    s = settings()
    return DynamoDrawerStore(s.ledger_table, s.audit_table, max_transaction_items=max_items)


def _get(key: dict[str, str]) -> dict[str, Any] | None:
    from arportal.adapters.aws import client

    found = client("dynamodb").get_item(
        TableName=settings().ledger_table, Key=codec.serialize(key), ConsistentRead=True
    )
    return codec.deserialize(found["Item"]) if "Item" in found else None


def _close(services: DrawerServices, terminal: str, cash: int) -> ClosedDrawer:
    return close_drawer(services, terminal, "D1", DrawerCount("USD", cash, 0), actor="staff:test", now=clock.now())


def _written_whole(close: DrawerClose, payments: list[Payment]) -> None:
    assert {p.payment_id for p in payments} == set(close.payment_ids)
    for p in payments:
        link = _get(drawer_items.deposited_key(p.payment_id))
        assert link and link["deposit_id"] == close.deposit_id
    stored = _get(drawer_items.close_key(close.deposit_id))
    assert stored and stored["status"] == "closed"
    deposit = _get(payout_items.payout_key(close.deposit_id))
    assert deposit and deposit["processor"] == "counter" and int(deposit["amount"]) == close.total


def test_a_close_bigger_than_a_transaction_is_written_in_chunks(local_env):
    terminal = f"TC-{uuid.uuid4().hex[:8]}"
    payments = _counter_payments(terminal, [100 * (k + 1) for k in range(11)])
    closed = _close(_services(_store(max_items=4)), terminal, sum(p.amount for p in payments))
    assert not closed.replayed and closed.close.over_short == {"cash": 0, "cheque": 0}
    _written_whole(closed.close, payments)
    state = _get(drawer_items.state_key(terminal, "D1"))
    assert state and state["last_close"] == closed.close.deposit_id and "pending" not in state


class _StopsAfterClaim(DynamoDrawerStore):
    """A Lambda that timed out after claiming a chunked close: links, deposit and finish never written."""

    def complete_close(self, close: DrawerClose, deposit: PayoutRecord, audit: AuditEvent) -> None:
        return None


def test_a_close_left_half_written_is_finished_by_the_next_submit(local_env):
    terminal = f"TP-{uuid.uuid4().hex[:8]}"
    payments = _counter_payments(terminal, [500, 700, 900])
    s = settings()
    first = _close(_services(_StopsAfterClaim(s.ledger_table, s.audit_table, max_transaction_items=2)), terminal, 2_100)
    state = _get(drawer_items.state_key(terminal, "D1"))
    assert state and state["pending"] == first.close.deposit_id
    assert _get(payout_items.payout_key(first.close.deposit_id)) is None

    again = _close(_services(_store()), terminal, 2_100)
    assert again.replayed and again.close.deposit_id == first.close.deposit_id
    _written_whole(again.close, payments)


def test_two_closes_sent_at_once_make_one_deposit(local_env):
    terminal = f"TR-{uuid.uuid4().hex[:8]}"
    _counter_payments(terminal, [1_000, 2_000])
    services = _services(_store())
    results: list[ClosedDrawer] = []
    start = threading.Barrier(2)

    def submit() -> None:
        start.wait()
        results.append(_close(services, terminal, 3_000))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and len({r.close.deposit_id for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False, True]
