"""Staff route: email a receipt again (to a given address, else the payer's on file), logged as an interaction."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_staff
from arportal.config import settings
from arportal.domain.permissions import Permission
from staff_api.schemas_actions import ReceiptEmailedOut, ReceiptEmailIn

router = new_router()


@router.post(
    "/v1/staff/receipts/<receiptId>/email",
    tags=["staff"],
    summary="Email a receipt again (Idempotency-Key); the customer's record logs it",
    responses={
        200: {
            "description": "Sent (or not: `problems`)",
            "content": {"application/json": {"model": ReceiptEmailedOut}},
        },
        404: {"description": "No such receipt"},
        422: {"description": "No address to send it to"},
    },
)
def email_receipt(
    receiptId: Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{3,40}$")],
    body: Annotated[ReceiptEmailIn, Body()],
) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.RECEIPTS_SEND)
    key = idempotency_key(router.current_event.headers)
    scope = f"staff:{caller.actor}"

    def work() -> Outcome:
        from arportal.adapters.dynamodb.documents import DynamoDocuments
        from arportal.adapters.dynamodb.posting import DynamoPaymentPosting
        from arportal.adapters.dynamodb.staff_actions import DynamoStaffActionStore
        from arportal.adapters.dynamodb.staff_commands import DynamoInteractionStore
        from arportal.adapters.pdf.receipt import PdfReceiptRenderer
        from arportal.adapters.s3 import S3DocumentStore
        from arportal.adapters.ses import SesMailer
        from arportal.services.receipts import ReceiptServices
        from arportal.services.staff_payments import resend_receipt

        s = settings()
        services = ReceiptServices(
            records=DynamoPaymentPosting(s.ledger_table, s.audit_table),
            documents=DynamoDocuments(s.ledger_table),
            files=S3DocumentStore(s.documents_bucket),
            mailer=SesMailer(s.sender_email),
            renderer=PdfReceiptRenderer(),
            agency_name=s.agency_name,
            portal_url=s.web_origin if s.web_origin.startswith("https://") else None,
        )
        sent = resend_receipt(
            receiptId.upper(),
            to=body.to,
            actor=caller.actor,
            idempotency_key=key,
            owners=DynamoStaffActionStore(s.ledger_table, s.audit_table),
            services=services,
            interactions=DynamoInteractionStore(s.ledger_table, s.audit_table),
            now=clock.now(),
        )
        return Outcome(
            int(HTTPStatus.OK),
            {
                "receipt_number": sent.receipt_number,
                "payment_id": sent.payment_id,
                "emailed_to": list(sent.emailed_to),
                "problems": list(sent.problems),
                "interaction_id": sent.interaction_id,
            },
        )

    return run_once(
        "staff.receipt_email",
        scope=scope,
        key=key,
        payload={"receipt": receiptId.upper(), "body": body.model_dump(mode="json")},
        work=work,
        lambda_context=router.lambda_context,
    )
