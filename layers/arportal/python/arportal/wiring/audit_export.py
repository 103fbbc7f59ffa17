"""What the audit exporter uses (``functions/audit_exporter``): the Object Lock bucket it copies audit records
to, and the reading of the audit table's stream images as the records they store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.s3 import S3DocumentStore


@built_once
def archive() -> S3DocumentStore:
    """The audit bucket (``AUDIT_BUCKET``), whose Object Lock retention keeps anyone from rewriting a record."""
    from arportal.adapters.s3 import S3DocumentStore

    return S3DocumentStore(settings().audit_bucket)


def stored_record(image: dict[str, Any]) -> dict[str, Any]:
    """A stream image (DynamoDB's typed JSON) as the record it stores, numbers as ints, as every reader sees it."""
    from arportal.adapters.dynamodb import codec, table_layout

    record: dict[str, Any] = table_layout.plain(codec.deserialize(image))
    return record
