"""The local mailbox: every email the product sent through SES, read from moto's SES backend, newest first.

Plain ``SendEmail``, templated and raw (MIME, e.g. a receipt with a PDF attached) messages are all shown with
their recipients, subject, text body and when the product sent them, by its clock (stamped by ``moto_patches``).
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from typing import Any

from local import moto_patches


def messages(account: str, region: str) -> list[dict[str, Any]]:
    entries = [_entry(message) for message in moto_patches.sent_messages(account, region)]
    return sorted(entries, key=lambda e: e["timestamp"] or "", reverse=True)


def _entry(message: Any) -> dict[str, Any]:
    sent_at: datetime | None = getattr(message, "sent_at", None)
    entry: dict[str, Any] = {
        "id": getattr(message, "id", None),
        "from": getattr(message, "source", None),
        "timestamp": sent_at.isoformat() if sent_at else None,
        "attachments": [],
    }
    if hasattr(message, "raw_data"):
        return {**entry, **_raw(message.raw_data, message.destinations)}
    if hasattr(message, "template"):
        return {
            **entry,
            "to": _recipients(message.destinations),
            "subject": f"(template {message.template})",
            "body": message.template_data,
        }
    return {**entry, "to": _recipients(message.destinations), "subject": message.subject, "body": message.body}


def _recipients(destinations: Any) -> list[str]:
    if isinstance(destinations, dict):
        return [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destinations.get(key, [])]
    return [str(d) for d in destinations or []]


def _raw(raw: str | bytes, destinations: Any) -> dict[str, Any]:
    data = raw.encode() if isinstance(raw, str) else raw
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    body_part = parsed.get_body(preferencelist=("plain", "html"))
    body = body_part.get_content() if body_part is not None else ""
    attachments = [part.get_filename() or "attachment" for part in parsed.iter_attachments()]
    to = [a.strip() for a in str(parsed.get("To", "")).split(",") if a.strip()] or _recipients(destinations)
    return {"to": to, "subject": str(parsed.get("Subject", "")), "body": body, "attachments": attachments}
