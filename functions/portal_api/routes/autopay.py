"""Portal routes: enrol in autopay, quote and accept a payment plan, cancel either.

(``GET /v1/portal/schedules`` lists them: ``routes/schedules.py``.)
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import Outcome, idempotency_key, run_once
from arportal.api.identity import require_customer
from arportal.api.record_schemas import ScheduleOut
from arportal.config import settings
from arportal.domain.plans import PlannedInstalment
from arportal.wiring import portal, stores
from portal_api.schemas_autopay import AutopayIn, PlanChoice, QuoteIn, QuoteOut, ScheduleIn

if TYPE_CHECKING:
    from arportal.services.plans import PlanRequest

# Services are imported inside the routes, adapters built by the composition root on first use: a cold start
# serving another route never pays for them.
router = new_router()
_CREATED = {201: {"description": "Created", "content": {"application/json": {"model": ScheduleOut}}}}


def _plan_request(
    choice: PlanChoice, *, method: str | None = None, accepted: tuple[PlannedInstalment, ...] = ()
) -> PlanRequest:
    from arportal.services.plans import PlanRequest

    return PlanRequest(
        account_number=choice.account_number,
        invoice_ids=tuple(choice.invoice_ids),
        instalment_count=choice.instalment_count,
        frequency=choice.frequency,
        first_due_date=choice.first_due_date,
        payment_method_id=method,
        accepted=accepted,
    )


@router.post(
    "/v1/portal/schedules:quote",
    tags=["portal"],
    summary="Quote a payment plan: the instalments (dates and amounts) for chosen invoices",
)
def quote_plan(body: QuoteIn) -> QuoteOut:
    from arportal.services import plans

    customer_id = require_customer(current_caller(router))
    quote = plans.quote(stores.payment_posting(), customer_id, _plan_request(body), today=clock.today())
    return QuoteOut.of(quote)


@router.post(
    "/v1/portal/schedules",
    tags=["portal"],
    summary="Enrol an account in autopay, or accept a quoted payment plan",
    responses=_CREATED,  # type: ignore[arg-type]
)
def create_schedule(body: Annotated[ScheduleIn, Body()]) -> Response[str]:
    from arportal.services import autopay, plans

    customer_id = require_customer(current_caller(router))
    key = idempotency_key(router.current_event.headers)

    def work() -> Outcome:
        now = clock.now()
        ledger, schedules, methods = stores.payment_posting(), stores.schedules(), portal.payment_methods()
        if isinstance(body, AutopayIn):
            created = autopay.enrol(
                ledger,
                schedules,
                methods,
                customer_id,
                account_number=body.account_number,
                payment_method_id=body.payment_method_id,
                days_before_due=body.days_before_due,
                currency=settings().currency,
                idempotency_key=key,
                now=now,
            )
        else:
            accepted = tuple(PlannedInstalment(i.due_date, i.amount) for i in body.instalments)
            request = _plan_request(body, method=body.payment_method_id, accepted=accepted)
            created = plans.accept(ledger, schedules, methods, customer_id, request, idempotency_key=key, now=now)
        return Outcome(HTTPStatus.CREATED, ScheduleOut.of(created.schedule).model_dump(mode="json"))

    return run_once(
        "portal.create_schedule",
        scope=customer_id,
        key=key,
        payload=body.model_dump(mode="json"),
        work=work,
        lambda_context=router.lambda_context,
        persistence=stores.idempotency_records(),
    )


@router.delete(
    "/v1/portal/schedules/<schedule_id>",
    tags=["portal"],
    summary="Cancel an autopay enrolment or a payment plan (a charge waiting to be retried is not retried)",
)
def cancel_schedule(schedule_id: str) -> ScheduleOut:
    from arportal.services import autopay

    customer_id = require_customer(current_caller(router))
    schedule = autopay.cancel(stores.schedules(), customer_id, schedule_id, now=clock.now())
    return ScheduleOut.of(schedule)
