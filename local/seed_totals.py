"""The seed's daily totals: the demo history is bulk-loaded without stream records (``moto_patches.import_items``),
so the aggregate builder never sees its payments. Their shares and day items are worked out here, in memory, by
the same rules (``domain/daily_totals.py``) and imported the same way, in well under a second; a rebuild through
the builder would run one transaction per payment, and moto copies the whole table in each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from arportal.adapters.dynamodb import daily_total_items, entity_items
from arportal.domain.daily_totals import fold, share_of
from arportal.domain.models import Allocation, Payment


def totals_items(items: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[tuple[str, date], set[str]]]:
    """The share item of every payment among ``items`` and the day items they sum to; and, apart, each day's
    discrepancies (a String Set, which the bulk import does not write)."""
    payments: list[Payment] = []
    allocations: dict[tuple[str | None, str], list[Allocation]] = defaultdict(list)
    for item in items:
        if item.get("type") == "payment":
            payments.append(entity_items.from_item(item, Payment))
        elif item.get("type") == "allocation":
            allocation = entity_items.from_item(item, Allocation)
            allocations[(allocation.customer_id, allocation.payment_id)].append(allocation)
    out: list[dict[str, Any]] = []
    per_day: dict[tuple[str, date], list[dict[str, int]]] = defaultdict(list)
    discrepancies: dict[tuple[str, date], set[str]] = defaultdict(set)
    for payment in payments:
        share = share_of(payment, allocations[(payment.customer_id, payment.payment_id)])
        out.append(daily_total_items.share_item(payment.customer_id, payment.payment_id, payment.version, share))
        per_day[(share.currency, share.day)].append(share.counters)
        if share.discrepancy:
            discrepancies[(share.currency, share.day)].add(payment.payment_id)
    for (currency, day), shares in sorted(per_day.items()):
        counters = {daily_total_items.COUNTER + name: value for name, value in fold(shares).items()}
        out.append({**daily_total_items.totals_key(currency, day), "type": "daily_totals", **counters})
    return out, dict(discrepancies)
