"""Identifiers: sortable by creation time, so a partition's items read back in the order they happened."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from arportal import clock
from arportal.domain.cards import looks_like_card_number

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def new_id(prefix: str, *, now_ms: int | None = None) -> str:
    """``pay_01JD3...``: a prefix naming the entity and a ULID (48-bit time, 80 random bits)."""
    millis = clock.now_ms() if now_ms is None else now_ms
    while True:
        # Never an id the card-number guard would refuse: a path, a body or a log naming it must pass the guard
        # (a run of digits across the time and random parts can pass Luhn by chance; drawing again is cheap).
        identifier = f"{prefix}_{_encode(millis, 10)}{_encode(secrets.randbits(80), 16)}"
        if not looks_like_card_number(identifier):
            return identifier


def new_reference(prefix: str, *, now_ms: int | None = None) -> str:
    """A short reference a person can read out on the phone: ``R-2611-7K3M9Q``."""
    millis = clock.now_ms() if now_ms is None else now_ms
    stamp = datetime.fromtimestamp(millis / 1000, UTC).strftime("%y%m")
    return f"{prefix}-{stamp}-{_encode(secrets.randbits(30), 6)}"


def id_millis(identifier: str) -> int | None:
    """The creation time (ms since the epoch) a ``new_id`` carries; None for an id not made by it."""
    _, _, ulid = identifier.rpartition("_")
    if len(ulid) != 26 or any(c not in _ALPHABET for c in ulid[:10]):
        return None
    millis = 0
    for char in ulid[:10]:
        millis = millis * 32 + _ALPHABET.index(char)
    return millis
