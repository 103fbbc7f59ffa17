"""Webhook endpoints (issue 13): register an agency system's URL for the events it wants, switch it on and off, read
its delivery log, replay, rotate its signing secret, send it a test event.

Called by an administrator (the console, with the person's access token: ``integrations.manage``) or by a connected
system (scope ``webhooks.manage``): ``integration_api/webhook_caller.py``. Every change is recorded as made by
``staff:<sub>`` or ``system:<client name>``.

The signing secret (``whsec_...``) is answered twice in an endpoint's life, and only then: when it is created, and
when it is rotated. Neither POST takes an Idempotency-Key: replaying the answer would mean keeping the secret.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from arportal.api.app import new_router
from arportal.api.errors import SECURITY_HEADERS
from arportal.api.parameters import WebhookEndpointIdPath
from arportal.wiring import webhooks
from integration_api.schemas_webhooks import (
    AttemptOut,
    AttemptsOut,
    EndpointIn,
    EndpointOut,
    EndpointPatchIn,
    EndpointsOut,
    NewEndpointOut,
    ReplayedDeliveryOut,
    ReplayIn,
    ReplayOut,
    RotatedSecretOut,
    RotateIn,
)
from integration_api.webhook_caller import webhook_manager

router = new_router()

COLLECTION = "/v1/integrations/webhooks"
ENDPOINT = f"{COLLECTION}/<endpointId>"
WHO = "an administrator, or a connected system with scope webhooks.manage"
ATTEMPTS_PAGE, ATTEMPTS_MAX_PAGE = 50, 200
TAGS = ["integrations"]

_FORBIDDEN: dict[int, OpenAPIResponse] = {
    401: {
        "description": "`unauthorized`: no access token, or one neither the staff nor the integrations pool issued "
        "(an ID token is not taken here)"
    },
    403: {
        "description": "`forbidden`: a staff member without integrations.manage, or a customer; or "
        "`insufficient_scope`: a connected system without integrations/webhooks.manage"
    },
}
_NOT_FOUND: dict[int, OpenAPIResponse] = {404: {"description": "`not_found`: no such endpoint"}}
_INVALID: dict[int, OpenAPIResponse] = {
    422: {
        "description": "`invalid_endpoint`: the URL is not https, is over 2 KB or names a private address, or an event "
        "type is unknown (`details: {field, reason}`); or `validation_failed`"
    },
}
_CONFLICT: dict[int, OpenAPIResponse] = {
    409: {"description": "`conflict`: the endpoint changed meanwhile; read it again and retry"},
}


def _ok(status: HTTPStatus, model: type[BaseModel], description: str) -> dict[int, OpenAPIResponse]:
    return {int(status): {"description": description, "content": {"application/json": {"model": model}}}}


def _json(status: HTTPStatus, body: BaseModel) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(),
        headers=dict(SECURITY_HEADERS),
    )


@router.get(
    COLLECTION,
    tags=TAGS,
    summary=f"Every webhook endpoint, enabled or not, and why one is off ({WHO})",
    responses={**_ok(HTTPStatus.OK, EndpointsOut, "The endpoints"), **_FORBIDDEN},
)
def list_endpoints() -> EndpointsOut:
    webhook_manager(router)
    return EndpointsOut(endpoints=[EndpointOut.of(e) for e in webhooks.list_endpoints()])


@router.post(
    COLLECTION,
    tags=TAGS,
    summary=f"Register a webhook endpoint; its signing secret is answered this once ({WHO})",
    responses={
        **_ok(HTTPStatus.CREATED, NewEndpointOut, "Registered: the endpoint, with its whsec_ secret (shown once)"),
        **_FORBIDDEN,
        **_INVALID,
    },
)
def create_endpoint(body: Annotated[EndpointIn, Body()]) -> Response[str]:
    caller = webhook_manager(router)
    endpoint, secret = webhooks.create_endpoint(
        body.url,
        list(body.event_types),
        description=body.description,
        rate_limit=body.rate_limit,
        ed25519=body.ed25519,
        actor=caller.actor,
    )
    return _json(HTTPStatus.CREATED, NewEndpointOut.created(endpoint, secret))


@router.get(
    ENDPOINT,
    tags=TAGS,
    summary=f"One webhook endpoint (never its secret) ({WHO})",
    responses={**_ok(HTTPStatus.OK, EndpointOut, "The endpoint"), **_FORBIDDEN, **_NOT_FOUND},
)
def get_endpoint(endpointId: WebhookEndpointIdPath) -> EndpointOut:
    webhook_manager(router)
    return EndpointOut.of(webhooks.get_endpoint(endpointId))


@router.patch(
    ENDPOINT,
    tags=TAGS,
    summary=f"Change an endpoint: url, description, event types, rate limit, Ed25519, switch it on or off ({WHO})",
    responses={
        **_ok(HTTPStatus.OK, EndpointOut, "The endpoint as changed"),
        **_FORBIDDEN,
        **_NOT_FOUND,
        **_CONFLICT,
        **_INVALID,
    },
)
def update_endpoint(endpointId: WebhookEndpointIdPath, body: Annotated[EndpointPatchIn, Body()]) -> EndpointOut:
    caller = webhook_manager(router)
    return EndpointOut.of(webhooks.update_endpoint(endpointId, body.changes(), actor=caller.actor))


@router.delete(
    ENDPOINT,
    tags=TAGS,
    summary=f"Remove an endpoint and its signing secret ({WHO})",
    responses={204: {"description": "Removed"}, **_FORBIDDEN, **_NOT_FOUND},
)
def delete_endpoint(endpointId: WebhookEndpointIdPath) -> Response[str]:
    caller = webhook_manager(router)
    webhooks.delete_endpoint(endpointId, actor=caller.actor)
    return Response(status_code=HTTPStatus.NO_CONTENT, body="", headers=dict(SECURITY_HEADERS))


@router.get(
    f"{ENDPOINT}/attempts",
    tags=TAGS,
    summary=f"The endpoint's delivery log: every attempt, newest first ({WHO})",
    responses={
        **_ok(HTTPStatus.OK, AttemptsOut, "A page of attempts, and where the next starts"),
        **_FORBIDDEN,
        **_NOT_FOUND,
    },
)
def list_attempts(
    endpointId: WebhookEndpointIdPath,
    cursor: Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")] = None,
    limit: Annotated[
        int, Query(ge=1, le=ATTEMPTS_MAX_PAGE, description=f"Page size, 1-{ATTEMPTS_MAX_PAGE}")
    ] = ATTEMPTS_PAGE,
) -> AttemptsOut:
    webhook_manager(router)
    page = webhooks.attempts(endpointId, limit=limit, cursor=cursor)
    return AttemptsOut(attempts=[AttemptOut.of(a) for a in page.attempts], next_cursor=page.cursor)


@router.post(
    f"{ENDPOINT}/replay",
    tags=TAGS,
    summary="Send one event again (event_id), or every event of a time range (since, until; dry_run counts them "
    f"first) ({WHO})",
    responses={
        **_ok(HTTPStatus.OK, ReplayOut, "A dry run: what the range replay would send"),
        **_ok(HTTPStatus.ACCEPTED, ReplayOut, "Sent again: the deliveries go out at once (held if switched off)"),
        **_FORBIDDEN,
        **_NOT_FOUND,
    },
)
def replay(endpointId: WebhookEndpointIdPath, body: Annotated[ReplayIn, Body()]) -> Response[str]:
    caller = webhook_manager(router)
    if body.event_id is not None:
        delivery = webhooks.replay_event(endpointId, body.event_id, actor=caller.actor)
        answer = ReplayOut(dry_run=False, count=1, replayed=1, delivery=ReplayedDeliveryOut.of(delivery))
        return _json(HTTPStatus.ACCEPTED, answer)
    assert body.since is not None and body.until is not None  # ReplayIn's own rule
    result = webhooks.replay_range(
        endpointId,
        since=body.since,
        until=body.until,
        event_types=list(body.event_types) if body.event_types is not None else None,
        dry_run=body.dry_run,
        actor=caller.actor,
    )
    answer = ReplayOut(dry_run=result.dry_run, count=result.count, replayed=result.replayed, delivery=None)
    return _json(HTTPStatus.OK if result.dry_run else HTTPStatus.ACCEPTED, answer)


@router.post(
    f"{ENDPOINT}/rotate",
    tags=TAGS,
    summary="A new signing secret, answered this once; the old one keeps signing for overlap_hours (default 24) "
    f"({WHO})",
    responses={
        **_ok(HTTPStatus.OK, RotatedSecretOut, "The new secret, and until when the old one signs too"),
        **_FORBIDDEN,
        **_NOT_FOUND,
    },
)
def rotate_secret(
    endpointId: WebhookEndpointIdPath, body: Annotated[RotateIn | None, Body()] = None
) -> RotatedSecretOut:
    caller = webhook_manager(router)
    overlap = timedelta(hours=(body or RotateIn()).overlap_hours)
    secret, previous_until = webhooks.rotate_secret(endpointId, overlap=overlap, actor=caller.actor)
    return RotatedSecretOut(id=endpointId, secret=secret, previous_valid_until=previous_until)


@router.post(
    f"{ENDPOINT}/test",
    tags=TAGS,
    summary=f"Send the endpoint a signed test event now, and answer what came back ({WHO})",
    responses={
        **_ok(HTTPStatus.OK, AttemptOut, "The attempt, as the delivery log records it"),
        **_FORBIDDEN,
        **_NOT_FOUND,
    },
)
def send_test(endpointId: WebhookEndpointIdPath) -> AttemptOut:
    caller = webhook_manager(router)
    return AttemptOut.of(webhooks.send_test(endpointId, actor=caller.actor))
