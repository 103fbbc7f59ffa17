"""The resolver every API handler starts from: validation on, one error format, guards before routing."""

from __future__ import annotations

import json
import os
from http import HTTPStatus
from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api.errors import SECURITY_HEADERS, ApiError, domain_error_response, error_response, validation_details
from arportal.api.identity import caller_from_claims
from arportal.config import settings
from arportal.domain.cards import card_number_paths
from arportal.domain.errors import DomainError
from arportal.domain.identity import Caller

MAX_BODY_BYTES = 1024 * 1024
PROCESSOR_WEBHOOKS = "/v1/processor/webhooks/"
logger = Logger(service="arportal")


def _body_guard(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Refuse oversized, non-JSON and card-bearing bodies before any route reads them."""
    body = app.current_event.body
    if body:
        if len(body.encode()) > MAX_BODY_BYTES:
            raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", f"at most {MAX_BODY_BYTES} bytes")
        try:
            parsed = json.loads(body)
        except ValueError as exc:
            raise ApiError(HTTPStatus.BAD_REQUEST, "malformed_json", f"the body is not valid JSON: {exc}") from exc
        paths = [] if _signed_by_processor(app.current_event.path) else list(card_number_paths(parsed))
        if paths:
            raise ApiError(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "card_number_rejected",
                "card numbers are never accepted here; use the payment form's secure card fields",
                [{"field": p, "reason": "looks like a card number"} for p in paths],
            )
    response = next_middleware(app)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _signed_by_processor(path: str) -> bool:
    """A processor's webhook carries its own ids, never a card number, and its signature is checked by the route:
    a transaction id that happens to be 13-19 Luhn-valid digits must not be refused, or it is resent forever."""
    return path.startswith(PROCESSOR_WEBHOOKS)


def build_resolver() -> APIGatewayRestResolver:
    # The web front-ends' origin (CloudFront) is set by CDK; locally everything is one origin, so "*" is harmless.
    # Read here rather than from settings() so importing a handler needs no environment at all.
    origin = os.environ.get("WEB_ORIGIN") or "*"
    app = APIGatewayRestResolver(
        enable_validation=True,
        cors=CORSConfig(allow_origin=origin, allow_headers=["Authorization", "Idempotency-Key"], max_age=600),
    )
    app.use(middlewares=[_body_guard])

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[str]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "the request has invalid fields",
            validation_details(error.errors()),
        )

    @app.exception_handler(ApiError)
    def _api_error(error: ApiError) -> Response[str]:
        return error_response(error.status, error.code, error.message, error.details)

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response[str]:
        return domain_error_response(error)

    @app.not_found
    def _not_found(_: Exception) -> Response[str]:
        event = app.current_event
        return error_response(HTTPStatus.NOT_FOUND, "not_found", f"no route {event.http_method} {event.path}", None)

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        # Log the whole story for operators; tell the client only that it failed and how to quote it.
        logger.exception("unhandled error")
        request_id = app.current_event.request_context.request_id
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side; quote the request id if you contact us",
            {"request_id": request_id},
        )

    return app


def new_router() -> Router:
    """A router for one concern's routes, included by the function's resolver."""
    return Router()  # type: ignore[no-untyped-call]  # Powertools leaves Router.__init__ unannotated


def current_caller(app: APIGatewayRestResolver | Router) -> Caller:
    """The verified caller of the request ``app`` (a resolver or one of its routers) is handling."""
    event = cast(APIGatewayProxyEvent, app.current_event)
    authorizer = event.request_context.authorizer
    claims = authorizer.claims if authorizer else None
    return caller_from_claims(claims, settings())
