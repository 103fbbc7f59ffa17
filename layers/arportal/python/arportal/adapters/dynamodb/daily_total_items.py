"""Daily totals in the ledger table (``domain/daily_totals.py``): one item per currency and day, and one share item
per payment (what it last added to its day). Kept in the ledger table, not a table of their own: the share item
and the day's counters must change in one transaction with the condition on the share, and a second table would
add a table, its grants and its backups for ~365 small items a year; their writes reach the ledger's stream, which
every consumer filters to ``OUTBOX#`` items, so they trigger nothing.

    TOTALS#<currency>            DAY#<yyyy-mm-dd>   the day's counters, one Number attribute each (``c.<name>``),
                                                    ``discrepancies`` (a String Set of payment ids)
    TOTALS#INTERACTIONS          DAY#<yyyy-mm-dd>   interactions recorded that day, by kind (``c.int.<kind>``): added
                                                    in the transaction that writes each interaction, so a replayed
                                                    request (its key claimed) counts nothing again
    TOTALSHARE#<owner>#<payment> SHARE              the payment's version and the counters it added (a Map),
                                                    and those it added to other days (``elsewhere``, by day)

``<owner>`` is the customer id, or ``GUEST``. Counters are top-level attributes because DynamoDB's ADD works on
top-level attributes only: one ADD moves any set of counters at once and needs no item to exist first.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from arportal.adapters.dynamodb import codec
from arportal.domain.daily_totals import INTERACTION_PREFIX, Counters, Share

COUNTER = "c."
INTERACTIONS = "TOTALS#INTERACTIONS"
INTERACTION = INTERACTION_PREFIX  # an interaction counter's name: int.<kind>


def totals_key(currency: str, day: date) -> dict[str, str]:
    return {"PK": f"TOTALS#{currency}", "SK": f"DAY#{day.isoformat()}"}


def interactions_key(day: date) -> dict[str, str]:
    return {"PK": INTERACTIONS, "SK": f"DAY#{day.isoformat()}"}


def share_key(customer_id: str | None, payment_id: str) -> dict[str, str]:
    return {"PK": f"TOTALSHARE#{customer_id or 'GUEST'}#{payment_id}", "SK": "SHARE"}


def share_item(customer_id: str | None, payment_id: str, version: int, share: Share) -> dict[str, Any]:
    return {
        **share_key(customer_id, payment_id),
        "type": "total_share",
        "version": version,
        "day": share.day.isoformat(),
        "currency": share.currency,
        "counters": share.counters,
        "discrepancy": share.discrepancy,
        # Counters the payment added to other days (a retry's success on its series' first day).
        **({"elsewhere": {d.isoformat(): c for d, c in share.elsewhere.items()}} if share.elsewhere else {}),
    }


def share_of_item(item: dict[str, Any]) -> tuple[int, Share]:
    counters = {str(k): int(v) for k, v in item.get("counters", {}).items()}
    elsewhere = {
        date.fromisoformat(str(d)): {str(k): int(v) for k, v in c.items()} for d, c in item.get("elsewhere", {}).items()
    }
    share = Share(date.fromisoformat(item["day"]), item["currency"], counters, bool(item.get("discrepancy")), elsewhere)
    return int(item["version"]), share


def counters_update(
    currency: str, day: date, delta: Counters, *, payment_id: str, discrepancy: bool | None
) -> dict[str, Any] | None:
    """An Update moving the day's counters by ``delta`` and adding (True) or removing (False) the payment from
    the day's discrepancies; None if nothing moves."""
    names: dict[str, str] = {"#t": "type"}
    values: dict[str, Any] = {":t": {"S": "daily_totals"}}
    adds: list[str] = []
    for i, (name, value) in enumerate(delta.items()):
        names[f"#c{i}"] = COUNTER + name
        values[f":c{i}"] = codec.value(value)
        adds.append(f"#c{i} :c{i}")
    if discrepancy is not None:
        names["#d"] = "discrepancies"
        values[":d"] = {"SS": [payment_id]}
        if discrepancy:
            adds.append("#d :d")
    clauses = [f"ADD {', '.join(adds)}"] if adds else []
    if discrepancy is False:
        clauses.append("DELETE #d :d")
    if not clauses:
        return None
    return {
        "Key": codec.serialize(totals_key(currency, day)),
        "UpdateExpression": " ".join([*clauses, "SET #t = :t"]),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def counters_of_item(item: dict[str, Any]) -> tuple[date, Counters, list[str]]:
    counters = {k[len(COUNTER) :]: int(v) for k, v in item.items() if k.startswith(COUNTER) and int(v)}
    return date.fromisoformat(str(item["SK"])[4:]), counters, sorted(item.get("discrepancies", set()))


def interaction_counter(kind: str) -> str:
    """The attribute that counts one kind of interaction."""
    return f"{COUNTER}{INTERACTION}{kind}"


def interactions_update(day: date, counts: dict[str, int]) -> dict[str, Any]:
    """An Update adding ``counts`` (kind -> interactions) to the day's interaction counters."""
    names = {"#t": "type", **{f"#c{i}": interaction_counter(kind) for i, kind in enumerate(counts)}}
    values = {":t": {"S": "interaction_totals"}, **{f":c{i}": codec.value(n) for i, n in enumerate(counts.values())}}
    return {
        "Key": codec.serialize(interactions_key(day)),
        "UpdateExpression": f"ADD {', '.join(f'#c{i} :c{i}' for i in range(len(counts)))} SET #t = :t",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
