"""What a connected system sends to load its records: customers, accounts, invoices, credit notes, sales orders
and documents, each named by the source's own id, each checked alone.

A batch is validated record by record (``parse_record``), so one malformed record is answered with its field
errors and never blocks the good ones beside it. The models hold only what the source owns: the money the platform
owns on an invoice (payments, credit applied, staff adjustments), a profile's portal settings and a notice's
reading are never part of a record.

Versions: each record carries exactly one of ``source_version`` (a non-negative integer the source increases) or
``updated_at`` (an instant, taken as an integer of microseconds since the epoch); ``version`` is that integer.
A source should use one of the two for all its records: the two are compared as the same number.

``content_hash`` is the digest of everything the record says except its version (a document's bytes by their
own digest), so "the same record again" is recognised whatever the order of its keys or its defaults.

Pure: no I/O. Field errors are ``RecordError``s with a stable ``code`` (``negative_amount``, ``due_before_issue``,
``lines_do_not_add_up``, ...), a dotted ``field`` path and a message for a person.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import (
    AccountStatus,
    CustomerKind,
    EmailAddress,
    LineKind,
    PostalAddress,
    ShortText,
)
from arportal.domain.values import (
    AccountNumber,
    Currency,
    CustomerIdAnyCase,
    DepartmentCode,
    FeeCode,
    InvoiceNumber,
    MinorAmount,
    PositiveMinorAmount,
)

MAX_RECORDS = 500  # a request; a larger load is a bulk file import
MAX_DOCUMENT_BYTES = 512 * 1024  # a document's bytes travel in the batch (1 MiB a body), base64 encoded
MAX_LINES = 200
DOCUMENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A customer id in any case, as staff may type one, kept upper case as the platform stores it.
SourceCustomerId = Annotated[CustomerIdAnyCase, StringConstraints(to_upper=True)]
_VERSION_FIELDS = frozenset({"source_version", "updated_at"})


class SourceKind(StrEnum):
    CUSTOMER = "customer"
    ACCOUNT = "account"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    SALES_ORDER = "sales_order"
    DOCUMENT = "document"


@dataclass(frozen=True)
class RecordError:
    """Why a record was refused: ``field`` is a dotted path in the record (None: the record as a whole)."""

    code: str
    message: str
    field: str | None = None
    details: Mapping[str, Any] = dataclass_field(default_factory=dict)


class SourceRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    record_kind: ClassVar[SourceKind]

    source_version: int | None = Field(
        default=None, ge=0, le=2**62, description="The source's version of the record: higher is newer"
    )
    updated_at: AwareDatetime | None = Field(
        default=None, description="Or: when the source last changed it (with a time zone); one of the two"
    )

    @model_validator(mode="after")
    def _one_version(self) -> Self:
        if (self.source_version is None) == (self.updated_at is None):
            raise PydanticCustomError(
                "version_required",
                "give exactly one of source_version and updated_at: the record's version",
                {"field": "source_version"},
            )
        return self

    @property
    def version(self) -> int:
        if self.source_version is not None:
            return self.source_version
        assert self.updated_at is not None  # the validator holds one of the two
        delta = self.updated_at.astimezone(UTC) - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds

    @property
    def source_id(self) -> str:
        raise NotImplementedError

    @property
    def customer_ref(self) -> str:
        """The customer the record belongs to (its partition)."""
        return str(getattr(self, "customer_id"))  # noqa: B009 - every record names its customer

    def source_content(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=set(_VERSION_FIELDS))

    def content_hash(self) -> str:
        text = json.dumps(self.source_content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


class SourceCustomer(SourceRecord):
    record_kind: ClassVar[SourceKind] = SourceKind.CUSTOMER

    customer_id: SourceCustomerId
    kind: CustomerKind = Field(default=CustomerKind.INDIVIDUAL, description="individual or business")
    name: ShortText
    email: EmailAddress | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{7,20}$")] | None = None
    address: PostalAddress | None = None

    @property
    def source_id(self) -> str:
        return self.customer_id


class SourceAccount(SourceRecord):
    record_kind: ClassVar[SourceKind] = SourceKind.ACCOUNT

    account_number: AccountNumber
    customer_id: SourceCustomerId
    department: DepartmentCode
    description: ShortText
    status: AccountStatus = AccountStatus.ACTIVE
    service_address: PostalAddress | None = None
    opened_on: date

    @property
    def source_id(self) -> str:
        return self.account_number


# What the source bills: fees, penalties and principal. Adjustment lines are the platform's (staff adjustments).
SourceLineKind = Literal["fee", "penalty", "principal"]


class SourceLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    description: ShortText
    fee_code: FeeCode
    kind: SourceLineKind = "principal"
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    unit_amount: MinorAmount
    amount: MinorAmount

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        if self.amount != self.quantity * self.unit_amount:
            raise PydanticCustomError(
                "line_does_not_add_up",
                "amount must equal quantity x unit_amount ({quantity} x {unit_amount})",
                {"quantity": self.quantity, "unit_amount": self.unit_amount, "field": "amount"},
            )
        return self

    @property
    def line_kind(self) -> LineKind:
        return LineKind(self.kind)


def _lines_total(lines: list[SourceLine], total: int, name: str) -> None:
    found = sum(line.amount for line in lines)
    if total != found:
        raise PydanticCustomError(
            "lines_do_not_add_up",
            f"{name} must equal the sum of the lines ({{lines}})",
            {"lines": found, "field": name},
        )


def _period(start: date | None, end: date | None) -> None:
    if (start is None) != (end is None):
        raise PydanticCustomError(
            "period_incomplete", "period_start and period_end go together", {"field": "period_end"}
        )
    if start is not None and end is not None and end < start:
        raise PydanticCustomError("period_reversed", "period_end is before period_start", {"field": "period_end"})


class SourceInvoice(SourceRecord):
    record_kind: ClassVar[SourceKind] = SourceKind.INVOICE

    invoice_number: InvoiceNumber
    customer_id: SourceCustomerId
    account_number: AccountNumber
    department: DepartmentCode = Field(description="The account's department")
    issue_date: date
    due_date: date
    currency: Currency
    lines: list[SourceLine] = Field(min_length=1, max_length=MAX_LINES)
    amount: MinorAmount = Field(description="The sum of the lines, in minor units")
    period_start: date | None = None
    period_end: date | None = None
    status: Literal["open", "void"] = Field(
        default="open", description="void: the bill is cancelled (kept, never deleted); refused once anything is paid"
    )

    @model_validator(mode="after")
    def _figures(self) -> Self:
        if self.due_date < self.issue_date:
            raise PydanticCustomError("due_before_issue", "due_date is before issue_date", {"field": "due_date"})
        _lines_total(self.lines, self.amount, "amount")
        _period(self.period_start, self.period_end)
        return self

    @property
    def source_id(self) -> str:
        return self.invoice_number


class SourceCreditNote(SourceRecord):
    record_kind: ClassVar[SourceKind] = SourceKind.CREDIT_NOTE

    number: InvoiceNumber
    customer_id: SourceCustomerId
    account_number: AccountNumber
    department: DepartmentCode
    currency: Currency
    amount: PositiveMinorAmount
    reason: ShortText
    issued_on: date

    @property
    def source_id(self) -> str:
        return self.number


class SourceSalesOrder(SourceRecord):
    record_kind: ClassVar[SourceKind] = SourceKind.SALES_ORDER

    number: InvoiceNumber
    customer_id: SourceCustomerId
    account_number: AccountNumber
    department: DepartmentCode
    order_date: date
    currency: Currency
    lines: list[SourceLine] = Field(min_length=1, max_length=MAX_LINES)
    total: MinorAmount
    period_start: date | None = None
    period_end: date | None = None

    @model_validator(mode="after")
    def _figures(self) -> Self:
        _lines_total(self.lines, self.total, "total")
        _period(self.period_start, self.period_end)
        return self

    @property
    def source_id(self) -> str:
        return self.number


def _decode_base64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise PydanticCustomError("invalid_type", "the file's bytes as a base64 string")
    if len(value) > (MAX_DOCUMENT_BYTES + 2) // 3 * 4:
        raise PydanticCustomError("content_too_large", f"a document is at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PydanticCustomError("invalid_base64", "the content is not base64 (RFC 4648, with padding)") from exc
    if not data:
        raise PydanticCustomError("content_empty", "a document has content")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PydanticCustomError("content_too_large", f"a document is at most {MAX_DOCUMENT_BYTES} bytes")
    return data


DocumentContent = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64",
            "maxLength": (MAX_DOCUMENT_BYTES + 2) // 3 * 4,
            "description": f"The file, base64 encoded: at most {MAX_DOCUMENT_BYTES} bytes once decoded",
        }
    ),
]


class SourceDocument(SourceRecord):
    """A tax form or a notice for a customer, with its file. ``document_date`` is part of the document's identity
    on the platform (documents list newest first by it): it cannot change once loaded."""

    record_kind: ClassVar[SourceKind] = SourceKind.DOCUMENT

    document_id: Annotated[str, StringConstraints(pattern=DOCUMENT_ID_PATTERN)] = Field(
        description="The source's id of the document"
    )
    customer_id: SourceCustomerId
    account_number: AccountNumber | None = None
    kind: Literal["tax_form", "notice"]
    title: ShortText
    filename: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    content_type: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=100)]
    content: DocumentContent
    document_date: date
    period_start: date | None = None
    period_end: date | None = None
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        _period(self.period_start, self.period_end)
        return self

    @property
    def source_id(self) -> str:
        return self.document_id

    @property
    def content_sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def source_content(self) -> dict[str, Any]:
        body = self.model_dump(mode="json", exclude={*_VERSION_FIELDS, "content"})
        return {**body, "content_sha256": self.content_sha256}


RECORD_TYPES: dict[SourceKind, type[SourceRecord]] = {
    SourceKind.CUSTOMER: SourceCustomer,
    SourceKind.ACCOUNT: SourceAccount,
    SourceKind.INVOICE: SourceInvoice,
    SourceKind.CREDIT_NOTE: SourceCreditNote,
    SourceKind.SALES_ORDER: SourceSalesOrder,
    SourceKind.DOCUMENT: SourceDocument,
}


def parse_record(kind: SourceKind, raw: object) -> SourceRecord | list[RecordError]:
    """One record as sent: the validated record, or every field error it has."""
    if not isinstance(raw, Mapping):
        return [RecordError("invalid_type", "a record is a JSON object")]
    try:
        return RECORD_TYPES[kind].model_validate(raw)
    except ValidationError as exc:
        return [_record_error(error) for error in exc.errors(include_url=False)]


_AMOUNT_FIELDS = frozenset({"amount", "unit_amount", "total"})
_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "string_pattern_mismatch": "invalid_format",
    "string_too_long": "too_long",
    "string_too_short": "too_short",
    "too_long": "too_many",
    "too_short": "too_few",
    "literal_error": "not_allowed",
    "enum": "not_allowed",
    "greater_than_equal": "out_of_range",
    "greater_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "timezone_aware": "time_zone_required",
}


def _record_error(error: Any) -> RecordError:
    location = [str(part) for part in error["loc"]]
    kind = str(error["type"])
    code = _CODES.get(kind, kind)
    if kind.endswith(("_type", "_parsing")) or kind in {"date_from_datetime_inexact", "int_from_float"}:
        code = "invalid_type" if kind.endswith("_type") else "invalid_format"
    last = location[-1] if location else None
    message = str(error["msg"])
    if kind in {"greater_than_equal", "greater_than"} and last in _AMOUNT_FIELDS and _negative(error.get("input")):
        code, message = "negative_amount", "an amount is never negative (minor units, >= 0)"
    named = (error.get("ctx") or {}).get("field")
    if named:  # a check across fields names the field it is about
        location = [*location, str(named)]
    return RecordError(code, message, ".".join(location) or None)


def _negative(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value < 0


class TooManyRecordsError(BusinessRuleError):
    """A request holds more than ``MAX_RECORDS`` records: the whole request is refused (a bulk import takes more)."""

    code = "too_many_records"
