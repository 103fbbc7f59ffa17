"""The daily close's items in the ledger table:

    CLOSE#<yyyy-mm-dd>    SCOPE#<all | department>    a close, created once (attribute_not_exists), never changed

The document is kept as the canonical JSON whose SHA-256 the audit chain holds (a string, so reading it back gives
the very bytes that were hashed); one Query of the date's partition finds every scope's close.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from arportal.domain.daily_close_document import canonical
from arportal.ports.daily_close import StoredClose

SCOPE = "SCOPE#"


def close_pk(business_date: date) -> str:
    return f"CLOSE#{business_date.isoformat()}"


def close_key(business_date: date, scope: str) -> dict[str, str]:
    return {"PK": close_pk(business_date), "SK": f"{SCOPE}{scope}"}


def close_item(close: StoredClose) -> dict[str, Any]:
    return {
        **close_key(close.business_date, close.scope),
        "type": "daily_close",
        "business_date": close.business_date.isoformat(),
        "scope": close.scope,
        "document": canonical(close.document).decode("utf-8"),
        "sha256": close.sha256,
        "closed_at": close.document.get("closed_at"),
    }


def close_of(item: dict[str, Any]) -> StoredClose:
    return StoredClose(
        business_date=date.fromisoformat(str(item["business_date"])),
        scope=str(item["scope"]),
        document=json.loads(str(item["document"])),
        sha256=str(item["sha256"]),
    )
