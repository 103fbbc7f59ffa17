"""The audit trail's tamper evidence: each entity's audit records form a hash chain.

Record n carries ``seq = n``, ``prev_hash`` (record n-1's hash, or ``GENESIS`` for the first) and
``hash = sha256(prev_hash || canonical(record))``. A head item keeps the last ``seq`` and ``hash``. So:
- altering any field of a record changes its hash, which no longer matches the next record's ``prev_hash``;
- removing a record leaves a gap in ``seq`` (or, if it was the last, a head that points past the end);
- reordering breaks both ``seq`` and the ``prev_hash`` links.
The head is written in the same transaction as the record, conditioned on the ``seq`` it extends, so two
writers can never fork a chain. Heads are exported daily to the Object Lock bucket, which anchors them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
HASHED_OUT = frozenset({"hash"})


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: every field but the hash itself, keys sorted, no whitespace."""
    body = {k: v for k, v in record.items() if k not in HASHED_OUT}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False).encode()


def chain_hash(prev_hash: str, record: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(record)).hexdigest()


def link(record: Mapping[str, Any], *, seq: int, prev_hash: str) -> dict[str, Any]:
    """``record`` as chain member ``seq`` after ``prev_hash``: returns it with seq, prev_hash and hash set."""
    linked = {**record, "seq": seq, "prev_hash": prev_hash}
    linked["hash"] = chain_hash(prev_hash, linked)
    return linked


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    records: int
    problems: list[str] = field(default_factory=list)


def verify(records: Sequence[Mapping[str, Any]], head: Head | None) -> Verification:
    """Check one entity's chain, records in ``seq`` order as stored."""
    problems: list[str] = []
    prev = GENESIS
    for expected_seq, record in enumerate(records, start=1):
        seq = record.get("seq")
        if seq != expected_seq:
            problems.append(f"record {expected_seq}: seq is {seq} (a record is missing or out of order)")
        if record.get("prev_hash") != prev:
            problems.append(f"record {expected_seq}: does not link to the record before it")
        if chain_hash(str(record.get("prev_hash")), record) != record.get("hash"):
            problems.append(f"record {expected_seq}: its contents do not match its hash (altered)")
        prev = str(record.get("hash"))
    if head is None:
        if records:
            problems.append("the chain has records but no head")
    elif head.seq != len(records) or (records and head.hash != prev):
        problems.append(f"the head says {head.seq} records ending in {head.hash[:12]}…; found {len(records)}")
    return Verification(not problems, len(records), problems)
