"""Copying audit records to the Object Lock bucket, where retention keeps anyone from rewriting them.

Each batch from the audit table's stream becomes one JSON Lines object named by its date and its content's
hash, so replaying a batch (streams deliver at least once) writes the same name again rather than a second
copy under another. Chain heads are exported with the records: together they anchor every chain at that time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from arportal.ports import ObjectWriter


def export_batch(records: Sequence[dict[str, Any]], writer: ObjectWriter, *, now: datetime) -> str | None:
    """Write ``records`` (audit items as stored) as one object; returns its key, or None for an empty batch."""
    if not records:
        return None
    lines = [json.dumps(r, sort_keys=True, separators=(",", ":"), default=str) for r in records]
    body = ("\n".join(lines) + "\n").encode()
    digest = hashlib.sha256(body).hexdigest()
    key = f"audit/{now:%Y/%m/%d}/{now:%H}/{digest}.jsonl"
    writer.put(key, body, content_type="application/x-ndjson", metadata={"records": str(len(records))})
    return key
