"""A connected system's records are validated one by one, with a stable code per field error."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from arportal.domain.source_identity import entity_id_for
from arportal.domain.source_records import (
    MAX_DOCUMENT_BYTES,
    RecordError,
    SourceInvoice,
    SourceKind,
    SourceRecord,
    parse_record,
)
from arportal.domain.values import INVOICE_ID_PATTERN
from tests import source_records_support as s

CID = "CUS-ABCD1234"
ACCT = "UT-200001"


def _errors(kind: SourceKind, raw: Any) -> list[RecordError]:
    parsed = parse_record(kind, raw)
    assert isinstance(parsed, list), parsed
    return parsed


def _codes(kind: SourceKind, raw: Any) -> set[tuple[str | None, str]]:
    return {(e.field, e.code) for e in _errors(kind, raw)}


def test_a_good_invoice_parses_with_its_version() -> None:
    parsed = parse_record(SourceKind.INVOICE, s.invoice(CID, ACCT, version=7))
    assert isinstance(parsed, SourceInvoice)
    assert parsed.version == 7 and parsed.source_id == parsed.invoice_number


def test_a_customer_id_in_any_case_is_kept_upper_case() -> None:
    parsed = parse_record(SourceKind.ACCOUNT, s.account("cus-abcd1234", ACCT))
    assert isinstance(parsed, SourceRecord) and parsed.customer_ref == CID


def test_updated_at_is_the_version_in_microseconds() -> None:
    raw = {**s.invoice(CID, ACCT), "updated_at": "1970-01-01T00:00:01.000002+00:00"}
    del raw["source_version"]
    parsed = parse_record(SourceKind.INVOICE, raw)
    assert isinstance(parsed, SourceRecord) and parsed.version == 1_000_002


@pytest.mark.parametrize(
    "change",
    [
        {"source_version": None},
        {"updated_at": "2026-01-01T00:00:00Z"},  # both
    ],
)
def test_exactly_one_version(change: dict[str, Any]) -> None:
    raw = {**s.invoice(CID, ACCT), **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    assert ("source_version", "version_required") in _codes(SourceKind.INVOICE, raw)


def test_a_time_without_zone_is_refused() -> None:
    raw = {**s.customer(CID), "updated_at": "2026-01-01T00:00:00"}
    del raw["source_version"]
    assert ("updated_at", "time_zone_required") in _codes(SourceKind.CUSTOMER, raw)


def test_field_errors_name_each_field_with_a_code() -> None:
    raw = s.invoice(CID, ACCT, amounts=(-500,)) | {"bogus": 1, "currency": "usd"}
    codes = _codes(SourceKind.INVOICE, raw)
    assert ("lines.0.amount", "negative_amount") in codes
    assert ("lines.0.unit_amount", "negative_amount") in codes
    assert ("amount", "negative_amount") in codes
    assert ("bogus", "unknown_field") in codes
    assert ("currency", "invalid_format") in codes


def test_due_before_issue_and_lines_that_do_not_add_up() -> None:
    raw = s.invoice(CID, ACCT)
    assert _codes(SourceKind.INVOICE, raw | {"due_date": "2000-01-01"}) == {("due_date", "due_before_issue")}
    assert _codes(SourceKind.INVOICE, raw | {"amount": raw["amount"] + 1}) == {("amount", "lines_do_not_add_up")}
    bad_line = {**raw["lines"][0], "quantity": 2}
    assert _codes(SourceKind.INVOICE, raw | {"lines": [bad_line]}) == {("lines.0.amount", "line_does_not_add_up")}


def test_platform_lines_and_missing_fields() -> None:
    raw = s.invoice(CID, ACCT)
    adjustment = {**raw["lines"][0], "kind": "adjustment"}
    assert ("lines.0.kind", "not_allowed") in _codes(SourceKind.INVOICE, raw | {"lines": [adjustment]})
    del raw["customer_id"]
    assert ("customer_id", "required") in _codes(SourceKind.INVOICE, raw)


def test_not_an_object() -> None:
    assert _codes(SourceKind.CUSTOMER, ["x"]) == {(None, "invalid_type")}


def test_a_period_goes_together_and_in_order() -> None:
    raw = s.invoice(CID, ACCT)
    assert ("period_end", "period_reversed") in _codes(
        SourceKind.INVOICE, raw | {"period_start": raw["period_end"], "period_end": raw["period_start"]}
    )
    assert ("period_end", "period_incomplete") in _codes(SourceKind.INVOICE, raw | {"period_end": None})


def test_document_content_is_base64_and_bounded() -> None:
    assert ("content", "invalid_base64") in _codes(SourceKind.DOCUMENT, s.document(CID) | {"content": "not base64!"})
    big = base64.b64encode(b"x" * (MAX_DOCUMENT_BYTES + 1)).decode()
    assert ("content", "content_too_large") in _codes(SourceKind.DOCUMENT, s.document(CID) | {"content": big})
    assert ("content", "content_empty") in _codes(SourceKind.DOCUMENT, s.document(CID) | {"content": ""})


def test_the_content_hash_ignores_the_version_key_order_and_spelled_out_defaults() -> None:
    raw = s.invoice(CID, ACCT, version=1)
    first = parse_record(SourceKind.INVOICE, raw)
    again = parse_record(
        SourceKind.INVOICE, dict(reversed(list({**raw, "source_version": 9, "status": "open"}.items())))
    )
    changed = parse_record(SourceKind.INVOICE, {**raw, "due_date": raw["issue_date"]})
    assert isinstance(first, SourceRecord) and isinstance(again, SourceRecord) and isinstance(changed, SourceRecord)
    assert first.content_hash() == again.content_hash() != changed.content_hash()


def test_a_documents_hash_covers_its_bytes() -> None:
    one = parse_record(SourceKind.DOCUMENT, s.document(CID, "D-1"))
    other = parse_record(SourceKind.DOCUMENT, s.document(CID, "D-1", body=b"%PDF other"))
    assert isinstance(one, SourceRecord) and isinstance(other, SourceRecord)
    assert one.content_hash() != other.content_hash()


def test_platform_ids_are_stable_and_match_the_boundary_patterns() -> None:
    first = parse_record(SourceKind.INVOICE, s.invoice(CID, ACCT, "UT-2026-00001"))
    again = parse_record(SourceKind.INVOICE, s.invoice("CUS-OTHER123", ACCT, "UT-2026-00001", version=5))
    assert isinstance(first, SourceRecord) and isinstance(again, SourceRecord)
    assert entity_id_for(first) == entity_id_for(again)
    assert re.fullmatch(INVOICE_ID_PATTERN, entity_id_for(first))
    note = parse_record(SourceKind.CREDIT_NOTE, s.credit_note(CID, ACCT, "UT-2026-00001"))
    assert isinstance(note, SourceRecord) and entity_id_for(note) != entity_id_for(first)


def test_document_ids_sort_by_their_date() -> None:
    older = parse_record(SourceKind.DOCUMENT, s.document(CID, "Z-1", document_date="2024-01-01"))
    newer = parse_record(SourceKind.DOCUMENT, s.document(CID, "A-1", document_date="2025-06-30"))
    assert isinstance(older, SourceRecord) and isinstance(newer, SourceRecord)
    assert entity_id_for(older) < entity_id_for(newer)
    assert entity_id_for(older).startswith("doc_") and len(entity_id_for(older)) == 30
