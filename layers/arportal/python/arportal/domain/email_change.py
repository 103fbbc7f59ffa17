"""Changing a customer's contact email: the new address must prove it receives mail before it is used.

Invariants:
- the code is six random digits, stored only as a salted SHA-256 hash, and compared in constant time;
- a pending change lives ``LIFETIME`` and allows ``MAX_ATTEMPTS`` wrong codes; then it is gone and the
  customer starts again (a new code to the new address);
- asking again replaces the pending change: only the latest code works.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

LIFETIME = timedelta(minutes=30)
MAX_ATTEMPTS = 5
CODE_DIGITS = 6


@dataclass(frozen=True)
class PendingEmailChange:
    customer_id: str
    new_email: str
    code_salt: str
    code_hash: str
    requested_at: datetime
    expires_at: datetime
    attempts: int = 0  # wrong codes so far


class CodeCheck(StrEnum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # every attempt of this code is used up: only a new code can confirm


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{code.strip()}".encode()).hexdigest()


def start(customer_id: str, new_email: str, code: str, *, now: datetime) -> PendingEmailChange:
    salt = secrets.token_hex(16)
    return PendingEmailChange(
        customer_id=customer_id,
        new_email=new_email,
        code_salt=salt,
        code_hash=hash_code(code, salt),
        requested_at=now,
        expires_at=now + LIFETIME,
    )


def check(pending: PendingEmailChange, code: str, *, now: datetime) -> CodeCheck:
    if now >= pending.expires_at:
        return CodeCheck.EXPIRED
    if pending.attempts >= MAX_ATTEMPTS:
        return CodeCheck.EXHAUSTED
    if hmac.compare_digest(hash_code(code, pending.code_salt), pending.code_hash):
        return CodeCheck.CONFIRMED
    return CodeCheck.WRONG


def attempts_left_after_wrong(pending: PendingEmailChange) -> int:
    return max(0, MAX_ATTEMPTS - pending.attempts - 1)
