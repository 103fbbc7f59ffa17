"""Staff search: any key a customer might read out, answered from an index in at most two reads.

Read 1 is one query on the external-key index (it matches every kind of key at once, so an account number
that looks like an invoice number costs nothing extra). Read 2 is one batch read of the owning customers'
profiles and, for receipt and transaction hits, the payment itself, so the agent sees its status at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arportal.domain.models import Customer
from arportal.domain.search import SearchKind, classify
from arportal.ports import LookupHit, LookupRepository


@dataclass(frozen=True)
class SearchMatch:
    hit: LookupHit
    customer: Customer | None
    payment: dict[str, object] | None = None


@dataclass(frozen=True)
class SearchResult:
    query: str
    kinds: list[SearchKind]
    matches: list[SearchMatch] = field(default_factory=list)


def search(repo: LookupRepository, query: str, *, kind: SearchKind | None = None, limit: int = 10) -> SearchResult:
    text = query.strip()
    kinds = [kind] if kind else classify(text)
    if kinds == [SearchKind.NAME]:
        hits = repo.lookup(SearchKind.NAME, text, limit=limit)
    else:
        hits = repo.lookup(kind, text, limit=limit)
    if not hits:
        return SearchResult(text, kinds)
    owners = sorted({h.customer_id for h in hits if h.customer_id})
    payment_refs = [
        (h.customer_id, str(h.entity["payment_id"]))
        for h in hits
        if h.entity_type in {"receipt", "transaction"} and h.entity.get("payment_id")
    ]
    customers, payments = repo.customers_and_payments(owners, payment_refs)
    matches = [
        SearchMatch(
            hit=h,
            customer=customers.get(h.customer_id) if h.customer_id else None,
            payment=payments.get(str(h.entity.get("payment_id")))
            if h.entity_type in {"receipt", "transaction"}
            else None,
        )
        for h in hits
    ]
    return SearchResult(text, kinds, matches)
