"""Response models of the staff console API."""

from __future__ import annotations

from typing import Any

from arportal.api.schemas import Out
from arportal.domain.models import Customer
from arportal.services.search import SearchMatch, SearchResult


class CustomerBriefOut(Out):
    customer_id: str
    name: str
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, c: Customer) -> CustomerBriefOut:
        return cls(customer_id=c.customer_id, name=c.name, email=c.email, phone=c.phone)


class MatchOut(Out):
    kind: str
    entity_type: str
    entity_id: str
    customer: CustomerBriefOut | None
    record: dict[str, Any]
    payment: dict[str, Any] | None

    @classmethod
    def of(cls, m: SearchMatch) -> MatchOut:
        return cls(
            kind=m.hit.kind.value,
            entity_type=m.hit.entity_type,
            entity_id=m.hit.entity_id,
            customer=CustomerBriefOut.of(m.customer) if m.customer else None,
            record=m.hit.entity,
            payment=m.payment,
        )


class SearchOut(Out):
    query: str
    interpreted_as: list[str]
    matches: list[MatchOut]

    @classmethod
    def of(cls, r: SearchResult) -> SearchOut:
        return cls(
            query=r.query, interpreted_as=[k.value for k in r.kinds], matches=[MatchOut.of(m) for m in r.matches]
        )


class VerificationOut(Out):
    ok: bool
    records: int
    problems: list[str]


class AuditOut(Out):
    entity_type: str
    entity_id: str
    records: list[dict[str, Any]]
    verification: VerificationOut
