"""Staff routes: may a returned ACH debit be presented again, and present it (``services/representment.py``).

Reading the answer needs only what reading the payment needs; presenting debits the payer's bank account again,
so it is finance's decision (``finance.manage``), as the return itself came in through finance's bank files.
"""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_staff
from arportal.api.parameters import PaymentIdPath
from arportal.domain.permissions import Permission
from arportal.wiring import staff, stores
from staff_api.schemas_representment import RepresentedOut, RepresentmentOut

router = new_router()


@router.get(
    "/v1/staff/payments/<paymentId>/representment",
    tags=["staff"],
    summary="Whether a returned ACH debit may be presented again (R01/R09, at most 3 presentments within 180 days), "
    "and why not",
)
def get_representment(paymentId: PaymentIdPath) -> RepresentmentOut:
    from arportal import wiring
    from arportal.services.representment import eligibility

    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    wired = wiring.payments()
    answer = eligibility(paymentId, reads=staff.queries(), ledger=wired.ledger, now=clock.now())
    return RepresentmentOut.of(paymentId, answer)


@router.post(
    "/v1/staff/payments/<paymentId>/representments",
    tags=["staff"],
    summary="Present a returned ACH debit again: a new debit of the same bank account for the same invoices "
    "(Idempotency-Key; once per presentment whoever asks)",
    responses={
        201: {"description": "Presented", "content": {"application/json": {"model": RepresentedOut}}},
        404: {"description": "No such payment"},
        422: {"description": "Not a returned ACH debit, not R01/R09, presented 3 times, past 180 days, or an "
              "invoice it paid is paid since"},
    },
)  # fmt: skip
def post_representment(paymentId: PaymentIdPath) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.FINANCE_MANAGE)
    key = idempotency_key(router.current_event.headers)
    return run_once(
        "staff.representments",
        scope=f"staff:{caller.actor}",
        key=key,
        payload={"payment_id": paymentId},
        work=lambda: _represent(paymentId, caller.actor),
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


def _represent(payment_id: str, actor: str) -> Outcome:
    from arportal import wiring
    from arportal.services.representment import represent

    wired = wiring.payments(chained_audit=True)  # a staff decision: on the staff audit chain too
    done = represent(
        payment_id, actor=actor, reads=staff.queries(), ledger=wired.ledger,
        processor=wired.processor, config=wired.config, services=wired.receipts, now=clock.now(),
    )  # fmt: skip
    out = RepresentedOut.of(done).model_dump(mode="json")
    where = {"Location": f"/v1/staff/payments/{done.checkout.result.payment.payment_id}"}
    return Outcome(int(HTTPStatus.CREATED), out, where)
