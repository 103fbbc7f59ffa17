"""The DynamoDB store of batch upserts against moto: a lost race is named by the transaction's cancellation reasons
and decided again, every loaded record extends its entity's audit chain and has its outbox event, and a 500-invoice
batch keeps to its budget (issue 12: at most 2 DynamoDB write round trips per 25 records; counted, not timed)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, invoice_items
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.source_loads import DynamoSourceRecords
from arportal.config import settings
from arportal.domain.source_records import SourceKind
from arportal.ports import SourceWrite
from arportal.services.source_loads import BatchResult, LoadSettings, load_batch, load_records
from arportal.wiring import stores
from local.environment import LocalEnvironment
from tests import source_records_support as s
from tests.clock import SESSION_NOW
from tests.integration.roundtrips import dynamodb_round_trips

ACTOR = "system:store-test"


class PaidInBetween(DynamoSourceRecords):
    """The ledger, with a payment posted on the first record's invoice between the batch's read and its write."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interfered = False

    def write(self, writes: Sequence[SourceWrite]) -> list[int]:
        if not self.interfered:
            self.interfered = True
            state = writes[0].decision.state
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(
                    {
                        "PK": customer_items.customer_pk(state.customer_id),
                        "SK": invoice_items.invoice_sk(state.entity_id),
                    }
                ),
                UpdateExpression="SET paid = :p, balance = balance - :p, version = version + :one",
                ExpressionAttributeValues=codec.serialize({":p": 1_000, ":one": 1}),
            )
        return super().write(writes)


def _store(cls: type[DynamoSourceRecords] = DynamoSourceRecords) -> DynamoSourceRecords:
    return cls(settings().ledger_table, settings().audit_table)


def _load(store: DynamoSourceRecords, kind: SourceKind, records: list[Any]) -> BatchResult:
    return load_batch(
        kind,
        records,
        store=store,
        files=stores.document_files(),
        settings=LoadSettings("USD"),
        actor=ACTOR,
        now=SESSION_NOW,
    )


def _world(store: DynamoSourceRecords) -> tuple[str, str]:
    cid, acct = s.customer_id(), s.account_number()
    records = [(SourceKind.CUSTOMER, s.customer(cid)), (SourceKind.ACCOUNT, s.account(cid, acct))]
    batch = load_records(
        records, store=store, files=stores.document_files(), settings=LoadSettings("USD"), actor=ACTOR, now=SESSION_NOW
    )
    assert [r.outcome.value for r in batch.results] == ["created", "created"]
    return cid, acct


def _invoice(cid: str, invoice_id: str) -> dict[str, Any]:
    key = {"PK": customer_items.customer_pk(cid), "SK": invoice_items.invoice_sk(invoice_id)}
    found = client("dynamodb").get_item(TableName=settings().ledger_table, Key=codec.serialize(key))
    return codec.deserialize(found["Item"])


def test_a_lost_race_is_named_by_the_cancellation_reasons_and_decided_again(local_env: LocalEnvironment) -> None:
    store = _store()
    cid, acct = _world(store)
    records = [s.invoice(cid, acct, amounts=(5_000,)) for _ in range(3)]
    created = _load(store, SourceKind.INVOICE, records)
    raised = [{**r, "source_version": 2, "amount": 7_000, "lines": s.lines(7_000)} for r in records]
    racing = _store(PaidInBetween)
    with dynamodb_round_trips() as trips:
        batch = _load(racing, SourceKind.INVOICE, raised)
    assert [r.outcome.value for r in batch.results] == ["updated"] * 3
    calls = Counter(call.rsplit(".", 1)[-1] for call in trips.calls)
    assert calls["TransactWriteItems"] == 2 and calls["BatchGetItem"] == 2  # refused once, re-read, written again
    raced = _invoice(cid, created.results[0].entity_id or "")
    assert (raced["amount"], raced["paid"], raced["balance"], raced["version"]) == (7_000, 1_000, 6_000, 3)


def test_each_load_extends_the_entitys_audit_chain_and_has_its_event(local_env: LocalEnvironment) -> None:
    store = _store()
    cid, acct = _world(store)
    record = s.invoice(cid, acct)
    local_env.drain_events()
    created = _load(store, SourceKind.INVOICE, [record])
    _load(store, SourceKind.INVOICE, [{**record, "source_version": 2, "due_date": record["issue_date"]}])
    invoice_id = created.results[0].entity_id or ""
    trail = DynamoAuditTrail(settings().audit_table)
    history = trail.history("invoice", invoice_id)
    assert [(h["action"], h["actor"]) for h in history] == [("invoice.created", ACTOR), ("invoice.updated", ACTOR)]
    assert trail.verify("invoice", invoice_id).ok
    local_env.relay_once()
    events = [e for e in local_env.drain_events() if e.get("detail", {}).get("entity_id") == invoice_id]
    assert [e["detail-type"] for e in events] == ["invoice.loaded", "invoice.loaded"]
    assert {e["detail"]["channel"] for e in events} == {"integration"}


def test_a_500_invoice_batch_keeps_its_write_budget(local_env: LocalEnvironment) -> None:
    store = _store()
    cid, acct = _world(store)
    records = [s.invoice(cid, acct) for _ in range(500)]
    with dynamodb_round_trips() as trips:
        batch = _load(store, SourceKind.INVOICE, records)
    assert batch.summary["created"] == 500
    calls = Counter(call.rsplit(".", 1)[-1] for call in trips.calls)
    assert calls["TransactWriteItems"] <= 2 * math.ceil(500 / 25), calls
    assert set(calls) == {"TransactWriteItems", "BatchGetItem"}, calls
    with dynamodb_round_trips() as again:
        twice = _load(store, SourceKind.INVOICE, records)
    assert twice.summary["unchanged"] == 500
    assert {call.rsplit(".", 1)[-1] for call in again.calls} == {"BatchGetItem"}
