"""The read-back lists' cursors: a position in the event feed (``domain/event_feed``), opaque, and bound to its list.

A cursor names the list it belongs to (the events, or the payments that changed), so one list's cursor does not
resume another. A cursor that is not base64 JSON of that shape, names a position that is not one, or one later than
now (a page never ends past its horizon) is a 400 ``invalid_cursor``: it is not one the list gave out.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Literal

from arportal.api.errors import ApiError
from arportal.api.pagination import decode_cursor, encode_cursor
from arportal.domain.event_feed import START, may_resume, position_at

FeedList = Literal["events", "payments"]
_LIST, _AFTER = "list", "after"


def cursor_of(listed: FeedList, position: str) -> str:
    cursor = encode_cursor({_LIST: {"S": listed}, _AFTER: {"S": position}})
    assert cursor is not None  # a key with attributes always encodes
    return cursor


def start_of(
    listed: FeedList, cursor: str | None, since: datetime | None, *, now: datetime, names: tuple[str, str]
) -> str:
    """Where a page starts: the cursor's position; else just before ``since``; else before every event kept.
    ``names``: the query parameters that carry the cursor and the instant, for the error's ``details``."""
    cursor_name, since_name = names
    if cursor:
        return _position(listed, cursor, now, cursor_name)
    if since is None:
        return START
    if since.tzinfo is None or since > now:
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "give an instant with a time zone, not in the future",
            [{"field": f"query.{since_name}", "reason": "an instant with a time zone, not in the future"}],
        )
    return position_at(since)


def _position(listed: FeedList, cursor: str, now: datetime, name: str) -> str:
    try:
        key = decode_cursor(cursor, expected={_LIST: listed}) or {}
    except ApiError:  # answered below, naming this list's parameter
        key = {}
    position = key.get(_AFTER, {}).get("S") if set(key) == {_LIST, _AFTER} else None
    if not isinstance(position, str) or not may_resume(position, now):
        raise ApiError(
            HTTPStatus.BAD_REQUEST,
            "invalid_cursor",
            "the cursor is not one this list gave out; start again without it",
            [{"field": f"query.{name}", "reason": "not a cursor from this list"}],
        )
    return position
