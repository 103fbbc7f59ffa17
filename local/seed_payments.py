"""Payments of the demo agency: who paid what, when, how, and what became of it.

``Payer.portions_for`` turns an invoice's fate into the amounts paid on given days; ``Payer.pay`` groups them
into payments (one counter visit may settle several fees on one receipt) and writes each payment with its
allocations, receipt and transaction pointer, plus the declined attempts and refunded duplicates a real
ledger has.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from arportal.adapters.dynamodb import payment_items
from arportal.adapters.sandbox import transaction_id_for
from arportal.domain.models import (
    Account,
    Allocation,
    Channel,
    CreditApplication,
    CreditNote,
    Customer,
    Instalment,
    InstalmentStatus,
    MethodDetail,
    Payment,
    PaymentMethodType,
    Receipt,
    ReceiptLine,
    Schedule,
    ScheduleKind,
    StatusChange,
)
from arportal.domain.money import Money, allocate
from arportal.domain.status import PaymentStatus
from local.seed_bills import BY_CODE
from local.seed_source import credit_note_id

M, S = PaymentMethodType, PaymentStatus
STAFF = ("staff:agent@demo.local", "staff:supervisor@demo.local")
_SANDBOX_METHODS = {M.CARD, M.DEBIT, M.WALLET, M.ACH}


@dataclass
class Portion:
    draft: Any  # seed_data._Draft
    amount: int
    day: date
    channel: Channel | None = None  # None: the customer's usual way
    plan: tuple[str, int] | None = None  # (plan key, instalment index)


@dataclass
class _Plan:
    account: Account
    schedule_id: str
    created_day: date
    instalments: list[Instalment] = field(default_factory=list)


def at(rng: random.Random, day: date) -> datetime:
    """A time in Springfield's office hours (UTC-6): 14:00-23:59 UTC."""
    return datetime.combine(day, time(rng.randint(14, 23), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=UTC)


def credit_note(
    rng: random.Random,
    customer: Customer,
    account: Account,
    today: date,
    *,
    currency: str,
    numbers: Callable[[str, date], str],
    applied_to: Any = None,
) -> CreditNote:
    """Credit applied to one invoice (``applied_to``), or credit still waiting on the account. The note is the
    agency's (loaded through the door, numbered from ``numbers``); its applications are the platform's."""
    if applied_to is not None:
        issued = min(applied_to.bill.issue + timedelta(days=rng.randint(3, 15)), today - timedelta(days=1))
        reason = rng.choice(("Meter misread adjustment", "Billing correction", "Assessment appeal outcome"))
        amount = applied_to.credited
        applications = [
            CreditApplication(
                invoice_id=applied_to.invoice_id,
                invoice_number=applied_to.invoice_number,
                amount=amount,
                applied_at=at(rng, issued),
            )
        ]
    else:
        issued = today - timedelta(days=rng.randint(5, 120))
        reason = rng.choice(("Overbilling correction", "Leak adjustment credit", "Overpayment held as credit"))
        amount, applications = rng.randint(15, 250) * 100, []
    number = numbers("CN", issued)
    return CreditNote(
        credit_note_id=credit_note_id(number),
        number=number,
        customer_id=customer.customer_id,
        account_number=account.account_number,
        department=account.department,
        currency=currency,
        amount=amount,
        remaining=amount - sum(a.amount for a in applications),
        reason=reason,
        issued_on=issued,
        applications=applications,
    )


class Payer:
    def __init__(self, rng: random.Random, ids: Any, *, today: date, currency: str, out: Any) -> None:
        self.rng, self.ids, self.today, self.currency, self.out = rng, ids, today, currency, out
        self.yesterday = today - timedelta(days=1)
        self.drafts: list[Any] = []
        self._plans: dict[str, _Plan] = {}
        self._card: tuple[str, str] = ("visa", "4242")
        self._bank_last4 = "6789"

    def start_customer(self, customer: Customer, *, business: bool) -> None:
        rng = self.rng
        self._card = (rng.choice(("visa", "visa", "mastercard", "amex", "discover")), f"{rng.randint(0, 9999):04d}")
        self._bank_last4 = f"{rng.randint(0, 9999):04d}"
        self._plans = {}

    # --- when and how much ----------------------------------------------------------------------------------

    def portions_for(self, draft: Any, fate: str, *, autopay: Schedule | None) -> list[Portion]:
        rng, due, issue = self.rng, draft.bill.due, draft.bill.issue
        balance = draft.amount - draft.credited
        if fate in {"open", "overdue"}:
            return []
        if autopay is not None:
            return [Portion(draft, balance, due - timedelta(days=autopay.days_before_due), Channel.AUTOPAY)]
        if fate == "plan":
            return self._plan(draft, balance)
        early = issue + timedelta(days=max(1, (due - issue).days - rng.randint(0, 20)))
        day = due + timedelta(days=rng.randint(5, 40)) if fate == "late" else early
        day = min(max(day, issue + timedelta(days=1)), self.yesterday)
        if day < issue:  # issued today: nothing paid yet
            return []
        amount = balance if fate != "partial" else max(100, balance * rng.randint(30, 70) // 100)
        return [Portion(draft, amount, day)]

    def _plan(self, draft: Any, balance: int) -> list[Portion]:
        key = draft.invoice_id
        start = draft.bill.due + timedelta(days=15)
        plan = _Plan(draft.account, self.ids.new("sch", at(self.rng, start)), start)
        self._plans[key] = plan
        portions = []
        for index, part in enumerate(allocate(Money(balance, self.currency), [1] * 6)):
            due = start + timedelta(days=30 * index)
            plan.instalments.append(Instalment(due_date=due, amount=part.minor))
            if due <= self.yesterday:
                portions.append(Portion(draft, part.minor, due, Channel.AUTOPAY, (key, index)))
        return portions

    # --- payments -------------------------------------------------------------------------------------------

    def pay(self, customer: Customer, portions: list[Portion]) -> None:
        rng = self.rng
        queue = sorted(portions, key=lambda p: (p.day, p.draft.invoice_number))
        while queue:
            group = [queue.pop(0)]
            # A counter visit often settles several bills at once: one payment, one receipt, several lines.
            while (
                queue
                and group[0].channel is None
                and queue[0].channel is None
                and rng.random() < 0.25
                and (queue[0].day - group[0].day).days <= 10
            ):
                group.append(queue.pop(0))
            channel = group[0].channel or (Channel.COUNTER if len(group) > 1 else self._channel())
            day = max(p.day for p in group)
            method = self._method(channel)
            if channel in {Channel.PORTAL, Channel.AUTOPAY} and rng.random() < 0.03:
                self._declined(customer, sum(p.amount for p in group), day - timedelta(days=rng.randint(1, 3)), channel)
            payment = self._payment(customer, group, day, channel, method)
            for portion in group:
                if portion.plan is not None:
                    plan = self._plans[portion.plan[0]]
                    plan.instalments[portion.plan[1]] = plan.instalments[portion.plan[1]].model_copy(
                        update={"status": InstalmentStatus.PAID, "payment_id": payment.payment_id}
                    )
            if channel is Channel.PORTAL and rng.random() < 0.015 and day + timedelta(days=6) <= self.yesterday:
                self._refunded_duplicate(customer, payment)
        for plan in self._plans.values():
            self.out.records.append(
                Schedule(
                    schedule_id=plan.schedule_id,
                    customer_id=customer.customer_id,
                    kind=ScheduleKind.PLAN,
                    account_number=plan.account.account_number,
                    payment_method_id=f"pm_sbx_{rng.getrandbits(40):010x}",
                    currency=self.currency,
                    instalments=plan.instalments,
                    active=any(i.status is InstalmentStatus.SCHEDULED for i in plan.instalments),
                    created_at=at(rng, plan.created_day - timedelta(days=5)),
                )
            )

    def _channel(self) -> Channel:
        return self.rng.choices((Channel.PORTAL, Channel.PHONE, Channel.COUNTER), weights=(60, 15, 25))[0]

    def _method(self, channel: Channel) -> MethodDetail:
        rng = self.rng
        if channel is Channel.COUNTER:
            kind = rng.choices((M.CASH, M.CHEQUE, M.CARD, M.DEBIT), weights=(35, 30, 25, 10))[0]
        elif channel is Channel.PHONE:
            kind = M.CARD
        else:
            kind = rng.choices((M.CARD, M.ACH, M.DEBIT, M.WALLET), weights=(55, 30, 10, 5))[0]
        if kind in {M.CARD, M.DEBIT}:
            return MethodDetail(type=kind, brand=self._card[0], last4=self._card[1])
        if kind is M.WALLET:
            return MethodDetail(type=kind, brand=self._card[0], last4=self._card[1], wallet="apple_pay")
        if kind is M.ACH:
            return MethodDetail(type=kind, last4=self._bank_last4)
        if kind is M.CHEQUE:
            return MethodDetail(type=kind, cheque_number=str(rng.randint(1001, 9999)))
        return MethodDetail(type=kind)

    def _history(self, method: MethodDetail, created: datetime, by: str) -> list[StatusChange]:
        """Card payments post at once and settle two days later; ACH is pending three days; cash settles with
        the next day's deposit. Nothing happens after yesterday."""
        days = (self.today - created.date()).days
        if method.type is M.ACH:
            steps = [(S.PENDING, 0), (S.POSTED, 3), (S.SETTLED, 4)]
        elif method.type in {M.CASH, M.CHEQUE}:
            steps = [(S.POSTED, 0), (S.SETTLED, 1)]
        else:
            steps = [(S.POSTED, 0), (S.SETTLED, 2)]
        return [
            StatusChange(status=status, at=created + timedelta(days=offset), by=by if offset == 0 else "processor")
            for status, offset in steps
            if offset == 0 or offset < days
        ]

    def _payment(
        self, customer: Customer, group: list[Portion], day: date, channel: Channel, method: MethodDetail
    ) -> Payment:
        rng = self.rng
        created = at(rng, day)
        payment_id = self.ids.new("pay", created)
        staff = channel in {Channel.COUNTER, Channel.PHONE}
        by = rng.choice(STAFF) if staff else ("system" if channel is Channel.AUTOPAY else "customer")
        sandbox = method.type in _SANDBOX_METHODS
        history = self._history(method, created, by)
        receipt_number = self.ids.reference("R", created)
        payment = Payment(
            payment_id=payment_id,
            customer_id=customer.customer_id,
            amount=sum(p.amount for p in group),
            currency=self.currency,
            method=method,
            channel=channel,
            status=history[-1].status,
            history=history,
            terminal_id=f"CTR-{rng.randint(1, 3)}" if channel is Channel.COUNTER else None,
            drawer_id=f"DRW-{rng.randint(1, 6)}" if channel is Channel.COUNTER else None,
            departments=sorted({p.draft.account.department for p in group}),
            processor="sandbox" if sandbox else "manual",
            transaction_id=transaction_id_for(payment_id) if sandbox else None,
            receipt_number=receipt_number,
            taken_by=by if staff else None,
            created_at=created,
        )
        lines = []
        for portion in group:
            portion.draft.paid += portion.amount
            account = portion.draft.account
            self.out.records.append(
                Allocation(
                    payment_id=payment_id,
                    invoice_id=portion.draft.invoice_id,
                    invoice_number=portion.draft.invoice_number,
                    customer_id=customer.customer_id,
                    account_number=account.account_number,
                    department=account.department,
                    amount=portion.amount,
                    currency=self.currency,
                    applied_at=created,
                )
            )
            lines.append(
                ReceiptLine(
                    description=f"{BY_CODE[account.department].name}: invoice {portion.draft.invoice_number}",
                    invoice_number=portion.draft.invoice_number,
                    department=account.department,
                    amount=portion.amount,
                )
            )
        self._record(payment, lines)
        return payment

    def _record(self, payment: Payment, lines: list[ReceiptLine]) -> None:
        self.out.records.append(payment)
        if payment.receipt_number:
            self.out.records.append(
                Receipt(
                    receipt_number=payment.receipt_number,
                    payment_id=payment.payment_id,
                    customer_id=payment.customer_id,
                    issued_at=payment.created_at,
                    currency=payment.currency,
                    lines=lines,
                    total=payment.amount + payment.fee_amount,
                )
            )
        pointer = payment_items.transaction_pointer(payment)
        if pointer is not None:
            self.out.pointers.append(pointer)

    def _declined(self, customer: Customer, amount: int, day: date, channel: Channel) -> None:
        created = at(self.rng, day)
        code = self.rng.choice(("insufficient_funds", "card_declined", "expired_card"))
        payment = Payment(
            payment_id=self.ids.new("pay", created),
            customer_id=customer.customer_id,
            amount=amount,
            currency=self.currency,
            method=MethodDetail(type=M.CARD, brand=self._card[0], last4=self._card[1]),
            channel=channel,
            status=S.FAILED,
            history=[StatusChange(status=S.FAILED, at=created, by="processor", note=code)],
            processor="sandbox",
            created_at=created,
        )
        self._record(payment, [])

    def _refunded_duplicate(self, customer: Customer, original: Payment) -> None:
        """The customer paid the same bill twice; the second payment sat as credit until staff refunded it."""
        created = original.created_at + timedelta(minutes=self.rng.randint(2, 30))
        refunded_at = created + timedelta(days=self.rng.randint(3, 5))
        payment = original.model_copy(
            update={
                "payment_id": self.ids.new("pay", created),
                "status": S.REFUNDED,
                "history": [
                    StatusChange(status=S.POSTED, at=created, by="customer"),
                    StatusChange(status=S.SETTLED, at=created + timedelta(days=2), by="processor"),
                    StatusChange(
                        status=S.REFUNDED, at=refunded_at, by=STAFF[1], note="duplicate payment", amount=original.amount
                    ),
                ],
                "refunded": original.amount,
                # Nothing was open to pay: all of it was held as credit until the refund took it back (the hold,
                # emptied, is gone, as the ledger deletes it).
                "unapplied": original.amount,
                "receipt_number": self.ids.reference("R", created),
                "created_at": created,
            }
        )
        payment = payment.model_copy(update={"transaction_id": transaction_id_for(payment.payment_id)})
        self._record(payment, [ReceiptLine(description="Credit on account", amount=payment.amount)])
