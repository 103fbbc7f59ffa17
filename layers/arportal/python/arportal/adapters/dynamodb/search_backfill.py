"""Giving every existing profile the search pointers a newer version writes (``search_items.search_pointers``).

Profiles written before staff search matched any word of a name have no ``SRCH#WORD#`` pointers, so staff could
not find them by surname until their profile changed. An operator runs the ``reindex_search`` job once after the
upgrade (docs/deploy.md). It reads the profiles from the ByName index (sparse: profiles and pointers only, never a
customer's history), asks in one BatchGetItem per page which of them lack their first word pointer, and writes the
pointers of those only, so a second run, or a run beside live edits, rewrites nothing that is already right.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, entity_items, search_items
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.search_pointers import pointer_requests
from arportal.adapters.dynamodb.tables import BY_NAME
from arportal.domain.models import Customer
from arportal.ports.staff import ReindexPage

_PROFILE_PARTITION = "NAME#"  # a profile's own ByName entry; pointers sit under WORD#, EMAIL#, PHONE#
_BATCH_GET = 100  # BatchGetItem's limit
_BATCH_WRITE = 25  # BatchWriteItem's limit


class DynamoSearchBackfill:
    def __init__(self, table: str) -> None:
        self._table = table

    def reindex_page(self, cursor: str | None, *, page_size: int) -> ReindexPage:
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": BY_NAME,
            "Limit": page_size,
            "FilterExpression": "begins_with(NPK, :profiles)",
            "ExpressionAttributeValues": {":profiles": {"S": _PROFILE_PARTITION}},
        }
        if cursor:
            params["ExclusiveStartKey"] = _decode(cursor)
        with translated("search reindex"):
            page = client("dynamodb").scan(**params)
        profiles = [entity_items.from_item(codec.deserialize(item), Customer) for item in page.get("Items", [])]
        missing = [c for c in profiles if c.customer_id in self._without_word_pointer(profiles)]
        self._write([request for customer in missing for request in pointer_requests(customer)])
        last = page.get("LastEvaluatedKey")
        return ReindexPage(profiles=len(profiles), reindexed=len(missing), cursor=_encode(last) if last else None)

    def _without_word_pointer(self, profiles: list[Customer]) -> set[str]:
        wanted = {c.customer_id for c in profiles if search_items.name_words(c.name)}
        found: set[str] = set()
        ids = sorted(wanted)
        for start in range(0, len(ids), _BATCH_GET):
            keys = [
                {"PK": customer_items.customer_pk(cid), "SK": search_items.WORD_POINTERS[0]}
                for cid in ids[start : start + _BATCH_GET]
            ]
            pending: dict[str, Any] = {
                self._table: {"Keys": [codec.serialize(k) for k in keys], "ProjectionExpression": "PK"}
            }
            while pending:
                with translated("search reindex"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self._table, []):
                    customer_id = customer_items.customer_id_from_pk(codec.deserialize(item)["PK"])
                    if customer_id:
                        found.add(customer_id)
                pending = response.get("UnprocessedKeys") or {}
        return wanted - found

    def _write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), _BATCH_WRITE):
            pending: dict[str, Any] = {self._table: requests[start : start + _BATCH_WRITE]}
            while pending:
                with translated("search reindex"):
                    response = client("dynamodb").batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}


def _encode(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def _decode(cursor: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError("the cursor is not one this job returned") from exc
    if not isinstance(key, dict):
        raise ValueError("the cursor is not one this job returned")
    return key
