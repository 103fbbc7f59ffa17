"""The resolver every API handler starts from: validation on, one error format, guards before routing."""

from __future__ import annotations

import os
from http import HTTPStatus
from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api import request_guard
from arportal.api.errors import SECURITY_HEADERS, ApiError, domain_error_response, error_response, validation_details
from arportal.api.identity import caller_from_claims
from arportal.config import settings
from arportal.domain.errors import DomainError
from arportal.domain.identity import Caller

MAX_BODY_BYTES = request_guard.MAX_BODY_BYTES
PROCESSOR_WEBHOOKS = request_guard.PROCESSOR_WEBHOOKS
logger = Logger(service="arportal")


def _security_headers(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    response = next_middleware(app)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def build_resolver() -> APIGatewayRestResolver:
    # The web front-ends' origin (CloudFront) is set by CDK; locally everything is one origin, so "*" is harmless.
    # Read here rather than from settings() so importing a handler needs no environment at all.
    origin = os.environ.get("WEB_ORIGIN") or "*"
    app = APIGatewayRestResolver(
        enable_validation=True,
        debug=False,  # pinned: POWERTOOLS_EVENT_HANDLER_DEBUG would print every event, bodies and paths included
        cors=CORSConfig(allow_origin=origin, allow_headers=["Authorization", "Idempotency-Key"], max_age=600),
    )
    # Who may call, the body's size, encoding, type and shape, path ids and card numbers: before Powertools
    # validates anything (arportal/api/request_guard.py).
    request_guard.install(app)
    app.use(middlewares=[_security_headers])

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[str]:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_failed",
            "the request has invalid fields",
            validation_details(error.errors()),
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(_: RequestUnsupportedContentType) -> Response[str]:
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as JSON: application/json"
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
