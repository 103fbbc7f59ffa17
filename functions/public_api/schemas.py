"""Response models of the public API: a guest's invoice lookup, and the answer to a processor's webhook.

A guest payment answers with the models it shares with the portal's payment route (``arportal/api/pay.py``).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from arportal.api.schemas import MoneyOut, Out


class GuestInvoiceOut(Out):
    number: str
    due_date: date
    balance: MoneyOut
    department: str
    payee: str = Field(description="The payee's initials only, e.g. 'J. R.'")


class LookupOut(Out):
    guest_token: str = Field(description="Send as 'Authorization: Guest <token>' to pay this invoice")
    expires_at: datetime
    invoice: GuestInvoiceOut


class WebhookOut(Out):
    received: bool = True
    outcome: str = Field(description="applied, duplicate (applied before) or ignored")
    ignored: bool
    duplicate: bool
    payment_id: str | None
    status: str | None
    reason: str | None
