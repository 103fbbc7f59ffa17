"""The payer names staff taught the matcher: each confirmed or split decision in the unmatched queue says "this name
pays for this customer", and the next file's match book gives the customer that name as an alias
(``KnownPayer.aliases``), so the same payer scores higher next time.

    PAYERALIAS#<name key>   CUST#<customer_id>   name (as the bank wrote it last), customer_id, count, last_at

The name key is the matcher's own (``domain/bank_matching_index.name_key``: capitals, words only, legal suffixes
dropped), so "ACME Water Co." and "Acme water company" are one alias. A name may stand for several customers (a
property manager paying for many); each is counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec
from arportal.adapters.dynamodb.errors import translated
from arportal.domain.bank_matching_index import name_key

ALIAS_PREFIX = "PAYERALIAS#"


def alias_pk(name: str) -> str:
    return f"{ALIAS_PREFIX}{name_key(name)}"


class DynamoPayerAliases:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def learn(self, name: str, customer_id: str, *, at: datetime) -> None:
        if not name_key(name):
            return  # nothing of the name is left to match on
        with translated("learn a payer alias"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize({"PK": alias_pk(name), "SK": f"CUST#{customer_id}"}),
                UpdateExpression="SET #type = :type, #name = :name, customer_id = :customer, last_at = :at "
                "ADD #count :one",
                ExpressionAttributeNames={"#type": "type", "#name": "name", "#count": "count"},
                ExpressionAttributeValues=codec.serialize(
                    {":type": "payer_alias", ":name": name, ":customer": customer_id, ":at": at.isoformat(), ":one": 1}
                ),
            )

    def aliases(self, names: Iterable[str] = ()) -> dict[str, tuple[str, ...]]:
        return aliases_for(self.table, names)


def aliases_for(table: str, names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """customer id -> the names (as the bank wrote them) staff confirmed it pays under, for the payer names of the
    lines at hand: one query per distinct name key, never a scan (for the import's match book loader)."""
    found: dict[str, list[str]] = {}
    for key in sorted({name_key(n) for n in names if n and name_key(n)}):
        with translated("read payer aliases"):
            response = client("dynamodb").query(
                TableName=table,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": {"S": f"{ALIAS_PREFIX}{key}"}},
            )
        for raw in response.get("Items", []):
            item = codec.deserialize(raw)
            found.setdefault(str(item["customer_id"]), []).append(str(item["name"]))
    return {customer: tuple(dict.fromkeys(names)) for customer, names in found.items()}
