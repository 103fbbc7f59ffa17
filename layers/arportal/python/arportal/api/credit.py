"""Applying held credit at the API edge, shared by the portal and the staff route: the request and response
models and the idempotent run (Powertools replay record for 24 h; the ledger's key guard for ever after).

The route hands ``respond`` the use case already wired to this deployment (``arportal.wiring.apply_credit``) and
the idempotency records (``arportal.wiring.stores.idempotency_records``): the edge maps requests and answers, and
builds no adapters."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel, ConfigDict, Field

from arportal.api.schemas import MoneyOut, Out
from arportal.domain.values import AccountNumber, InvoiceId

if TYPE_CHECKING:
    from arportal.ports import CreditApplicationRecord
    from arportal.services.credit import ApplyCredit, CreditApplied

MAX_CHOSEN_INVOICES = 80


class CreditApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    invoice_ids: list[InvoiceId] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_CHOSEN_INVOICES,
        description="The invoices to apply credit to, in this order; omitted: the agency's rule (oldest due first)",
    )
    account_number: AccountNumber | None = Field(
        default=None, description="Only this account's credit and invoices (credit never leaves its account)"
    )


class CreditSourceUsedOut(Out):
    credit_note_id: str
    credit_note_number: str
    amount: MoneyOut


class CreditAppliedToInvoiceOut(Out):
    invoice_id: str
    invoice_number: str
    account_number: str
    applied: MoneyOut
    split: dict[str, int] = Field(description="The applied amount by line kind: fee, penalty, adjustment, principal")
    sources: list[CreditSourceUsedOut]
    balance: MoneyOut = Field(description="The invoice's balance after the credit")
    status: str


class CreditApplicationOut(Out):
    application_id: str
    applied: MoneyOut
    credit_left: MoneyOut = Field(description="Credit the customer still holds, all accounts")
    invoices: list[CreditAppliedToInvoiceOut]
    applied_at: str
    replayed: bool = False

    @classmethod
    def of(cls, record: CreditApplicationRecord, *, replayed: bool = False) -> CreditApplicationOut:
        currency = record.currency

        def money(amount: object) -> MoneyOut:
            return MoneyOut.of(int(str(amount)), currency)

        invoices = [
            CreditAppliedToInvoiceOut(
                invoice_id=str(i["invoice_id"]),
                invoice_number=str(i["invoice_number"]),
                account_number=str(i["account_number"]),
                applied=money(i["amount"]),
                split={str(k): int(str(v)) for k, v in dict(i["split"]).items()},  # type: ignore[call-overload]
                sources=[
                    CreditSourceUsedOut(
                        credit_note_id=str(p["credit_note_id"]),
                        credit_note_number=str(p["credit_note_number"]),
                        amount=money(p["amount"]),
                    )
                    for p in record.parts
                    if p["invoice_id"] == i["invoice_id"]
                ],
                balance=money(i["balance"]),
                status=str(i["status"]),
            )
            for i in record.invoices
        ]
        return cls(
            application_id=record.application_id,
            applied=money(record.applied),
            credit_left=money(record.credit_left),
            invoices=invoices,
            applied_at=record.at.isoformat(),
            replayed=replayed,
        )


def respond(
    command: ApplyCredit,
    *,
    apply: Callable[[ApplyCredit], CreditApplied],
    operation: str,
    payload: dict[str, object],
    lambda_context: Any,
    persistence: Any,
) -> Response[str]:
    """201 with what ``apply`` applied; the same key replays it, the same key with another body is a 422
    (``persistence``: where ``run_once`` keeps the answer, from the composition root)."""
    from arportal.api.idempotency import Outcome, run_once

    def work() -> Outcome:
        done = apply(command)
        body = CreditApplicationOut.of(done.record, replayed=done.replayed).model_dump(mode="json")
        return Outcome(int(HTTPStatus.CREATED), body)

    return run_once(
        operation,
        scope=command.scope,
        key=command.idempotency_key,
        payload=payload,
        work=work,
        lambda_context=lambda_context,
        persistence=persistence,
    )


CREDIT_RESPONSES: dict[int, Any] = {
    201: {"description": "Applied", "content": {"application/json": {"model": CreditApplicationOut}}},
    400: {"description": "The Idempotency-Key header is missing or not valid"},
    409: {"description": "`request_in_progress`, or the credit kept changing: retry with the same key"},
    422: {
        "description": "`no_credit_to_apply`, an invoice that is not an open invoice of yours, invalid fields, "
        "or `idempotency_key_reused`"
    },
}
