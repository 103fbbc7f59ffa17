"""Documents attached to a customer (bytes in S3) and the notices sent about them.

    CUST#<id>  DOC#<document_id>                 a document; ids sort by creation time. An unread notice is a
                                                 live item (OSK NOTICE#<document_id>), so the dashboard's one
                                                 OpenItems query counts it; opening it removes it
               NOTICE#<kind>#<subject>#<date>    a reminder/notice was sent (TTL): at most once per kind

The document item itself is mapped by ``entity_items``; a receipt's PDF is also listed under its receipt in
``ByParent`` (PPK ``CUST#<id>#RCPT#<receipt number>``), so a payment's detail finds it with one Query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.adapters.dynamodb import customer_items

DOCUMENT_PREFIX = "DOC#"


def document_sk(document_id: str) -> str:
    return f"{DOCUMENT_PREFIX}{document_id}"


def document_key(customer_id: str, document_id: str) -> dict[str, str]:
    return {"PK": customer_items.customer_pk(customer_id), "SK": document_sk(document_id)}


def receipts_pk(customer_id: str, receipt_number: str) -> str:
    """``ByParent`` partition of a receipt's PDF documents (newest last: document ids sort by time)."""
    return f"{customer_items.customer_pk(customer_id)}#RCPT#{receipt_number}"


def receipt_document_attributes(customer_id: str, receipt_number: str, document_id: str) -> dict[str, str]:
    return {"PPK": receipts_pk(customer_id, receipt_number), "PSK": document_sk(document_id)}


def unread_notice_osk(document_id: str) -> str:
    """OpenItems sort key of an unread notice (the dashboard counts them in its one OpenItems query)."""
    return f"NOTICE#{document_id}"


def notice_sk(kind: str, subject: str, due: date) -> str:
    return f"NOTICE#{kind}#{subject}#{due.isoformat()}"


def notice_item(
    customer_id: str, kind: str, subject: str, due: date, *, sent_at: datetime, expires_at: int
) -> dict[str, Any]:
    return {
        "PK": customer_items.customer_pk(customer_id),
        "SK": notice_sk(kind, subject, due),
        "type": "notice",
        "kind": kind,
        "subject": subject,
        "due_date": due.isoformat(),
        "sent_at": sent_at.isoformat(),
        "expires_at": expires_at,
    }
