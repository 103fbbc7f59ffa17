"""What one loaded record does to the ledger: created, updated, unchanged or rejected, decided before anything
is written. Pure: ``decide`` takes what was read and returns what to write.

Versions (``SourceRecord.version``), against the ``SourceState`` stored (``domain/source_identity.py``):
- none stored -> created (or updated, when the platform already holds the entity: it is adopted);
- older -> unchanged, reason ``stale`` (both versions reported);
- the same, same content -> unchanged (``same_version``); the same, other content -> rejected
  ``version_conflict``;
- newer -> updated; newer with the same content -> unchanged (``same_content``), and the newer version is still
  recorded (``VersionBump``), so an older version arriving after it is stale.

A record naming another customer than the one it was loaded under is refused (``customer_changed``): moving a
bill between customers is a staff decision, never a silent duplicate. What the entity becomes is
``domain/upsert_plans.py``'s (the platform's money stays the platform's).

Codes here: ``wrong_currency``, ``customer_changed``, ``document_date_changed``, ``version_conflict``; the plans
add theirs; the service adds ``duplicate_in_batch``, field errors (``domain/source_records.py``) and ``conflict``
(lost a race twice; retryable).
"""

from __future__ import annotations

from dataclasses import dataclass

from arportal.domain.models import CreditNote
from arportal.domain.source_identity import SourceState, entity_id_for, state_of
from arportal.domain.source_records import SourceRecord
from arportal.domain.upsert_plans import (
    Context,
    LoadedEntity,
    LoweredAmount,
    Outcome,
    References,
    Rejected,
    plan,
    reject,
)

__all__ = [
    "Context",
    "Decision",
    "LoadedEntity",
    "LoweredAmount",
    "Outcome",
    "References",
    "Rejected",
    "SourceState",
    "Unchanged",
    "Upsert",
    "VersionBump",
    "decide",
    "entity_id_for",
    "reject",
    "state_of",
]


@dataclass(frozen=True)
class Unchanged:
    reason: str  # stale | same_version
    stored_version: int
    outcome: Outcome = Outcome.UNCHANGED


@dataclass(frozen=True)
class VersionBump:
    """The same content under a newer version: only the state's version moves (the answer is unchanged)."""

    before_state: SourceState
    state: SourceState
    outcome: Outcome = Outcome.UNCHANGED
    reason: str = "same_content"


@dataclass(frozen=True)
class Upsert:
    """An entity to write: created, or updated from ``before`` (read together with ``before_state``)."""

    outcome: Outcome
    state: SourceState
    before_state: SourceState | None
    before: LoadedEntity | None
    after: LoadedEntity
    credit: CreditNote | None = None  # an invoice lowered below what was paid, where the agency allows it


Decision = Unchanged | Rejected | VersionBump | Upsert


def decide(
    record: SourceRecord,
    *,
    stored: SourceState | None,
    existing: LoadedEntity | None,
    references: References,
    context: Context,
    storage_key: str | None = None,
) -> Decision:
    """What ``record`` does, given the state stored for it, the entity as read and what it names."""
    currency = getattr(record, "currency", None)
    if currency is not None and currency != context.currency:
        return reject(
            "wrong_currency", f"this agency bills in {context.currency}", "currency", expected=context.currency
        )
    state = state_of(record)
    if stored is not None:
        moved = _moved(stored, state)
        if moved is not None:
            return moved
        if state.version < stored.version:
            return Unchanged("stale", stored.version)
        if state.version == stored.version:
            if state.content_hash == stored.content_hash:
                return Unchanged("same_version", stored.version)
            return reject(
                "version_conflict",
                "the stored record has this version with other content: send it with a higher version",
                "source_version",
                stored_version=stored.version,
                source_version=state.version,
            )
        if state.content_hash == stored.content_hash:
            return VersionBump(stored, state)
    planned = plan(record, existing, references, context, storage_key)
    if isinstance(planned, Rejected):
        return planned
    after, credit = planned
    outcome = Outcome.CREATED if existing is None else Outcome.UPDATED
    return Upsert(outcome, state, stored, existing, after, credit)


def _moved(stored: SourceState, state: SourceState) -> Rejected | None:
    if stored.customer_id != state.customer_id:
        return reject(
            "customer_changed",
            f"this record belongs to customer {stored.customer_id}: moving it to another customer is done in the "
            "staff console",
            "customer_id",
            stored_customer_id=stored.customer_id,
        )
    if stored.entity_id != state.entity_id:  # only a document's id can differ: it leads with document_date
        return reject(
            "document_date_changed",
            "a document's date cannot change once loaded: load the new document under a new document_id",
            "document_date",
        )
    return None
