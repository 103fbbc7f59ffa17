"""Proofs a person without a linked login gives to reach a record: a guest paying one invoice, or a customer
linking an account to their login. Pure rules.

- A postal code matches the one on file ignoring case, spaces and dashes; a 5-digit US ZIP matches the ZIP+4
  on file (people rarely know their +4) but not the other way round.
- An amount-due proof is the exact balance in minor units, and only for an invoice with something to pay
  (otherwise "0" would open every paid invoice).
- Comparisons run in constant time, so a wrong guess and an almost-right one cost the same.
"""

from __future__ import annotations

import hmac

from arportal.domain.models import Invoice


def normalise_postal_code(text: str | None) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def postal_code_matches(given: str, on_file: str | None) -> bool:
    wanted, stored = normalise_postal_code(given), normalise_postal_code(on_file)
    if not wanted or not stored:
        # Still compare, so that a record without a postal code answers as slowly as one with it.
        hmac.compare_digest(wanted.encode(), b"\x00" * len(wanted))
        return False
    exact = hmac.compare_digest(wanted.encode(), stored.encode())
    zip5 = len(wanted) == 5 and wanted.isdigit() and len(stored) == 9 and stored.isdigit()
    prefix = hmac.compare_digest(wanted.encode(), stored[:5].encode()) if zip5 else False
    return exact or prefix


def amount_due_matches(given: int, invoice: Invoice) -> bool:
    live = invoice.balance > 0 and not invoice.voided
    return hmac.compare_digest(str(given).encode(), str(invoice.balance).encode()) and live


def invoice_number_key(text: str) -> str:
    """Invoice numbers as people type them: case and surrounding spaces do not matter."""
    return text.strip().upper()


def mask_name(name: str) -> str:
    """``"Jane R. Doe"`` -> ``"J. R."``: enough for a payer to recognise the bill, too little to learn a name.

    The initials of the first two words; words not starting with a letter (``"&"``, ``"123"``) are skipped.
    """
    words = (part.strip(".,&-'\"()") for part in name.split())
    initials = [_capital(w[0]) + "." for w in words if w and w[0].isalpha()]
    return " ".join(initials[:2]) or "-"


def _capital(letter: str) -> str:
    upper = letter.upper()
    return upper if len(upper) == 1 else letter  # "ß".upper() is "SS": two letters would say more than one
