"""Response models of presenting a returned ACH debit again (``routes/representments.py``)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from arportal.api.schemas import Out
from arportal.domain.representment import Representment
from arportal.services.representment import Represented
from staff_api.schemas_common import PaymentOut


class RepresentmentOut(Out):
    """Whether the debit may be presented again, and if not, why not (NACHA: R01/R09 only, three presentments in
    all, within 180 days of the first)."""

    payment_id: str
    allowed: bool
    reason: str
    return_code: str | None = Field(description="The NACHA return code that took the debit back (R01...)")
    return_reason: str | None
    presentments: int = Field(description="How many times the debit was presented so far (1: only the original)")
    max_presentments: int
    first_presented_on: date
    series_id: str = Field(description="The original debit's payment id: every presentment continues its series")
    presented_as: str | None = Field(description="The payment that presented it again already, if any")

    @classmethod
    def of(cls, payment_id: str, answer: Representment) -> RepresentmentOut:
        return cls(payment_id=payment_id, **answer.as_json())  # type: ignore[arg-type]


class RepresentedOut(Out):
    """201: the new presentment, a pending ACH debit of the same account for the same invoices."""

    original_payment_id: str
    presentment: int = Field(description="Which presentment this is: 2 or 3")
    payment: PaymentOut
    emailed_to: list[str]
    replayed: bool = Field(description="True: this presentment was made by an earlier request, nothing was debited")

    @classmethod
    def of(cls, done: Represented) -> RepresentedOut:
        return cls(
            original_payment_id=done.original.payment_id,
            presentment=done.answer.next_presentment,
            payment=PaymentOut.of(done.checkout.result.payment),
            emailed_to=list(done.checkout.delivery.emailed_to),
            replayed=done.checkout.result.replayed,
        )
