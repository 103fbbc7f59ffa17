"""Request and response models of the staff console's actions: taking payments, exceptions, approvals,
receipts and duplicates. Requests forbid unknown fields; card numbers never reach these models (tokens only)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from arportal.api.schemas import DeliverableEmail, In, MoneyOut, Out, StrictCents, StrictSignedCents
from arportal.domain.approvals import StaffAction
from arportal.domain.duplicates import DuplicatePair
from arportal.domain.staff_actions import ReasonCode
from arportal.domain.values import AccountNumber, Currency, CustomerIdAnyCase, DepartmentCode, FeeCode, InvoiceId
from arportal.ports import StoredApproval

if TYPE_CHECKING:
    from arportal.domain.models import Approval
    from arportal.services.staff_action_orders import ActionDone
    from arportal.services.staff_payments import ReceiptResent, StaffCheckout

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Amount = StrictCents
StaffMethod = Literal["card", "debit", "wallet", "cash", "cheque"]


class CartLineIn(In):
    """An existing invoice (``invoice_id``, ``amount``) or a fee not invoiced yet (``department``, ``fee_code``,
    ``description``, ``amount``, ``account_number``)."""

    amount: Amount
    invoice_id: InvoiceId | None = None
    department: DepartmentCode | None = None
    fee_code: FeeCode | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    account_number: AccountNumber | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        fee = (self.department, self.fee_code, self.description, self.account_number)
        if self.invoice_id is not None and any(f is not None for f in fee):
            raise ValueError("a line is either an invoice (invoice_id) or a new fee, not both")
        if self.invoice_id is None and any(f is None for f in fee):
            raise ValueError("a new fee needs department, fee_code, description and account_number")
        return self


class StaffPayIn(In):
    customer_id: CustomerIdAnyCase
    amount: Amount
    currency: Currency
    method: StaffMethod
    channel: Literal["counter", "phone"]
    lines: list[CartLineIn] = Field(min_length=1, max_length=50)
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    terminal_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    drawer_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    cheque_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,32}$")] | None = None

    @model_validator(mode="after")
    def _method_fits_channel(self) -> Self:
        if self.method in {"cash", "cheque"}:
            if self.channel != "counter":
                raise ValueError("cash and cheques are taken at a counter")
            if not (self.terminal_id and self.drawer_id):
                raise ValueError("a counter payment in cash or by cheque names its terminal_id and drawer_id")
            if self.method == "cheque" and not self.cheque_number:
                raise ValueError("a cheque payment needs the cheque_number")
        elif not self.token:
            raise ValueError("a card, debit or wallet payment needs the token from the processor's hosted fields")
        return self


class StaffFeeQuoteOut(Out):
    """What a staff payment of ``amount`` by ``method`` charges: the fee on top and the total the payer pays."""

    method: StaffMethod
    amount: MoneyOut
    fee: MoneyOut
    total: MoneyOut
    staff_fees: bool  # whether this agency charges convenience fees on payments staff take at all


class StaffPaymentTakenOut(Out):
    """201 of taking a payment at the counter or by phone (and the ``details`` of its 402 ``payment_declined``)."""

    payment: dict[str, Any] = Field(description="The payment as recorded, its status history apart")
    history: list[dict[str, Any]] = Field(description="Each status change: status, at, by, note")
    receipt_number: str | None
    allocations: list[dict[str, Any]] = Field(description="What each invoice received")
    balances: dict[str, int] = Field(description="Invoice id -> its balance after, in minor units")
    new_invoices: list[str] = Field(description="The invoices created for the cart's new fees")
    emailed_to: list[str]
    likely_duplicate_of: str | None
    replayed: bool

    @classmethod
    def of(cls, taken: StaffCheckout) -> StaffPaymentTakenOut:
        checkout = taken.checkout
        payment = checkout.result.payment
        return cls(
            payment=payment.model_dump(mode="json", exclude={"history"}),
            history=[h.model_dump(mode="json") for h in payment.history],
            receipt_number=payment.receipt_number,
            allocations=[a.model_dump(mode="json") for a in checkout.allocations],
            balances=checkout.balances,
            new_invoices=taken.new_invoice_ids,
            emailed_to=list(checkout.delivery.emailed_to),
            likely_duplicate_of=taken.likely_duplicate_of,
            replayed=checkout.result.replayed,
        )


class StaffPaymentDeclinedOut(StaffPaymentTakenOut):
    """The ``details`` of a 402 ``payment_declined``: the processor's decline code and the payment as recorded."""

    decline_code: str | None

    @classmethod
    def of_declined(cls, taken: StaffCheckout) -> StaffPaymentDeclinedOut:
        advice = taken.checkout.advice
        recorded = StaffPaymentTakenOut.of(taken)
        return cls(decline_code=advice.code if advice else None, **dict(recorded))


class RefundIn(In):
    amount: Amount | None = Field(default=None, description="Omitted: everything still refundable")
    reason_code: ReasonCode
    note: Note


class VoidIn(In):
    reason_code: ReasonCode
    note: Note


class ReversalIn(In):
    reason_code: ReasonCode
    note: Note


class AdjustmentIn(In):
    customer_id: CustomerIdAnyCase = Field(
        description="The invoice's owner (an invoice is read in its customer's record)"
    )
    invoice_id: InvoiceId
    kind: Literal["adjustment", "write_off"]
    amount: StrictSignedCents = Field(description="Signed for adjustments (never 0); more than 0 for write-offs")
    reason_code: ReasonCode
    note: Note

    @field_validator("amount")
    @classmethod
    def _moves_money(cls, amount: int, info: ValidationInfo) -> int:
        if amount == 0:
            raise ValueError("must not be 0")
        if info.data.get("kind") == "write_off" and amount < 0:
            raise ValueError("a write-off takes off a positive amount")
        return amount


class DecisionIn(In):
    decision: Literal["approve", "reject"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class ReceiptEmailIn(In):
    to: DeliverableEmail | None = None


class ActionDoneOut(Out):
    """201: the refund, void, reversal, adjustment or write-off was carried out at once."""

    status: Literal["done"]
    action: StaffAction
    entity_id: str = Field(description="The payment's id (refund, void, reversal) or the adjustment's")
    entity_status: str = Field(description="The payment's or the invoice's status after it")
    amount: int = Field(description="Minor units moved")
    refund_id: str | None = Field(description="The processor's refund, when money went back through it")
    shortfall: int = Field(description="Minor units of credit already spent, so not taken back (0 when none)")
    balances: dict[str, int] = Field(description="Invoice id -> its balance after, in minor units")
    replayed: bool = Field(description="True when this Idempotency-Key had carried it out already")

    @classmethod
    def of(cls, done: ActionDone) -> ActionDoneOut:
        return cls(
            status="done",
            action=done.action,
            entity_id=done.entity_id,
            entity_status=done.status,
            amount=done.amount,
            refund_id=done.refund_id,
            shortfall=done.shortfall,
            balances=done.balances,
            replayed=done.replayed,
        )


class ApprovalFiledOut(Out):
    """202: filed for a second staff member's decision; nothing has moved yet."""

    status: Literal["pending"]
    approval_id: str
    action: StaffAction
    amount: MoneyOut
    target_id: str = Field(description="The payment's or the invoice's id")
    message: str

    @classmethod
    def of(cls, a: Approval) -> ApprovalFiledOut:
        return cls(
            status="pending",
            approval_id=a.approval_id,
            action=StaffAction(a.action),
            amount=MoneyOut.of(a.amount, a.currency),
            target_id=a.target_id,
            message="this needs a supervisor's approval; it is in the approvals queue",
        )


class ReceiptEmailedOut(Out):
    """200 of emailing a receipt again; ``problems`` name what failed (``receipt_email_not_sent``...)."""

    receipt_number: str
    payment_id: str
    emailed_to: list[str]
    problems: list[str]
    interaction_id: str | None = Field(description="The interaction logged on the customer's record")

    @classmethod
    def of(cls, sent: ReceiptResent) -> ReceiptEmailedOut:
        return cls(
            receipt_number=sent.receipt_number,
            payment_id=sent.payment_id,
            emailed_to=list(sent.emailed_to),
            problems=list(sent.problems),
            interaction_id=sent.interaction_id,
        )


class ApprovalOut(Out):
    approval_id: str
    action: str
    status: str
    amount: MoneyOut
    target_id: str
    customer_id: str | None
    reason: str
    requested_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision: str | None
    request: dict[str, Any] | None
    outcome: dict[str, Any] | None

    @classmethod
    def of(cls, s: StoredApproval) -> ApprovalOut:
        a = s.approval
        return cls(
            approval_id=a.approval_id,
            action=a.action,
            status=a.status.value,
            amount=MoneyOut.of(a.amount, a.currency),
            target_id=a.target_id,
            customer_id=a.customer_id,
            reason=a.reason,
            requested_by=a.requested_by,
            created_at=a.created_at,
            decided_by=a.decided_by or s.decision_by,
            decided_at=a.decided_at,
            decision=s.decision,
            request=s.request,
            outcome=s.outcome,
        )


class ApprovalsPageOut(Out):
    approvals: list[ApprovalOut]
    next_cursor: str | None


class DuplicateOut(Out):
    payment_id: str
    likely_duplicate_of: str
    amount: MoneyOut
    invoice_ids: list[str]
    seconds_apart: int
    why: str = Field(description='What the two have in common, in words: "Same amount, same card (Visa ending '
                     '4242), same invoice, within 3 minutes"')  # fmt: skip
    receipt_number: str | None
    likely_duplicate_of_receipt: str | None

    @classmethod
    def of(cls, d: DuplicatePair) -> DuplicateOut:
        return cls(
            payment_id=d.payment_id,
            likely_duplicate_of=d.likely_duplicate_of,
            amount=MoneyOut.of(d.amount, d.currency),
            invoice_ids=list(d.invoice_ids),
            seconds_apart=d.seconds_apart,
            why=d.why,
            receipt_number=d.receipt_number,
            likely_duplicate_of_receipt=d.likely_duplicate_of_receipt,
        )


class DuplicatesOut(Out):
    customer_id: str
    window_minutes: int
    duplicates: list[DuplicateOut]
