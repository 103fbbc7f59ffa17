"""The request of taking a payment in the portal. Its answers (``PayOut``, ``QuoteOut``, the decline's details) are
shared with the guest payment: ``arportal/api/pay.py``.

Amounts are integers of minor units, strictly: ``"100"`` or ``100.0`` are refused rather than guessed at.
"""

from __future__ import annotations

from pydantic import Field

from arportal.api.pay import Method, Token
from arportal.api.schemas import In, StrictCents, StrictMinorAmount
from arportal.domain.values import AccountNumber, Currency, InvoiceId


class InvoicePart(In):
    invoice_id: InvoiceId
    amount: StrictCents


class PayIn(In):
    amount: StrictCents
    currency: Currency
    method: Method
    token: Token
    invoices: list[InvoicePart] | None = Field(
        default=None, min_length=1, max_length=80, description="Pay these invoices; otherwise oldest due first"
    )
    account_number: AccountNumber | None = Field(
        default=None, description="Pay one account's invoices, and hold any rest as credit on it"
    )
    expected_fee: StrictMinorAmount | None = Field(
        default=None, description="The convenience fee the payer was shown: a different fee is refused, never charged"
    )


__all__ = ["InvoicePart", "PayIn"]
