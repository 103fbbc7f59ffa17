"""GL journal batches and their corrections in the ledger table, and the two ledger reads the journal needs.

    JOURNAL#<batch_id>        JOURNAL       a stored batch: created once (attribute_not_exists), only ever
                                            marked imported after (attribute_not_exists(imported_at))
    JOURNALFIX#<id>           JOURNALFIX    a correction: pending -> approved | rejected, then its two batches

A day's batches are found by their ids (``GL-<agency>-<yyyymmdd>-<nn>``, sequences from 01, no gaps): one
strongly consistent BatchGetItem of the 99 a day can have, so no index entry is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, invoice_items, payment_items, table_layout
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.readback import batch_items
from arportal.adapters.dynamodb.tables import BY_EXTERNAL_KEY
from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.journals import batch_id_for
from arportal.domain.models import CreditNote, Payment, PaymentMethodType
from arportal.domain.search import SearchKind
from arportal.ports.journals import JournalBatch, JournalCorrection

MAX_SEQUENCE = 99


def batch_key(batch_id: str) -> dict[str, str]:
    return {"PK": f"JOURNAL#{batch_id}", "SK": "JOURNAL"}


def correction_key(correction_id: str) -> dict[str, str]:
    return {"PK": f"JOURNALFIX#{correction_id}", "SK": "JOURNALFIX"}


class DynamoJournals:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def create(self, batch: JournalBatch) -> bool:
        try:
            self._put({**batch_key(batch.batch_id), "type": "journal_batch", **_batch_body(batch)})
        except ConflictError:
            return False
        return True

    def get(self, batch_id: str) -> JournalBatch | None:
        item = self._get(batch_key(batch_id))
        return _batch(item) if item else None

    def day(self, agency: str, business_date: date) -> list[JournalBatch]:
        keys = [batch_key(batch_id_for(agency, business_date, n)) for n in range(1, MAX_SEQUENCE + 1)]
        found = [_batch(item) for item in batch_items(self.table, keys, consistent=True)]
        return sorted(found, key=lambda b: b.sequence)

    def mark_imported(self, batch_id: str, *, by: str, at: datetime) -> JournalBatch:
        try:
            with translated("mark a journal imported"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(batch_key(batch_id)),
                    UpdateExpression="SET imported_at = :at, imported_by = :by",
                    ConditionExpression="attribute_exists(PK) AND attribute_not_exists(imported_at)",
                    ExpressionAttributeValues=codec.serialize({":at": at.isoformat(), ":by": by}),
                )
        except ConflictError:
            pass  # marked already (the first mark stands), or no such batch (below)
        found = self.get(batch_id)
        if found is None:
            raise NotFoundError(f"no journal batch {batch_id}")
        return found

    def file_correction(self, correction: JournalCorrection) -> None:
        body = {k: v for k, v in asdict(correction).items() if v is not None}
        body["requested_at"] = correction.requested_at.isoformat()
        self._put({**correction_key(correction.correction_id), "type": "journal_correction", **body})

    def correction(self, correction_id: str) -> JournalCorrection | None:
        item = self._get(correction_key(correction_id))
        if not item:
            return None
        fields = {k: v for k, v in item.items() if k in JournalCorrection.__dataclass_fields__}
        for name in ("requested_at", "decided_at"):
            if fields.get(name):
                fields[name] = datetime.fromisoformat(fields[name])
        return JournalCorrection(**fields)

    def decide_correction(self, correction_id: str, *, status: str, by: str, at: datetime) -> bool:
        try:
            with translated("decide a journal correction"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(correction_key(correction_id)),
                    UpdateExpression="SET #status = :status, decided_by = :by, decided_at = :at",
                    ConditionExpression="#status = :pending",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues=codec.serialize(
                        {":status": status, ":by": by, ":at": at.isoformat(), ":pending": "pending"}
                    ),
                )
        except ConflictError:
            return False
        return True

    def correction_done(self, correction_id: str, *, reversal_batch_id: str, new_batch_id: str) -> None:
        with translated("finish a journal correction"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(correction_key(correction_id)),
                UpdateExpression="SET reversal_batch_id = :r, new_batch_id = :n",
                ExpressionAttributeValues=codec.serialize({":r": reversal_batch_id, ":n": new_batch_id}),
            )

    def _put(self, item: dict[str, Any]) -> None:
        with translated("store a journal record"):
            client("dynamodb").put_item(
                TableName=self.table,
                Item=codec.serialize(table_layout.to_dynamo(item)),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        with translated("read a journal record"):
            response = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        item = response.get("Item")
        return table_layout.plain(codec.deserialize(item)) if item else None


class DynamoJournalLedgerReads:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def credit_notes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], CreditNote]:
        wanted = [
            {"PK": customer_items.customer_pk(customer), "SK": invoice_items.credit_note_sk(note)}
            for customer, note in keys
        ]
        found: dict[tuple[str, str], CreditNote] = {}
        for item in batch_items(self.table, wanted, consistent=True):
            if item.get("type") == "credit_note":
                note = entity_items.from_item(item, CreditNote)
                found[(note.customer_id, note.credit_note_id)] = note
        return found

    def payment_methods(self, transaction_ids: Sequence[str]) -> dict[str, PaymentMethodType]:
        pointers: list[dict[str, Any]] = []
        for transaction_id in transaction_ids:
            with translated("find a payment by its transaction"):
                response = client("dynamodb").query(
                    TableName=self.table,
                    IndexName=BY_EXTERNAL_KEY,
                    KeyConditionExpression="XK = :key AND XSK = :kind",
                    ExpressionAttributeValues=codec.serialize(
                        {":key": table_layout.external_key(transaction_id), ":kind": SearchKind.TRANSACTION_ID.value}
                    ),
                )
            pointers += [codec.deserialize(raw) for raw in response.get("Items", [])]
        keys = [
            {"PK": p["PK"], "SK": payment_items.payment_sk(str(p["payment_id"]))}
            for p in pointers
            if p.get("payment_id")
        ]
        methods: dict[str, PaymentMethodType] = {}
        for item in batch_items(self.table, keys, consistent=False):
            if item.get("type") == "payment":
                payment = entity_items.from_item(item, Payment)
                if payment.transaction_id:
                    methods[payment.transaction_id] = payment.method.type
        return methods


def _batch_body(batch: JournalBatch) -> dict[str, Any]:
    body = asdict(batch)
    body["business_date"] = batch.business_date.isoformat()
    body["created_at"] = batch.created_at.isoformat()
    body["totals"] = [list(t) for t in batch.totals]
    if batch.receipts is not None:
        body["receipts"] = [list(r) for r in batch.receipts]
    return {k: v for k, v in body.items() if k not in ("imported_at", "imported_by") and v is not None}


def _batch(item: dict[str, Any]) -> JournalBatch:
    fields = {k: v for k, v in item.items() if k in JournalBatch.__dataclass_fields__}
    batch = JournalBatch(
        **{**fields, "reverses": fields.get("reverses"), "replaces": fields.get("replaces")}  # type: ignore[arg-type]
    )
    return replace(
        batch,
        business_date=date.fromisoformat(str(item["business_date"])),
        created_at=datetime.fromisoformat(str(item["created_at"])),
        imported_at=datetime.fromisoformat(str(item["imported_at"])) if item.get("imported_at") else None,
        sequence=int(item["sequence"]),
        totals=tuple((str(t[0]), int(t[1]), int(t[2]), int(t[3])) for t in item.get("totals", [])),
        receipts=tuple((str(r[0]), int(r[1])) for r in item["receipts"]) if "receipts" in item else None,
    )
