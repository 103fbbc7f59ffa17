"""Request and response models of the batch upserts (``routes/batches.py``).

A batch's records are documented with their full models (``SourceInvoice``, ...) but read as sent: each record is
validated alone by the service, so one malformed record is answered with its field errors beside the others
instead of failing the whole request. Only the envelope is the request's: ``records`` is a JSON array of 1 to 500
objects.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PlainValidator

from arportal.api.schemas import In, Out
from arportal.domain.source_records import (
    MAX_RECORDS,
    SourceAccount,
    SourceCreditNote,
    SourceCustomer,
    SourceDocument,
    SourceInvoice,
    SourceSalesOrder,
)
from arportal.domain.upserts import Outcome
from arportal.services.source_loads import BatchResult, RecordResult


def _as_sent(value: object) -> object:
    return value


# The envelope's own constraint; the 500 limit is checked by the service, to answer it with its own code.
_ENVELOPE = Field(
    min_length=1,
    description=f"1 to {MAX_RECORDS} records, each answered on its own (more: 422 too_many_records)",
    json_schema_extra={"maxItems": MAX_RECORDS},
)


class CustomerBatchIn(In):
    records: Annotated[
        list[Annotated[object, PlainValidator(_as_sent, json_schema_input_type=SourceCustomer)]], _ENVELOPE
    ]


class AccountBatchIn(In):
    records: Annotated[
        list[Annotated[object, PlainValidator(_as_sent, json_schema_input_type=SourceAccount)]], _ENVELOPE
    ]


class InvoiceBatchIn(In):
    records: Annotated[
        list[Annotated[object, PlainValidator(_as_sent, json_schema_input_type=SourceInvoice)]], _ENVELOPE
    ]


class CreditNoteBatchIn(In):
    records: Annotated[
        list[Annotated[object, PlainValidator(_as_sent, json_schema_input_type=SourceCreditNote)]], _ENVELOPE
    ]


class SalesOrderBatchIn(In):
    records: Annotated[
        list[Annotated[object, PlainValidator(_as_sent, json_schema_input_type=SourceSalesOrder)]], _ENVELOPE
    ]


class DocumentBatchIn(In):
    records: Annotated[
        list[Annotated[object, PlainValidator(_as_sent, json_schema_input_type=SourceDocument)]], _ENVELOPE
    ]


class BatchRecordErrorOut(Out):
    field: str | None = Field(description="The record's field, a dotted path (lines.0.amount); null: the record")
    code: str = Field(description="Stable: negative_amount, due_before_issue, wrong_currency, unknown_customer, ...")
    message: str
    details: dict[str, Any] | None = Field(default=None, description="The figures behind it, e.g. paid and amount")


class BatchRecordOut(Out):
    index: int = Field(description="The record's position in the request, from 0")
    source_id: str | None = Field(description="The source's id of the record, as sent (null when unreadable)")
    outcome: Outcome
    entity_id: str | None = Field(description="The platform's id of what the record loaded (inv_..., doc_...)")
    errors: list[BatchRecordErrorOut] = Field(description="Why a rejected record was refused; empty otherwise")
    reason: str | None = Field(
        default=None, description="Why unchanged: stale (an older version), same_version, same_content"
    )
    source_version: int | None = Field(default=None, description="The record's version, as an integer")
    stored_version: int | None = Field(default=None, description="The version the platform holds (unchanged)")
    retryable: bool = Field(default=False, description="Rejected for a conflict: sending it again may succeed")

    @classmethod
    def of(cls, result: RecordResult) -> BatchRecordOut:
        return cls(
            index=result.index,
            source_id=result.source_id,
            outcome=result.outcome,
            entity_id=result.entity_id,
            errors=[
                BatchRecordErrorOut(field=e.field, code=e.code, message=e.message, details=dict(e.details) or None)
                for e in result.errors
            ],
            reason=result.reason,
            source_version=result.source_version,
            stored_version=result.stored_version,
            retryable=result.retryable,
        )


class BatchSummaryOut(Out):
    created: int
    updated: int
    unchanged: int
    rejected: int


class BatchResultOut(Out):
    results: list[BatchRecordOut] = Field(description="One per record, in the order sent")
    summary: BatchSummaryOut
    dry_run: bool = Field(description="true: nothing was written; the answers are what the batch would do")

    @classmethod
    def of(cls, batch: BatchResult) -> BatchResultOut:
        return cls(
            results=[BatchRecordOut.of(r) for r in batch.results],
            summary=BatchSummaryOut(**batch.summary),
            dry_run=batch.dry_run,
        )
