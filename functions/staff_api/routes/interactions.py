"""Staff routes: a customer's interactions (newest first), and logging a new one (idempotent per key)."""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.idempotency import idempotency_key
from arportal.api.identity import require_staff
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, encode_cursor
from arportal.api.parameters import CustomerIdPath
from arportal.domain.permissions import Permission
from arportal.services import interactions
from arportal.wiring import staff
from staff_api.schemas_common import InteractionOut, list_start
from staff_api.schemas_interactions import InteractionCreatedOut, InteractionIn, InteractionsPageOut

router = new_router()


@router.get(
    "/v1/staff/customers/<customerId>/interactions", tags=["staff"], summary="A customer's interactions, newest first"
)
def list_interactions(
    customerId: CustomerIdPath,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> InteractionsPageOut:
    require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    cid = customerId.upper()
    start = list_start(cursor, staff.cursors().customer_list(cid, "interactions"))
    page = interactions.interactions(staff.queries(), cid, limit=limit, start=start)
    return InteractionsPageOut(
        interactions=[InteractionOut.of(i) for i in page.items], next_cursor=encode_cursor(page.next_key)
    )


@router.post(
    "/v1/staff/customers/<customerId>/interactions",
    tags=["staff"],
    summary="Log a call, counter visit, email, portal request or note (Idempotency-Key required)",
    responses={
        201: {"description": "Logged", "content": {"application/json": {"model": InteractionCreatedOut}}},
        200: {
            "description": "Logged before with this Idempotency-Key: the same interaction",
            "content": {"application/json": {"model": InteractionCreatedOut}},
        },
    },
)
def post_interaction(
    customerId: CustomerIdPath,
    interaction: Annotated[InteractionIn, Body()],
) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.INTERACTIONS_WRITE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    command = interactions.NewInteraction(
        customer_id=customerId.upper(),
        kind=interaction.kind,
        summary=interaction.summary,
        actor=caller.actor,
        idempotency_key=idempotency_key(event.headers),
        payment_id=interaction.payment_id,
        invoice_id=interaction.invoice_id,
        request_id=event.request_context.request_id,
    )
    logged = interactions.log_interaction(staff.interaction_store(), command, now=clock.now())
    body = InteractionCreatedOut(interaction=InteractionOut.of(logged.interaction), replayed=logged.replayed)
    return Response(
        status_code=200 if logged.replayed else 201,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
    )
