"""Document records in the customer's partition (``DOC#<document_id>``); the bytes live in S3.

Ownership is the key: every read names the caller's own partition, so another customer's document id finds
nothing rather than something to refuse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, customer_items, document_items, entity_items
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.errors import ConflictError
from arportal.domain.models import Document, DocumentKind
from arportal.ports import Page

_MAX_READS_PER_PAGE = 5  # with a type filter, a page may need a few reads to fill; bounded all the same


class DynamoDocuments:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def add(self, document: Document) -> None:
        with translated("record document"):
            client("dynamodb").put_item(
                TableName=self.table,
                Item=codec.serialize(entity_items.to_item(document)),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def get(self, customer_id: str, document_id: str) -> Document | None:
        with translated("get document"):
            response = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(document_items.document_key(customer_id, document_id))
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Document) if item else None

    def mark_read(self, customer_id: str, document_id: str, at: datetime) -> bool:
        # One conditional update: the first opening records read_at and takes the notice out of OpenItems (the
        # dashboard's unread count); a second opening, or two at once, fails the condition and changes nothing.
        try:
            with translated("mark document read"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(document_items.document_key(customer_id, document_id)),
                    UpdateExpression="SET read_at = :at REMOVE OPK, OSK",
                    ConditionExpression="attribute_exists(PK) AND attribute_not_exists(read_at)",
                    ExpressionAttributeValues=codec.serialize({":at": at.isoformat()}),
                )
        except ConflictError:
            return False
        return True

    def mark_stored(self, customer_id: str, document_id: str, size: int) -> bool:
        # Two first downloads at once both render; the file is stored once (S3's conditional put) and the size
        # recorded once: the loser's condition fails and it links the same file.
        try:
            with translated("record document size"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(document_items.document_key(customer_id, document_id)),
                    UpdateExpression="SET #size = :size",
                    ConditionExpression="attribute_exists(PK) AND #size = :none",
                    ExpressionAttributeNames={"#size": "size"},  # a reserved word
                    ExpressionAttributeValues=codec.serialize({":size": size, ":none": 0}),
                )
        except ConflictError:
            return False
        return True

    def list(
        self,
        customer_id: str,
        *,
        kind: DocumentKind | None,
        limit: int,
        start: dict[str, object] | None,
    ) -> Page[Document]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": codec.serialize(
                {":pk": customer_items.customer_pk(customer_id), ":prefix": document_items.DOCUMENT_PREFIX}
            ),
            "ScanIndexForward": False,  # document ids sort by creation time: newest first
            "Limit": limit,
        }
        if kind is not None:
            request["FilterExpression"] = "#kind = :kind"
            request["ExpressionAttributeNames"] = {"#kind": "kind"}
            request["ExpressionAttributeValues"][":kind"] = codec.value(kind.value)
        if start:
            request["ExclusiveStartKey"] = start
        found: list[Document] = []
        last_key: dict[str, Any] | None = None
        for _ in range(_MAX_READS_PER_PAGE):
            with translated("list documents"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                found.append(entity_items.from_item(codec.deserialize(raw), Document))
                if len(found) == limit:
                    # Stop at the item itself, so the next page starts right after it even mid-read.
                    return Page(found, {"PK": raw["PK"], "SK": raw["SK"]} if _more(response, raw) else None)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                break
            request["ExclusiveStartKey"] = last_key
        return Page(found, last_key)


def _more(response: dict[str, Any], raw: dict[str, Any]) -> bool:
    """Whether anything may follow ``raw``: more items in this response, or more pages after it."""
    return bool(response.get("LastEvaluatedKey")) or raw is not response.get("Items", [])[-1]
