"""Whether a returned ACH debit may be presented again, and what that presentment is (NACHA 2.12.4).

Only a debit returned for insufficient (R01) or uncollected (R09) funds may be presented again, at most twice after
the original (three presentments in all), within 180 days of the original: ``nacha_returns.may_represent``. A
presentment is a try of the series the original started (``Payment.series``, ``Payment.attempt``), so the second
presentment is attempt 2 of the original's series and the 180 days count from the series' first try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from arportal.domain import nacha_returns
from arportal.domain.models import Payment, PaymentMethodType
from arportal.domain.status import PaymentStatus

# A debit comes back either after it was posted (reversed) or before its bank settled it (failed).
RETURNED = frozenset({PaymentStatus.REVERSED, PaymentStatus.FAILED})


@dataclass(frozen=True)
class Representment:
    """The answer for one payment: may it be presented again, and if not, why not."""

    allowed: bool
    reason: str
    return_code: str | None
    presentments: int  # how many times the debit was presented so far (1: only the original)
    first_presented_on: date
    series_id: str  # the original's payment id: each presentment is a try of its series
    presented_as: str | None = None  # the payment that presented it again already, if any

    @property
    def key(self) -> str:
        """The next presentment's identity: one debit per series and number, whoever asks."""
        return f"{self.series_id}:{self.next_presentment}"

    @property
    def next_presentment(self) -> int:
        return self.presentments + 1

    def as_json(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "return_code": self.return_code,
            "return_reason": nacha_returns.reason(self.return_code) if self.return_code else None,
            "presentments": self.presentments,
            "max_presentments": nacha_returns.MAX_PRESENTMENTS,
            "first_presented_on": self.first_presented_on.isoformat(),
            "series_id": self.series_id,
            "presented_as": self.presented_as,
        }


def return_code(payment: Payment) -> str | None:
    """The NACHA code of the return that took this payment back (its last reversed or failed change)."""
    for change in reversed(payment.history):
        if change.status in RETURNED:
            return nacha_returns.code_in(change.note)
    return None


def first_presented_on(payment: Payment) -> date:
    return (payment.series.started_at if payment.series else payment.created_at).date()


def representment(payment: Payment, today: date) -> Representment:
    code = return_code(payment) if payment.status in RETURNED else None
    first = first_presented_on(payment)
    series_id = payment.series.series_id if payment.series else payment.payment_id

    def answer(allowed: bool, reason: str) -> Representment:
        return Representment(allowed, reason, code, payment.attempt, first, series_id)

    if payment.method.type is not PaymentMethodType.ACH or payment.transaction_id is None:
        return answer(False, "only an ACH debit taken through the processor can be presented again")
    if payment.status not in RETURNED:
        return answer(False, f"the debit is {payment.status.value}, not returned")
    if code not in nacha_returns.REPRESENTABLE:
        named = f"{code} ({nacha_returns.reason(code)})" if code else "a reason that is not R01 or R09"
        return answer(False, f"it was returned for {named}: only R01 and R09 returns may be presented again")
    if payment.attempt >= nacha_returns.MAX_PRESENTMENTS:
        return answer(False, f"it was presented {payment.attempt} times, the most the NACHA rules allow")
    if not nacha_returns.may_represent(code, payment.attempt, first, today):
        return answer(
            False, f"more than {nacha_returns.REPRESENT_WITHIN_DAYS} days have passed since it was first presented"
        )
    return answer(True, f"returned {code} ({nacha_returns.reason(code)}): presentment {payment.attempt + 1} of 3")
