"""Staff search: any key a customer might read out, answered from an index in at most two reads; or the start
of any word of a name, or of an email address or phone number. Also the agency's departments by name, which staff
filter by.

Keys: read 1 is one query on the external-key index (it matches every kind of key at once, so an account number
that looks like an invoice number costs nothing extra). Read 2 is one batch read of the owning customers'
profiles and, for receipt and transaction hits, the payment itself, so the agent sees its status at once.

Prefixes: one query of the ByName index per contact detail searched (a name and an email address for a word,
one of them otherwise). The index entries carry the customer's brief, so no second read is needed. A query that
looks like a key but matches none, and looks like a phone number, is tried as a phone prefix (two reads).

A name matches from any of its words ("rivera" finds Jordan Rivera). Ranked: the whole name exactly, then names
that start with the query, then names with a later word that does, then email addresses; by name within each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from arportal.domain.models import Customer, Department
from arportal.domain.remittance_reference import customer_for
from arportal.domain.search import SearchKind, classify
from arportal.ports import DepartmentDirectory, LookupHit, LookupRepository, PrefixSearch, SearchReindexer

PREFIX_KINDS = frozenset({SearchKind.NAME, SearchKind.EMAIL, SearchKind.PHONE})
_PHONE_LIKE = re.compile(r"^\+?[0-9 ().-]*[0-9][0-9 ().-]*$")
_REFERENCE = re.compile(r"^RF[0-9]{2}[0-9A-Z]{4,21}$")
_BRIEF = ("customer_id", "kind", "name", "email", "phone")
# Read more index entries than are shown, so the ranking sees the whole names before the later-word matches that
# sort among them; one query still (DynamoDB's Limit is per page, far above this).
_PREFIX_READ = 50


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


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_LIKE.fullmatch(text)) and sum(ch.isdigit() for ch in text) >= 3


def prefix_kinds(text: str) -> list[SearchKind]:
    """Which contact details free text may be the start of."""
    if "@" in text:
        return [SearchKind.EMAIL]
    if looks_like_phone(text):
        return [SearchKind.PHONE]
    # "pat" may begin a name or an address ("pat.rivera@..."); a name with a space cannot begin an address.
    return [SearchKind.NAME] if " " in text else [SearchKind.NAME, SearchKind.EMAIL]


def search(
    repo: LookupRepository,
    query: str,
    *,
    kind: SearchKind | None = None,
    limit: int = 10,
    prefixes: PrefixSearch | None = None,
) -> SearchResult:
    text = query.strip()
    owner = _reference_owner(text) if kind in (None, SearchKind.CUSTOMER_ID) else None
    if owner is not None:
        # A remittance reference read off a wire is the customer's id with check digits: find them by the id. An
        # invoice number that happens to pass the check finds no customer and is searched as usual below.
        hits = repo.lookup(SearchKind.CUSTOMER_ID, owner, limit=limit)
        if hits:
            return _key_matches(repo, text, [SearchKind.CUSTOMER_ID], hits)
    kinds = [kind] if kind else _interpreted(text)
    if prefixes is not None and kinds[0] in PREFIX_KINDS:
        if kind is None:
            kinds = prefix_kinds(text)
        return SearchResult(text, kinds, _prefix_matches(prefixes, kinds, text, limit))
    if kinds == [SearchKind.NAME]:
        hits = repo.lookup(SearchKind.NAME, text, limit=limit)
    else:
        hits = repo.lookup(kind, text, limit=limit)
    if not hits:
        if kind is None and prefixes is not None and looks_like_phone(text):
            kinds = [*kinds, SearchKind.PHONE]
            return SearchResult(text, kinds, _prefix_matches(prefixes, [SearchKind.PHONE], text, limit))
        return SearchResult(text, kinds)
    return _key_matches(repo, text, kinds, hits)


def _key_matches(repo: LookupRepository, text: str, kinds: list[SearchKind], hits: list[LookupHit]) -> SearchResult:
    """Read 2: the owning customers and, for receipt and transaction hits, the payment itself."""
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


def _reference_owner(text: str) -> str | None:
    """The customer id an RF remittance reference stands for ("RF18 ABC1 23", any case); None for anything else."""
    compact = text.replace(" ", "").upper()
    return customer_for(compact) if _REFERENCE.fullmatch(compact) else None


def _interpreted(text: str) -> list[SearchKind]:
    kinds = classify(text)
    # Invoice numbers are the catch-all key pattern, which a single word ("smith") also fits; without a digit it
    # is a name, never a key anyone reads out.
    if kinds == [SearchKind.INVOICE_NUMBER] and not any(ch.isdigit() for ch in text):
        return [SearchKind.NAME]
    return kinds


def _prefix_matches(prefixes: PrefixSearch, kinds: list[SearchKind], text: str, limit: int) -> list[SearchMatch]:
    """One query per kind; ranked (``_rank``); a customer found more than once is listed once, at its best."""
    hits = [hit for kind in kinds for hit in prefixes.prefix_search(kind, text, limit=max(limit, _PREFIX_READ))]
    wanted = " ".join(text.lower().split())
    ranked = sorted(hits, key=lambda hit: _rank(hit, wanted))
    matches: list[SearchMatch] = []
    seen: set[str] = set()
    for hit in ranked:
        if hit.customer_id in seen:
            continue
        seen.add(str(hit.customer_id))
        matches.append(SearchMatch(hit=hit, customer=_brief(hit)))
    return matches[:limit]


def _rank(hit: LookupHit, wanted: str) -> tuple[int, str]:
    """0 the whole name is the query, 1 the name starts with it, 2 a later word does, 3 an email or phone."""
    name = str(hit.entity.get("name") or "")
    if hit.kind is not SearchKind.NAME:
        return 3, name.lower()
    if " ".join(name.lower().split()) == wanted:
        return 0, name.lower()
    return (1 if int(str(hit.entity.get("name_word") or 0)) == 0 else 2), name.lower()


def _brief(hit: LookupHit) -> Customer | None:
    """The customer as the index entry describes them (id, kind, name, email, phone): all a match shows."""
    try:
        return Customer.model_validate({k: hit.entity[k] for k in _BRIEF if hit.entity.get(k) is not None})
    except ValidationError:
        return None


def departments(directory: DepartmentDirectory, configured: Iterable[str] = ()) -> list[Department]:
    """The agency's departments by name, for staff to choose from: the department records, and any department the
    configuration names (chart of accounts, connected systems) without one, named from its code ("property_tax":
    "Property tax")."""
    named = {d.code: d for d in directory.departments()}
    for code in configured:
        if code not in named:
            named[code] = Department(code=code, name=code.replace("_", " ").capitalize())
    return sorted(named.values(), key=lambda d: d.name.lower())


REINDEX_PAGE_SIZE = 500  # index entries per scan page (profiles among them); a page's writes fit well in a second
REINDEX_PAGES = 200  # pages per invocation: about 100,000 profiles, well inside the jobs function's 900 s


@dataclass(frozen=True)
class ReindexReport:
    profiles: int
    reindexed: int
    cursor: str | None  # pass it back to go on; None: every profile has its pointers

    def as_dict(self) -> dict[str, object]:
        return {"profiles": self.profiles, "reindexed": self.reindexed, "cursor": self.cursor, "done": not self.cursor}


def reindex(
    reindexer: SearchReindexer,
    cursor: str | None = None,
    *,
    pages: int = REINDEX_PAGES,
    page_size: int = REINDEX_PAGE_SIZE,
) -> ReindexReport:
    """Give the profiles written before any-word search their pointers, ``pages`` pages at a time from ``cursor``.
    Safe to run again and beside live edits: a profile that has its pointers is left as it is."""
    profiles = reindexed = 0
    for _ in range(pages):
        page = reindexer.reindex_page(cursor, page_size=page_size)
        profiles, reindexed, cursor = profiles + page.profiles, reindexed + page.reindexed, page.cursor
        if cursor is None:
            break
    return ReindexReport(profiles, reindexed, cursor)
