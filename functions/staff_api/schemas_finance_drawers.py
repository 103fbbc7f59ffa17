"""Request and response models of the drawer close-out (``routes/finance_drawers.py``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from arportal.api.schemas import In, Out, StrictCents, StrictMinorAmount
from arportal.domain.drawer_close import CASH, CHEQUE, ChequeCounted, DrawerClose, DrawerCount
from arportal.domain.values import Currency

TERMINAL_ID = r"^[A-Za-z0-9._\-]{1,64}$"
DrawerId = Annotated[str, StringConstraints(pattern=TERMINAL_ID)]


class CountedIn(In):
    cash: StrictMinorAmount = Field(description="Cash counted, minor units")
    cheque: StrictMinorAmount = Field(description="Cheques counted, minor units")


class ChequeIn(In):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,32}$")] | None = None
    amount: StrictCents


class DrawerCloseIn(In):
    drawer_id: DrawerId
    currency: Currency
    counted: CountedIn
    cheques: list[ChequeIn] | None = Field(
        default=None,
        max_length=500,
        description="The cheques counted, one by one (they add up to counted.cheque); left out, the slip lists "
        "the cheques of the payments taken, which the cheque total must then equal",
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = Field(
        default=None, description="Why the count is over or short (required when it is)"
    )

    def count(self) -> DrawerCount:
        cheques = tuple(ChequeCounted(c.amount, c.number) for c in self.cheques) if self.cheques is not None else None
        return DrawerCount(self.currency, self.counted.cash, self.counted.cheque, cheques, self.note)


class ByMethodOut(Out):
    cash: int
    cheque: int
    total: int

    @classmethod
    def of(cls, amounts: dict[str, int]) -> ByMethodOut:
        return cls(cash=amounts[CASH], cheque=amounts[CHEQUE], total=amounts[CASH] + amounts[CHEQUE])


class TakenPaymentOut(Out):
    payment_id: str
    method: str
    amount: int = Field(description="What it left in the drawer: received less voided or refunded")
    cheque_number: str | None


class ChequeOut(Out):
    number: str | None
    amount: int


class DrawerCloseOut(Out):
    deposit_id: str = Field(description="The deposit batch (dep_...): also the close's id")
    terminal_id: str
    drawer_id: str
    currency: str
    period_from: datetime | None = Field(description="The previous close's time; null for the drawer's first close")
    through: datetime
    business_date: date = Field(description="The deposit's expected date")
    expected: ByMethodOut = Field(description="What the drawer took, per method")
    counted: ByMethodOut
    over_short: ByMethodOut = Field(description="Counted less expected: positive over, negative short")
    note: str | None
    payment_count: int
    payments: list[TakenPaymentOut]
    cheques: list[ChequeOut] = Field(description="The cheques on the slip")
    closed_by: str
    closed_at: datetime
    slip_url: str = Field(description="GET it for a short-lived link to the deposit slip (PDF)")
    replayed: bool = Field(description="True: this drawer's period was closed already with this count")

    @classmethod
    def of(cls, close: DrawerClose, *, replayed: bool) -> DrawerCloseOut:
        return cls(
            deposit_id=close.deposit_id, terminal_id=close.terminal_id, drawer_id=close.drawer_id,
            currency=close.currency, period_from=close.period_from, through=close.through,
            business_date=close.business_date, expected=ByMethodOut.of(close.expected),
            counted=ByMethodOut.of(close.counted), over_short=ByMethodOut.of(close.over_short), note=close.note,
            payment_count=len(close.payments),
            payments=[TakenPaymentOut(payment_id=p.payment_id, method=p.method, amount=p.in_drawer,
                                      cheque_number=p.cheque_number) for p in close.payments],
            cheques=[ChequeOut(number=c.number, amount=c.amount) for c in close.cheques],
            closed_by=close.closed_by, closed_at=close.closed_at,
            slip_url=f"/v1/staff/finance/deposits/{close.deposit_id}/slip", replayed=replayed,
        )  # fmt: skip


class DepositSlipOut(Out):
    deposit_id: str
    url: str = Field(description="A short-lived link to the slip (PDF)")
    expires_at: datetime
