"""Applying a bank line whose match is decided (by the matcher above its threshold, or by staff in the queue).

- **deposit**: the expected deposit (a processor payout, a counter deposit) becomes ``deposited`` with the bank line
  recorded on it (one deposited by hand keeps who confirmed it and gains the line); the payment trail's bank line
  stage reads it from there.
- **invoices / account credit**: a payment of channel ``bank`` (method ``wire``, ``ach_credit``, or ``cheque`` for a
  lockbox line) for the line's amount, through ``services/payments.py`` like every other payment: allocation, the
  rest held as credit, receipt, outbox event and audit in one transaction. No processor is involved (the money is
  in the bank); its transaction id is the line key.
- **return**: the original ACH debit is reversed as a processor's return report would reverse it
  (``services/payment_status.py``: invoices reopened, credit taken back, ``payment.reversed`` published, the payer
  emailed), by ``system:bank-files`` with the return reason and without an approval: the bank has taken the money
  back already. The return is counted for the return-rate monitor; an R01/R09 inside the NACHA limits is marked
  ``representable`` (staff may present the debit again; nothing is debited automatically).

Each is idempotent by the line key, so a crash and a retry, or the same line in a prior-day and a current-day file,
applies it once: the payment's Idempotency-Key is the line key, the deposit's bank line is a conditional write,
the reversal is guarded by the line key as its event id and the return counted once per line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import cast

from arportal.domain.bank_accounts import BankAccount
from arportal.domain.bank_matches import Allocation, Candidate, LineMatch, MatchOutcome, MatchTarget
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent, Channel, PaymentMethodType
from arportal.domain.nacha_returns import return_note
from arportal.ports import (
    ChargeRequest,
    ChargeResult,
    DailyTotalsStore,
    FinanceStore,
    PaymentPosting,
    PaymentProcessor,
    PaymentStatusReader,
    PaymentStatusStore,
    ProcessorEvent,
    RecordedReturn,
    RefundResult,
    ReturnCounts,
    ReturnRateAlerts,
)
from arportal.services import return_rates
from arportal.services.payment_status import EventOutcome, handle_processor_event
from arportal.services.payments import PayCommand, PaymentsConfig, pay
from arportal.services.receipts import ReceiptServices, confirm_scheduled

logger = logging.getLogger("arportal.bank_application")
ACTOR = "system:bank-files"
SCOPE = "bank-files"  # the payments' idempotency scope: their keys are line keys
RETURNS_PROCESSOR = "bank-files"  # the guard of a return's reversal: (this, line key)
_METHOD_OF = {
    LineKind.WIRE: PaymentMethodType.WIRE,
    LineKind.LOCKBOX: PaymentMethodType.CHEQUE,
    LineKind.BRANCH_DEPOSIT: PaymentMethodType.CHEQUE,
}


class Applied(StrEnum):
    APPLIED = "applied"
    ALREADY = "already_applied"  # the line was applied before (a retry, or the line again in another file)
    REFUSED = "refused"  # the ledger refused it (a currency the agency does not take, a payment gone): for staff


@dataclass(frozen=True)
class AppliedLine:
    line_key: str
    target: MatchTarget
    outcome: Applied
    deposit_ids: tuple[str, ...] = ()
    payment_ids: tuple[str, ...] = ()
    reversed_payment_id: str | None = None
    return_code: str | None = None
    representable: bool = False
    note: str = ""
    problems: tuple[str, ...] = ()  # what failed after the money was applied (a receipt not sent...)

    def as_record(self) -> dict[str, object]:
        return {
            "target": self.target.value, "outcome": self.outcome.value, "deposit_ids": list(self.deposit_ids),
            "payment_ids": list(self.payment_ids), "reversed_payment_id": self.reversed_payment_id,
            "return_code": self.return_code, "representable": self.representable, "note": self.note,
        }  # fmt: skip


@dataclass(frozen=True)
class BankApplication:
    """What applying a line needs: the deposits, the payment ledger, the status changes of a return, the receipts
    and the return counts."""

    finance: FinanceStore
    ledger: PaymentPosting
    payments: PaymentsConfig
    statuses: PaymentStatusStore
    payment_reads: PaymentStatusReader
    receipts: ReceiptServices | None
    returns: ReturnCounts
    totals: DailyTotalsStore
    alerts: ReturnRateAlerts


def apply(
    match: LineMatch, line: BankLine, *, file_id: str, account: BankAccount, now: datetime, services: BankApplication
) -> AppliedLine:
    """Apply a MATCHED line's best candidate (the queue's decisions call ``apply_candidate``)."""
    if match.outcome is not MatchOutcome.MATCHED or match.best is None:
        raise BusinessRuleError(f"bank line {line.line_key} is {match.outcome.value}: only a matched line is applied")
    return apply_candidate(match.best, line, file_id=file_id, account=account, now=now, services=services)


def apply_candidate(
    candidate: Candidate,
    line: BankLine,
    *,
    file_id: str,
    account: BankAccount,
    now: datetime,
    services: BankApplication,
    actor: str = ACTOR,
    credit_customer: str | None = None,
) -> AppliedLine:
    try:
        if candidate.target is MatchTarget.DEPOSIT:
            return _deposit(candidate, line, file_id=file_id, account=account, now=now, services=services, actor=actor)
        if candidate.target in {MatchTarget.INVOICES, MatchTarget.ACCOUNT_CREDIT}:
            return _payments(candidate, line, now=now, services=services, actor=actor, credit_customer=credit_customer)
        if candidate.target is MatchTarget.RETURN:
            return _return(candidate, line, now, services)
    except (BusinessRuleError, NotFoundError) as exc:
        logger.warning("bank line %s was not applied: %s", line.line_key, exc)
        return AppliedLine(line.line_key, candidate.target, Applied.REFUSED, note=str(exc))
    raise BusinessRuleError(f"bank line {line.line_key}: nothing to apply for {candidate.target.value}")


def _deposit(
    candidate: Candidate,
    line: BankLine,
    *,
    file_id: str,
    account: BankAccount,
    now: datetime,
    services: BankApplication,
    actor: str,
) -> AppliedLine:
    ids = candidate.deposit_ids or ((candidate.deposit_id,) if candidate.deposit_id else ())
    if not ids:
        raise BusinessRuleError("a deposit match names no deposit")
    recorded = 0
    for deposit_id in ids:
        found = services.finance.payout(deposit_id)
        if found is None:
            raise NotFoundError(f"no deposit {deposit_id}")
        if found.bank_line_key is not None:
            continue  # recorded by an earlier run (or another line: the first stands)
        audit = AuditEvent(
            event_id=new_id("aud"), entity_type="payout", entity_id=deposit_id, action="deposit.bank_line",
            actor=actor, at=now, before={"deposit_status": found.deposit_status},
            after={"deposit_status": "deposited", "line_key": line.line_key, "file_id": file_id,
                   "account_id": account.account_id, "booked_on": line.booking_date.isoformat(),
                   "amount": line.amount},
        )  # fmt: skip
        if services.finance.confirm_from_bank(
            deposit_id, line_key=line.line_key, booked_on=line.booking_date, file_id=file_id, by=actor, at=now,
            audit=audit,
        ):  # fmt: skip
            recorded += 1
    outcome = Applied.APPLIED if recorded else Applied.ALREADY
    return AppliedLine(line.line_key, MatchTarget.DEPOSIT, outcome, deposit_ids=tuple(ids))


def _payments(
    candidate: Candidate,
    line: BankLine,
    *,
    now: datetime,
    services: BankApplication,
    actor: str,
    credit_customer: str | None,
) -> AppliedLine:
    parts = payments_of(candidate, line.line_key, line.amount, credit_customer=credit_customer)
    method = _METHOD_OF.get(line.kind, PaymentMethodType.ACH_CREDIT)
    ids: list[str] = []
    problems: list[str] = []
    replays = 0
    for key, customer_id, amount, invoices in parts:
        command = PayCommand(
            idempotency_key=key, scope=SCOPE, customer_id=customer_id, amount=amount, currency=line.currency,
            method=method, channel=Channel.BANK, actor=actor, invoices=invoices or None,
            hold_as_credit=not invoices, description=_description(line, method),
            cheque_number=line.customer_reference if method is PaymentMethodType.CHEQUE else None,
        )  # fmt: skip
        result = pay(command, ledger=services.ledger, processor=_NO_PROCESSOR, config=services.payments, now=now)
        ids.append(result.payment.payment_id)
        replays += int(result.replayed)
        if services.receipts is not None:
            delivery = confirm_scheduled(customer_id, result.payment.payment_id, services=services.receipts, now=now)
            problems += list(delivery.problems) if delivery else []
    outcome = Applied.ALREADY if replays == len(parts) else Applied.APPLIED
    return AppliedLine(line.line_key, candidate.target, outcome, payment_ids=tuple(ids), problems=tuple(problems))


def payments_of(
    candidate: Candidate, line_key: str, amount: int, *, credit_customer: str | None = None
) -> list[tuple[str, str, int, tuple[tuple[str, int], ...]]]:
    """(idempotency key, customer, amount, invoices) of each payment one line makes: one per customer its
    allocations pay (a combined payment for several customers is rare but real: a property manager's wire), the
    allocations capped at the line's amount in order, the rest held as credit of ``credit_customer`` (else the
    candidate's customer, else the first paid). One payment is keyed by the line key itself."""
    allocations = _capped(candidate.allocations, amount)
    holder = credit_customer or candidate.customer_id or (allocations[0].customer_id if allocations else None)
    if holder is None:
        raise BusinessRuleError("nobody to hold the money as credit: name the customer")
    customers = list(dict.fromkeys([a.customer_id for a in allocations] + [holder]))
    rest = amount - sum(a.amount for a in allocations)
    out = []
    for customer_id in customers:
        invoices = tuple((a.invoice_id, a.amount) for a in allocations if a.customer_id == customer_id)
        total = sum(a for _, a in invoices) + (rest if customer_id == holder else 0)
        if total > 0:
            out.append((customer_id, total, invoices))
    return [
        (_key(line_key, customer_id, len(out)), customer_id, total, invoices) for customer_id, total, invoices in out
    ]


def _key(line_key: str, customer_id: str, payments: int) -> str:
    return line_key if payments == 1 else f"{line_key}#{customer_id}"


def _capped(allocations: Sequence[Allocation], amount: int) -> list[Allocation]:
    """The allocations in order, each cut to what is left of ``amount`` (a sum within the agency's tolerance above
    the line pays the last invoices a little less)."""
    left, out = amount, []
    for a in allocations:
        take = min(a.amount, left)
        if take > 0:
            out.append(Allocation(a.invoice_id, a.customer_id, take))
            left -= take
    return out


def _description(line: BankLine, method: PaymentMethodType) -> str:
    how = {PaymentMethodType.WIRE: "Wire", PaymentMethodType.CHEQUE: "Cheque (lockbox)"}.get(method, "ACH credit")
    return f"{how} received {line.booking_date.isoformat()}"[:120]


def _return(candidate: Candidate, line: BankLine, now: datetime, services: BankApplication) -> AppliedLine:
    code = (candidate.return_code or line.return_code or "").upper()
    if not candidate.payment_id:
        raise BusinessRuleError("a return match names no payment")
    record = services.payment_reads.payment_status(candidate.payment_id)
    if record is None or not record.payment.transaction_id:
        raise NotFoundError(f"no ACH payment {candidate.payment_id} to reverse")
    event = ProcessorEvent(
        event_id=line.line_key, kind="charge.returned", transaction_id=record.payment.transaction_id,
        occurred_at=now, code=return_note(code)[:200], amount=abs(line.amount),
    )  # fmt: skip
    result = handle_processor_event(
        event, processor=RETURNS_PROCESSOR, store=services.statuses, receipts=services.receipts, now=now, actor=ACTOR
    )
    return_rates.record_return(
        RecordedReturn(
            line_key=line.line_key, returned_on=line.booking_date, code=code, payment_id=candidate.payment_id,
            amount=abs(line.amount), representable=candidate.may_represent,
        ),
        counts=services.returns, totals=services.totals, alerts=services.alerts, currency=line.currency, at=now,
    )  # fmt: skip
    outcome = {EventOutcome.APPLIED: Applied.APPLIED, EventOutcome.DUPLICATE: Applied.ALREADY}.get(
        result.outcome, Applied.REFUSED
    )
    problems = tuple(result.delivery.problems) if result.delivery else ()
    note = "the debit may be presented again (R01/R09, within the NACHA limits)" if candidate.may_represent else ""
    return AppliedLine(
        line.line_key, MatchTarget.RETURN, outcome, reversed_payment_id=candidate.payment_id, return_code=code,
        representable=candidate.may_represent, note=result.reason or note if outcome is Applied.REFUSED else note,
        problems=problems,
    )  # fmt: skip


class _NoProcessor:
    """The processor a bank payment is never charged through: the money is in the bank already."""

    name = "bank"

    def charge(self, request: ChargeRequest) -> ChargeResult:
        raise AssertionError("a payment from a bank file is never charged")

    def find_charge(self, idempotency_key: str) -> ChargeResult | None:
        return None

    def represent_debit(self, transaction_id: str, request: ChargeRequest) -> ChargeResult:
        raise AssertionError("a payment from a bank file is never a debit the agency presents")

    def refund(self, transaction_id: str, amount: int, *, idempotency_key: str) -> RefundResult:
        raise AssertionError("a payment from a bank file is never refunded through a processor")


_NO_PROCESSOR = cast(PaymentProcessor, _NoProcessor())  # pay() never reaches the rest of the protocol
