"""Guest access: a payer without an account proves one invoice and gets a 15-minute token scoped to it.

``verify_guest_token`` is the contract other routes (the guest payment) rely on: it returns a ``GuestGrant``
or raises ``GuestTokenRefusedError`` (an ``UnauthorizedError``: 401 ``invalid_guest_token``), and never says why a
token was refused. The signing key is the route's to read (``arportal.wiring.guest_token_key``) and pass in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from arportal.domain import guest_tokens
from arportal.domain.errors import NotFoundError, UnauthorizedError
from arportal.domain.guest_access import amount_due_matches, invoice_number_key, mask_name, postal_code_matches
from arportal.domain.guest_tokens import GuestGrant, InvalidGuestTokenError
from arportal.domain.models import Customer, Invoice
from arportal.domain.rate_limits import GUEST_PER_CLIENT, GUEST_PER_INVOICE
from arportal.ports import GuestStore, RateCounter
from arportal.services import rate_limit

__all__ = ["GuestGrant", "GuestLookup", "GuestTokenRefusedError", "lookup", "verify_guest_token"]


class GuestTokenRefusedError(UnauthorizedError):
    """The one answer a refused guest token gets wherever it is presented: 401 ``invalid_guest_token``."""

    code = "invalid_guest_token"


REFUSED_MESSAGE = "this guest link has expired or is not valid; look the invoice up again"


def verify_guest_token(token: str, *, key: bytes, now: datetime) -> GuestGrant:
    """The invoice a guest token grants; ``GuestTokenRefusedError`` for any token that is not a live, untampered
    token signed with ``key`` (the agency's guest-token key)."""
    try:
        return guest_tokens.verify(token, key=key, now=now)
    except InvalidGuestTokenError as exc:
        raise GuestTokenRefusedError(REFUSED_MESSAGE) from exc


@dataclass(frozen=True)
class GuestLookup:
    token: str
    grant: GuestGrant
    invoice: Invoice
    payee: str  # masked: initials only


NOT_FOUND_MESSAGE = "no invoice matches those details; check the invoice number and the postal code or amount due"


def lookup(
    store: GuestStore,
    counter: RateCounter,
    *,
    invoice_number: str,
    postal_code: str | None,
    amount_due: int | None,
    client: str,
    now: datetime,
    key: bytes,
) -> GuestLookup:
    """A token for the invoice, if the proof matches what is on file.

    Every way of failing (no such invoice, voided, wrong postal code or amount) answers the same
    ``NotFoundError`` after the same reads and the same counting, so a guesser learns nothing about which
    invoice numbers exist. Failures count per invoice number and per client; a full window is a 429.
    """
    number = invoice_number_key(invoice_number)
    subjects = [(GUEST_PER_INVOICE, number), (GUEST_PER_CLIENT, client)]
    rate_limit.refuse_if_limited(
        counter, subjects, now=now, message="too many attempts; wait before looking this invoice up again"
    )
    invoice, owner = store.invoice_and_owner(number)
    proven = _proven(invoice, owner, postal_code=postal_code, amount_due=amount_due)
    if invoice is None or owner is None or not proven:
        rate_limit.count_failure(counter, subjects, now=now)
        raise NotFoundError(NOT_FOUND_MESSAGE)
    token, grant = guest_tokens.sign(invoice.invoice_id, invoice.invoice_number, invoice.customer_id, key=key, now=now)
    return GuestLookup(token, grant, invoice, mask_name(owner.name))


def _proven(
    invoice: Invoice | None, owner: Customer | None, *, postal_code: str | None, amount_due: int | None
) -> bool:
    # Both comparisons run whether or not there is an invoice, against a stand-in when there is none.
    stand_in = invoice is None or owner is None
    on_file = owner.address.postal_code if owner and owner.address else None
    by_postal = postal_code is not None and postal_code_matches(postal_code, on_file)
    by_amount = amount_due is not None and invoice is not None and amount_due_matches(amount_due, invoice)
    live = invoice is not None and not invoice.voided
    return not stand_in and live and (by_postal or by_amount)
