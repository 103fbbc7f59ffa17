"""Taking a payment: plan, record the intent, charge once, post once.

The order matters and each step is safe to repeat:
1. a payment already posted under this Idempotency-Key is returned as it is (a retry after a crash or a
   timeout completes nothing twice);
2. the allocation is planned before charging, so bad input is refused before money moves;
3. the payment's intent is recorded under the processor's key (``domain/payment_intents.py``) before the
   processor is called, so a charge whose posting never happens is found and posted by the reconciler
   (``services/reconciliation.py``);
4. the processor is charged with a key derived from the Idempotency-Key, so a repeated charge is the same
   charge; when the processor's answer is lost, the charge is looked up by that key instead of made again;
5. the posting is one transaction guarded by the key, closing the intent; if an invoice changed meanwhile (a
   racing payment), the allocation is planned again from fresh reads and the rest held as credit: no balance
   goes below zero. A charged payment is never refused for losing races: after ``POSTING_ATTEMPTS`` lost races
   its money is held as the payer's credit (a posting that touches no contended invoice), so the answer is the
   payment, never a 409.

Money that reached the agency's bank on its own (channel ``bank``: a wire, an ACH credit, a lockbox cheque,
applied from a bank file by ``services/bank_application.py``) takes the same path with no processor: it has
arrived already, so nothing is charged, its transaction id is the bank line's key and, like a charge that stands,
it is never refused for what it was meant for having been paid meanwhile: the rest is held as credit.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from arportal.domain.allocation import AllocationPlan
from arportal.domain.errors import ActionRequiredError, BusinessRuleError, ConflictError, DependencyError, NotFoundError
from arportal.domain.fees import FeeSchedule
from arportal.domain.ids import new_id, new_reference
from arportal.domain.models import (
    Account,
    AuditEvent,
    Channel,
    Invoice,
    MethodDetail,
    Payment,
    PaymentMethodType,
    StatusChange,
)
from arportal.domain.payment_intents import (
    RECONCILER,
    IntendedPart,
    IntentStatus,
    LedgerEvent,
    PaymentIntent,
    fallback_plan,
)
from arportal.domain.payment_series import OpenSeries, in_series, series_key
from arportal.domain.posting import Posting, plan_posting
from arportal.domain.processing import ChargeOutcome
from arportal.domain.status import PaymentStatus
from arportal.ports import ChargeRequest, ChargeResult, PaymentPosting, PaymentProcessor, ProcessorUnavailableError
from arportal.ports.payments import IntentPosting
from arportal.services import payment_series
from arportal.services.payment_planning import chosen_account, holding_account, plan_allocation

POSTING_ATTEMPTS = 6  # postings planned from fresh reads of the invoices; then the money is held as credit
CREDIT_ATTEMPTS = 3  # a posting of credit touches no invoice: it fails only if storage does
BACKOFF_MS = 25  # after the n-th lost race, wait a random 0..25 ms x 2^n (at most 775 ms in all)
OFFLINE_METHODS = frozenset({PaymentMethodType.CASH, PaymentMethodType.CHEQUE})
BANK_PROCESSOR = "bank"  # the payment's processor when the bank file is where it came from


@dataclass(frozen=True)
class PayCommand:
    idempotency_key: str
    scope: str  # whose keys these are: the customer, the guest's invoice, or the staff member
    customer_id: str | None  # the owner of the invoices paid (for a guest, the invoice's owner)
    amount: int
    currency: str
    method: PaymentMethodType
    channel: Channel
    actor: str
    token: str | None = None
    invoices: tuple[tuple[str, int], ...] | None = None  # chosen (invoice_id, amount); None: agency rule
    account_number: str | None = None  # pay against one account (its invoices, oldest first; rest as credit)
    expected_fee: int | None = None  # what the payer was shown; a different fee is refused, never charged
    terminal_id: str | None = None
    drawer_id: str | None = None
    cheque_number: str | None = None
    description: str = "Payment"
    request_id: str | None = None
    allow_credit: bool = True  # False (guests): an amount over what is owed is refused before any charge
    # Fees not invoiced yet (a staff cart): invoices created, and paid, by the posting itself.
    new_invoices: tuple[Invoice, ...] = ()
    hold_as_credit: bool = False  # all of it held as the customer's credit, applied to no invoice
    # The series this try continues whatever the payer's open series (a re-presented debit: the original's).
    series: OpenSeries | None = None


def _offline(command: PayCommand) -> bool:
    """No processor is charged: money handed over at the counter, or already in the agency's bank."""
    return command.method in OFFLINE_METHODS or command.channel is Channel.BANK


@dataclass(frozen=True)
class PayResult:
    payment: Payment
    posting: Posting | None = None
    replayed: bool = False
    decline_code: str | None = None
    decline_message: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PaymentsConfig:
    currency: str
    fees: FeeSchedule
    processor_name: str


def quote_fee(config: PaymentsConfig, method: PaymentMethodType, amount: int) -> int:
    return config.fees.fee_for(method, amount)


def fee_schedule(rules: Mapping[str, Mapping[str, int | None]]) -> FeeSchedule:
    """The agency's schedule from configuration (``CONVENIENCE_FEES``: method -> fixed, basis_points, cap)."""
    return FeeSchedule.model_validate({"rules": {method: dict(rule) for method, rule in rules.items()}})


def credit_note_id_for(payment_id: str) -> str:
    """The credit note holding a payment's unapplied rest shares the payment's ULID, so a reversal finds it."""
    return "cn_" + payment_id.removeprefix("pay_")


def pay(
    command: PayCommand,
    *,
    ledger: PaymentPosting,
    processor: PaymentProcessor,
    config: PaymentsConfig,
    now: datetime,
) -> PayResult:
    _validate(command, config)
    existing = ledger.posted_payment(command.scope, command.idempotency_key)
    if existing is not None:
        return _replay(existing, command)

    credit_account = chosen_account(command, ledger)
    orphaned = False
    try:
        plan = plan_allocation(command, ledger)
    except BusinessRuleError:
        if not _charged_before(command, processor):
            raise
        # An earlier attempt with this key was charged and failed before posting, and what it was for has been
        # paid since: the charge stands, so it is posted now, on what is still open, the rest held as credit.
        orphaned = True
        plan = plan_allocation(command, ledger, fresh=True, tolerate_closed=True)
    if plan.unapplied and not command.allow_credit and not orphaned:
        raise BusinessRuleError(
            "the amount is more than what is owed; pay at most the balance",
            details=[{"field": "amount", "reason": f"at most {plan.applied}"}],
        )
    fee = quote_fee(config, command.method, command.amount)
    if command.expected_fee is not None and command.expected_fee != fee:
        raise BusinessRuleError(
            "the convenience fee has changed since it was shown; review and confirm again",
            details={"expected_fee": command.expected_fee, "fee": fee},
        )

    meant_for = plan.parts[0].invoice.account_number if plan.parts else None
    if credit_account is None and not plan.parts:
        credit_account = holding_account(command, ledger, meant_for)
    intent = None
    if not _offline(command) and isinstance(ledger, IntentPosting):
        intent = intent_for(command, fee, now)
        stored = ledger.open_intent(intent)
        if stored is not None:
            return _key_taken(stored, command, ledger)
    what = series_key((part.invoice.invoice_id for part in plan.parts), command.account_number or meant_for)
    series = command.series or payment_series.open_series(ledger, command.customer_id, what, now)
    charge = _charge(command, processor, fee)
    if charge.outcome is ChargeOutcome.REQUIRES_ACTION:
        # Nothing is posted and the intent stays open: the payer's return with this key, the processor's webhook
        # or the reconciler (which cancels it once abandoned) decides it. Raised, so the key's answer is not stored.
        raise ActionRequiredError(
            "your bank asks you to confirm this payment",
            details={"next_action": "authenticate", "client_secret": charge.client_secret},
        )
    payment = in_series(_payment(command, config, charge, fee, now), series)
    result = _post_charge(
        command,
        payment,
        charge,
        plan,
        ledger=ledger,
        now=now,
        fee=fee,
        credit_account=credit_account,
        meant_for=meant_for,
        intent=intent,
    )
    if not result.replayed:
        payment_series.after_try(ledger, command.customer_id, what, result.payment)
    return result


def post_intended_charge(
    intent: PaymentIntent,
    charge: ChargeResult,
    *,
    ledger: IntentPosting,
    config: PaymentsConfig,
    now: datetime,
    events: Callable[[Posting], Sequence[LedgerEvent]] = lambda _posting: (),
) -> PayResult:
    """Post a charge the processor made under ``intent``'s key whose request never posted it (the reconciler):
    the same posting path as ``pay``, on what is still open, the rest held as the payer's credit; the intent is
    closed and ``events(posting)`` written in the posting's transaction."""
    command = command_of(intent)
    try:
        credit_account = chosen_account(command, ledger)
    except NotFoundError:  # the account named is gone: the money is held on one the payer still has
        credit_account = None
    try:
        plan = plan_allocation(command, ledger, fresh=True, tolerate_closed=True)
    except (BusinessRuleError, NotFoundError):  # what it was for is gone: the charge stands, as credit
        plan = AllocationPlan((), command.amount)
    meant_for = plan.parts[0].invoice.account_number if plan.parts else command.account_number
    if credit_account is None and not plan.parts:
        credit_account = holding_account(command, ledger, meant_for)
    payment = _payment(command, config, charge, intent.fee, now)
    return _post_charge(
        command,
        payment,
        charge,
        plan,
        ledger=ledger,
        now=now,
        fee=intent.fee,
        credit_account=credit_account,
        meant_for=meant_for,
        intent=intent,
        actor=RECONCILER,
        action="payment.reconciled",
        noted={"charge_key": intent.charge_key, "intended_at": intent.created_at.isoformat()},
        events=events,
    )


def _post_charge(
    command: PayCommand,
    payment: Payment,
    charge: ChargeResult,
    plan: AllocationPlan,
    *,
    ledger: PaymentPosting,
    now: datetime,
    fee: int,
    credit_account: Account | None,
    meant_for: str | None,
    intent: PaymentIntent | None,
    actor: str | None = None,
    action: str | None = None,
    noted: Mapping[str, object] | None = None,
    events: Callable[[Posting], Sequence[LedgerEvent]] = lambda _posting: (),
) -> PayResult:
    """Post what the processor did: races lost are planned again from fresh reads; after ``POSTING_ATTEMPTS`` of
    them the money is held as credit (``fallback_plan``); only storage failing throughout is an error (503), and
    then the intent stays open for the reconciler."""
    receipt_number = new_reference("R") if payment.status is PaymentStatus.POSTED else None
    payment = payment.model_copy(update={"receipt_number": receipt_number})
    audit = AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment",
        entity_id=payment.payment_id,
        action=action or f"payment.{payment.status.value}",
        actor=actor or command.actor,
        at=now,
        after={
            "amount": payment.amount,
            "fee": fee,
            "status": payment.status.value,
            "channel": command.channel.value,
            **(noted or {}),
        },
        request_id=command.request_id,
    )
    credit_note_id = credit_note_id_for(payment.payment_id)
    new_invoice_ids = frozenset(i.invoice_id for i in command.new_invoices)
    too_big = False  # the plan pays more invoices than one transaction can write
    for attempt in range(POSTING_ATTEMPTS + CREDIT_ATTEMPTS):
        if payment.status is PaymentStatus.FAILED:
            plan = AllocationPlan((), payment.amount)
        elif too_big or attempt >= POSTING_ATTEMPTS:
            plan = fallback_plan(plan, new_invoice_ids)
        if credit_account is None and not plan.parts and payment.status is not PaymentStatus.FAILED:
            credit_account = holding_account(command, ledger, meant_for)  # all it was for got paid meanwhile
        posting = plan_posting(
            _as_planned(payment, plan),
            plan,
            now=now,
            credit_note_id=credit_note_id,
            receipt_number=receipt_number,
            credit_account=credit_account,
        )
        if command.new_invoices:
            posting = replace(posting, new_invoice_ids=new_invoice_ids)
        try:
            _post(ledger, posting, command, audit=audit, intent=intent, events=events(posting))
        except ConflictError:
            already = ledger.posted_payment(command.scope, command.idempotency_key)
            if already is not None:
                return _replay(already, command)
            if attempt + 1 < POSTING_ATTEMPTS and not too_big:
                _back_off(attempt)
                plan = _replan(command, ledger, plan, new_invoice_ids)
            continue
        except BusinessRuleError:
            if too_big or not plan.parts:
                raise
            too_big = True  # the charge stands: its money is held as credit, for the payer to apply
            continue
        return PayResult(
            posting.payment,
            posting,
            decline_code=charge.code if payment.status is PaymentStatus.FAILED else None,
            decline_message=charge.message if payment.status is PaymentStatus.FAILED else None,
        )
    # Even a posting of credit failed, again and again: storage is failing. The charge stands and its intent is
    # open: the client's retry with the same key posts it, or the reconciler does.
    raise DependencyError(
        "the payment was taken but could not be recorded yet; it will be, and a retry with the same "
        "Idempotency-Key answers with it",
        details={"transaction_id": charge.transaction_id},
    )


def _back_off(attempt: int) -> None:
    """Full jitter: payers racing for one invoice spread out instead of colliding again at once (measured with 20
    racers on one invoice: without it a third of the money went to credit while the invoice stayed open)."""
    time.sleep(secrets.randbelow(BACKOFF_MS * 2**attempt + 1) / 1000)


def _replan(
    command: PayCommand, ledger: PaymentPosting, plan: AllocationPlan, new_ids: frozenset[str]
) -> AllocationPlan:
    """The plan again from fresh reads, tolerating what closed meanwhile; what cannot be planned is credit."""
    try:
        return plan_allocation(command, ledger, fresh=True, tolerate_closed=True)
    except (BusinessRuleError, NotFoundError):
        return fallback_plan(plan, new_ids)


def _post(
    ledger: PaymentPosting,
    posting: Posting,
    command: PayCommand,
    *,
    audit: AuditEvent,
    intent: PaymentIntent | None,
    events: Sequence[LedgerEvent],
) -> None:
    if isinstance(ledger, IntentPosting) and (intent is not None or events):
        ledger.post(
            posting,
            scope=command.scope,
            idempotency_key=command.idempotency_key,
            audit=audit,
            intent=intent,
            events=events,
        )
    else:
        ledger.post(posting, scope=command.scope, idempotency_key=command.idempotency_key, audit=audit)


def _key_taken(stored: PaymentIntent, command: PayCommand, ledger: PaymentPosting) -> PayResult:
    """The intent under this key could not be opened: its payment is posted (answer with it), or the key was
    used for another payment. Nothing was charged by this request."""
    if stored.status is IntentStatus.POSTED:
        already = ledger.posted_payment(command.scope, command.idempotency_key)
        if already is not None:
            return _replay(already, command)
        raise ConflictError("this payment is being recorded; retry with the same Idempotency-Key")
    raise BusinessRuleError("this Idempotency-Key was already used for a different payment")


def intent_for(command: PayCommand, fee: int, now: datetime) -> PaymentIntent:
    """The intent recorded before the processor is charged for ``command``."""
    if command.customer_id is None:
        raise BusinessRuleError("a payment must name the customer whose invoices it pays")
    return PaymentIntent(
        charge_key=charge_key(command),
        scope=command.scope,
        idempotency_key=command.idempotency_key,
        attempt_id=new_id("try"),
        customer_id=command.customer_id,
        amount=command.amount,
        fee=fee,
        currency=command.currency,
        method=command.method,
        channel=command.channel,
        actor=command.actor,
        invoices=[IntendedPart(invoice_id=i, amount=a) for i, a in command.invoices] if command.invoices else None,
        account_number=command.account_number,
        new_invoices=list(command.new_invoices),
        terminal_id=command.terminal_id,
        drawer_id=command.drawer_id,
        description=command.description,
        request_id=command.request_id,
        created_at=now,
    )


def command_of(intent: PaymentIntent) -> PayCommand:
    """The payment an intent was recorded for, as the reconciler posts it (no token: it never charges)."""
    return PayCommand(
        idempotency_key=intent.idempotency_key,
        scope=intent.scope,
        customer_id=intent.customer_id,
        amount=intent.amount,
        currency=intent.currency,
        method=intent.method,
        channel=intent.channel,
        actor=intent.actor,
        invoices=tuple((p.invoice_id, p.amount) for p in intent.invoices) if intent.invoices else None,
        account_number=intent.account_number,
        terminal_id=intent.terminal_id,
        drawer_id=intent.drawer_id,
        description=intent.description,
        request_id=intent.request_id,
        new_invoices=tuple(intent.new_invoices),
    )


def _validate(command: PayCommand, config: PaymentsConfig) -> None:
    if command.amount <= 0:
        raise BusinessRuleError("the amount must be more than zero", details=[{"field": "amount", "reason": "<= 0"}])
    if command.currency != config.currency:
        raise BusinessRuleError(
            f"this agency takes payments in {config.currency}",
            details=[{"field": "currency", "reason": f"must be {config.currency}"}],
        )
    if not _offline(command) and not command.token:
        raise BusinessRuleError(
            "a payment token from the secure payment form is required",
            details=[{"field": "token", "reason": "required for this method"}],
        )
    if command.method is PaymentMethodType.CREDIT:
        raise BusinessRuleError("account credit is applied with its own action, not as a payment method")
    if command.customer_id is None:
        # Guests pay one invoice through a token that names it; the payment is recorded on the invoice's owner.
        raise BusinessRuleError("a payment must name the customer whose invoices it pays")


def charge_key(command: PayCommand) -> str:
    """The processor's idempotency key: one charge per (scope, Idempotency-Key), however often it is asked."""
    return f"{command.scope}:{command.idempotency_key}"


def _charged_before(command: PayCommand, processor: PaymentProcessor) -> bool:
    if command.channel is Channel.BANK:
        return True  # the money is in the bank: it stands like a charge
    if command.method in OFFLINE_METHODS:
        return False
    found = processor.find_charge(charge_key(command))
    return found is not None and found.outcome in {ChargeOutcome.SUCCEEDED, ChargeOutcome.PENDING}


def _charge(command: PayCommand, processor: PaymentProcessor, fee: int) -> ChargeResult:
    if command.channel is Channel.BANK:  # the bank line is the transaction (its key is the Idempotency-Key)
        return ChargeResult(ChargeOutcome.SUCCEEDED, command.idempotency_key, method_type=command.method.value)
    if command.method in OFFLINE_METHODS:
        return ChargeResult(ChargeOutcome.SUCCEEDED, None, method_type=command.method.value)
    request = ChargeRequest(
        idempotency_key=charge_key(command),
        amount=command.amount + fee,
        currency=command.currency,
        token=command.token or "",
        description=command.description,
        customer_id=command.customer_id,
        metadata={"channel": command.channel.value},
    )
    try:
        return processor.charge(request)
    except ProcessorUnavailableError as exc:
        found = processor.find_charge(request.idempotency_key)
        if found is None:
            raise DependencyError(
                "the payment processor did not answer and nothing was charged; try again with the same key"
            ) from exc
        return found


_STATUS_OF = {
    ChargeOutcome.SUCCEEDED: PaymentStatus.POSTED,
    ChargeOutcome.PENDING: PaymentStatus.PENDING,
    ChargeOutcome.RETRYABLE: PaymentStatus.FAILED,
    ChargeOutcome.DECLINED: PaymentStatus.FAILED,
}


def _payment(command: PayCommand, config: PaymentsConfig, charge: ChargeResult, fee: int, now: datetime) -> Payment:
    status = _STATUS_OF[charge.outcome]
    by = "processor" if not _offline(command) else command.actor
    history = [StatusChange(status=PaymentStatus.AUTHORIZED, at=now, by=by)] if status is PaymentStatus.POSTED else []
    history.append(StatusChange(status=status, at=now, by=by, note=charge.code))
    method_type = command.method
    return Payment(
        payment_id=new_id("pay"),
        customer_id=command.customer_id,
        amount=command.amount,
        fee_amount=fee if status is not PaymentStatus.FAILED else 0,
        currency=command.currency,
        method=MethodDetail(
            type=method_type, brand=charge.brand, last4=charge.last4, cheque_number=command.cheque_number
        ),
        channel=command.channel,
        status=status,
        history=history,
        terminal_id=command.terminal_id,
        drawer_id=command.drawer_id,
        processor=_processor_of(command, config),
        transaction_id=charge.transaction_id,
        taken_by=command.actor if command.channel in {Channel.COUNTER, Channel.PHONE} else None,
        created_at=now,
    )


def _processor_of(command: PayCommand, config: PaymentsConfig) -> str:
    if command.channel is Channel.BANK:
        return BANK_PROCESSOR
    return "offline" if command.method in OFFLINE_METHODS else config.processor_name


def _as_planned(payment: Payment, plan: AllocationPlan) -> Payment:
    """The payment records what the plan did with it: the departments it paid (the activity index filters on
    them) and the rest held as credit (what a replay answers with, without reading the credit note)."""
    if payment.status is PaymentStatus.FAILED:
        return payment.model_copy(update={"unapplied": 0, "departments": []})
    departments = sorted({part.invoice.department for part in plan.parts})
    return payment.model_copy(update={"unapplied": plan.unapplied, "departments": departments})


def _replay(existing: Payment, command: PayCommand) -> PayResult:
    if existing.amount != command.amount or existing.customer_id != command.customer_id:
        raise BusinessRuleError("this Idempotency-Key was already used for a different payment")
    return PayResult(existing, replayed=True)
