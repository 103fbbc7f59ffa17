"""Opaque cursors for list routes: the client passes back what it was given, nothing it can forge usefully.

A cursor is DynamoDB's ``LastEvaluatedKey``, bound to the partition it came from: decoding checks that the key
belongs to the caller's own partition (``expected``), so a cursor crafted to start inside another customer's
records is a 400, not a read. Limits are bounded so no route can be asked for an unbounded page.
"""

from __future__ import annotations

import base64
import binascii
import json
from http import HTTPStatus
from typing import Any

from arportal.api.errors import ApiError

DEFAULT_PAGE = 25
MAX_PAGE = 100


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, expected: dict[str, str]) -> dict[str, Any] | None:
    """``expected`` maps key attributes to the values the cursor must carry (e.g. ``{"PK": {"S": "CUST#..."}}``)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as exc:
        raise _bad_cursor() from exc
    if not isinstance(key, dict) or not all(isinstance(v, dict) and len(v) == 1 for v in key.values()):
        raise _bad_cursor()
    for name, value in expected.items():
        if key.get(name) != {"S": value}:
            raise _bad_cursor()
    return key


def _bad_cursor() -> ApiError:
    return ApiError(
        HTTPStatus.BAD_REQUEST,
        "invalid_cursor",
        "the cursor is not one this list gave out; start again without it",
        [{"field": "cursor", "reason": "not a cursor from this list"}],
    )
