"""Staff search: which kind of key a query is, so it can be answered from an index."""

from __future__ import annotations

import re
from enum import StrEnum

from arportal.domain.values import ACCOUNT_NUMBER_PATTERN, CUSTOMER_ID_PATTERN, INVOICE_NUMBER_PATTERN


class SearchKind(StrEnum):
    CUSTOMER_ID = "customer"
    ACCOUNT_NUMBER = "account"
    INVOICE_NUMBER = "invoice"
    RECEIPT_NUMBER = "receipt"
    TRANSACTION_ID = "transaction"
    PAYMENT_ID = "payment"
    NAME = "name"
    # Prefix searches over the profile's contact details (ByName pointer items), like NAME.
    EMAIL = "email"
    PHONE = "phone"


_PATTERNS: tuple[tuple[SearchKind, re.Pattern[str]], ...] = (
    (SearchKind.CUSTOMER_ID, re.compile(CUSTOMER_ID_PATTERN, re.I)),
    (SearchKind.RECEIPT_NUMBER, re.compile(r"^R-[0-9]{4}-[0-9A-Z]{6}$", re.I)),
    # Exactly what domain/ids.new_id makes (a ULID): a query is classified, so it need not take every PaymentId.
    (SearchKind.PAYMENT_ID, re.compile(r"^pay_[0-9A-Z]{26}$", re.I)),
    (SearchKind.TRANSACTION_ID, re.compile(r"^(txn|ch|pi|py|sbx)_[0-9A-Za-z]{6,}$")),
    (SearchKind.ACCOUNT_NUMBER, re.compile(ACCOUNT_NUMBER_PATTERN, re.I)),
    (SearchKind.INVOICE_NUMBER, re.compile(INVOICE_NUMBER_PATTERN, re.I)),
)


def classify(query: str) -> list[SearchKind]:
    """The key kinds ``query`` could be, most specific first; a free-text query is a name search.

    Account numbers and invoice numbers can look alike, so both are tried (each is one index query).
    """
    text = query.strip()
    kinds = [kind for kind, pattern in _PATTERNS if pattern.fullmatch(text)]
    return kinds or [SearchKind.NAME]
