"""Portal routes: paying (``POST /v1/portal/payments``) and the convenience fee shown before confirming.

A payment runs at most once per ``Idempotency-Key`` (``arportal.api.idempotency``): a retry, a double click or a
lost answer gets the first answer again (201 or 402, same body); a key reused with a different body is a 422; a
duplicate arriving while the first still runs is a 409 with ``Retry-After``. Underneath, the processor is
charged with a key derived from the same header and the posting is guarded by it, so even a retry after the
replay record expired (24 h) charges and posts nothing twice.

``outcome_of`` and ``wiring`` are shared with the guest payment route (``public_api/routes/guest_pay.py``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_customer
from arportal.api.schemas import MoneyOut
from arportal.config import settings
from arportal.domain.models import Channel, PaymentMethodType
from arportal.domain.status import PaymentStatus
from portal_api.schemas_pay import DeclineDetailsOut, Method, PayIn, PaymentOut, PayOut, QuoteOut, ReceiptOut

if TYPE_CHECKING:  # the payment services and adapters load on the first payment, not in every cold start
    from arportal.adapters.dynamodb.posting import DynamoPaymentLedger
    from arportal.ports import PaymentProcessor
    from arportal.services.payments import PayCommand, PaymentsConfig
    from arportal.services.receipts import Checkout, Contact, ReceiptServices

router = new_router()
_RESPONSES: dict[int, OpenAPIResponse] = {
    201: {
        "description": "Paid (card, debit, wallet) or accepted and clearing (ACH: status pending)",
        "content": {"application/json": {"model": PayOut}},
    },
    400: {"description": "The Idempotency-Key header is missing or not valid"},
    402: {"description": "Declined: `payment_declined` with the decline code and what to do next (recorded)"},
    409: {"description": "`request_in_progress`: the same key is still being processed (Retry-After)"},
    422: {"description": "Invalid fields, a card number in the body, a changed fee, or `idempotency_key_reused`"},
    503: {"description": "The processor or storage did not answer; retry with the same Idempotency-Key"},
}


@router.get(
    "/v1/portal/payments:quote",
    tags=["portal"],
    summary="The convenience fee and total of a payment, to show before the payer confirms",
)
def quote(
    amount: Annotated[int, Query(gt=0, le=10**13, description="Minor units")],
    method: Annotated[Method, Query()],
) -> QuoteOut:
    require_customer(current_caller(router))
    return quote_out(amount, method)


@router.post(
    "/v1/portal/payments",
    tags=["portal"],
    summary="Pay invoices (needs an Idempotency-Key header)",
    responses=_RESPONSES,
)
def create_payment(body: PayIn) -> Response[str]:
    from arportal.services.payments import PayCommand

    caller = current_caller(router)
    customer_id = require_customer(caller)
    key = idempotency_key(router.current_event.headers)
    scope = f"customer:{customer_id}"
    command = PayCommand(
        idempotency_key=key,
        scope=scope,
        customer_id=customer_id,
        amount=body.amount,
        currency=body.currency,
        method=PaymentMethodType(body.method),
        channel=Channel.PORTAL,
        actor=caller.actor,
        token=body.token,
        invoices=tuple((p.invoice_id, p.amount) for p in body.invoices) if body.invoices else None,
        account_number=body.account_number,
        expected_fee=body.expected_fee,
        description=f"{settings().agency_name} payment",
        request_id=cast(APIGatewayProxyEvent, router.current_event).request_context.request_id,
    )
    return run_once(
        "portal.payments",
        scope=scope,
        key=key,
        payload=body.model_dump(mode="json"),
        work=lambda: outcome_of(checkout(command, contact=None), location="/v1/portal/payments"),
        lambda_context=router.lambda_context,
    )


# --- shared with the guest payment route ------------------------------------------------------------------------


def quote_out(amount: int, method: str) -> QuoteOut:
    from arportal.services.payments import PaymentsConfig, fee_schedule, quote_fee

    s = settings()
    config = PaymentsConfig(s.currency, fee_schedule(s.convenience_fees), s.processor)
    fee = quote_fee(config, PaymentMethodType(method), amount)
    return QuoteOut(
        method=method,  # type: ignore[arg-type]  # validated as Method by the query model
        amount=MoneyOut.of(amount, s.currency),
        fee=MoneyOut.of(fee, s.currency),
        total=MoneyOut.of(amount + fee, s.currency),
    )


def checkout(command: PayCommand, *, contact: Contact | None) -> Checkout:
    from arportal.services.receipts import pay_and_confirm

    ledger, processor, config, services = wiring()
    return pay_and_confirm(
        command,
        ledger=ledger,
        processor=processor,
        config=config,
        services=services,
        contact=contact,
        now=clock.now(),
    )


def outcome_of(done: Checkout, *, location: str | None) -> Outcome:
    """201 with the payment and its receipt, or 402 with the decline: both are stored and replayed as they are."""
    payment = PaymentOut.of_checkout(done)
    if done.result.payment.status is PaymentStatus.FAILED and done.advice is not None:
        details = DeclineDetailsOut(
            decline_code=done.advice.code,
            next_step=done.advice.next_step,
            retryable=done.advice.retryable,
            payment=payment,
        )
        body = {
            "error": {
                "code": "payment_declined",
                "message": done.advice.message,
                "details": details.model_dump(mode="json"),
            }
        }
        return Outcome(int(HTTPStatus.PAYMENT_REQUIRED), body)
    out = PayOut(payment=payment, receipt=ReceiptOut.of_checkout(done))
    headers = {"Location": f"{location}/{done.result.payment.payment_id}"} if location else None
    return Outcome(int(HTTPStatus.CREATED), out.model_dump(mode="json"), headers)


def wiring() -> tuple[DynamoPaymentLedger, PaymentProcessor, PaymentsConfig, ReceiptServices]:
    # Imported here, not at module level: the portal's other routes never pay for the PDF writer, S3 or SES.
    from arportal.adapters.dynamodb.documents import DynamoDocuments
    from arportal.adapters.dynamodb.posting import DynamoPaymentLedger
    from arportal.adapters.pdf.receipt import PdfReceiptRenderer
    from arportal.adapters.processors import processor_for
    from arportal.adapters.s3 import S3DocumentStore
    from arportal.adapters.ses import SesMailer
    from arportal.services.payments import PaymentsConfig, fee_schedule
    from arportal.services.receipts import ReceiptServices

    s = settings()
    processor = processor_for(s)
    ledger = DynamoPaymentLedger(s.ledger_table, s.audit_table)
    services = ReceiptServices(
        records=ledger,
        documents=DynamoDocuments(s.ledger_table),
        files=S3DocumentStore(s.documents_bucket),
        mailer=SesMailer(s.sender_email),
        renderer=PdfReceiptRenderer(),
        agency_name=s.agency_name,
        portal_url=s.web_origin if s.web_origin.startswith("https://") else None,
    )
    return ledger, processor, PaymentsConfig(s.currency, fee_schedule(s.convenience_fees), processor.name), services
