"""Bank files: one item per file content (docs/bank-files.md, "Import").

    BANKFILE#<file_id>   FILE    the file: its hash, format, where its bytes are, who sent it, its counts;
                                 importing -> imported. Created only if absent: file_id is the content's hash.

ByActivityDay DAYPK = BANKFILES, DAYSK = <received_at>#<file_id>: every file, newest first (one Query a page).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any

from arportal.domain.errors import BusinessRuleError
from arportal.ports.bank_files import BankFileCounts, BankFileRecord

FILES_PARTITION = "BANKFILES"
_LISTED = re.compile(r"^(?P<at>[0-9T:.+\-]{19,40})#(?P<file>bkf_[0-9a-f]{16,64})$")


class InvalidBankFileCursorError(BusinessRuleError):
    code = "invalid_cursor"


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """A page's next cursor: the index sort key it stopped at (the rest of the key follows from it)."""
    if not last_key:
        return None
    return base64.urlsafe_b64encode(str(last_key["DAYSK"]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, str]:
    try:
        listed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidBankFileCursorError("cursor is not one this list handed out") from None
    found = _LISTED.match(listed)
    if not found:
        raise InvalidBankFileCursorError("cursor is not one this list handed out")
    return {**file_key(found["file"]), "DAYPK": FILES_PARTITION, "DAYSK": listed}


def file_key(file_id: str) -> dict[str, str]:
    return {"PK": f"BANKFILE#{file_id}", "SK": "FILE"}


def file_item(record: BankFileRecord) -> dict[str, Any]:
    return {
        **file_key(record.file_id),
        "type": "bank_file",
        "DAYPK": FILES_PARTITION,
        "DAYSK": f"{record.received_at.isoformat()}#{record.file_id}",
        "file_id": record.file_id,
        "sha256": record.sha256,
        "format": record.format,
        "size": record.size,
        "object_key": record.object_key,
        "received_at": record.received_at.isoformat(),
        "received_by": record.received_by,
        "source": record.source,
        "filename": record.filename,
        "file_reference": record.file_reference,
        "accounts": list(record.accounts),
        "status": record.status,
        "counts": record.counts.as_dict(),
    }


def file_from_item(item: dict[str, Any]) -> BankFileRecord:
    counts = {name: int(value) for name, value in (item.get("counts") or {}).items()}
    return BankFileRecord(
        file_id=str(item["file_id"]),
        sha256=str(item["sha256"]),
        format=str(item["format"]),
        size=int(item["size"]),
        object_key=str(item["object_key"]),
        received_at=datetime.fromisoformat(str(item["received_at"])),
        received_by=str(item["received_by"]),
        source=str(item["source"]),
        filename=item.get("filename"),
        file_reference=item.get("file_reference"),
        accounts=tuple(str(a) for a in item.get("accounts") or ()),
        status=str(item["status"]),
        counts=BankFileCounts(**counts),
    )
