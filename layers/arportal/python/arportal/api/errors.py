"""One table from error to HTTP status, and the one error body: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from arportal.domain.errors import (
    BusinessRuleError,
    ConflictError,
    DependencyError,
    DomainError,
    ForbiddenError,
    NotFoundError,
)


class ApiError(Exception):
    """An error raised at the HTTP edge itself (authentication, body size, malformed JSON)."""

    def __init__(self, status: HTTPStatus, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


STATUS_OF: dict[type[DomainError], HTTPStatus] = {
    NotFoundError: HTTPStatus.NOT_FOUND,
    ForbiddenError: HTTPStatus.FORBIDDEN,
    ConflictError: HTTPStatus.CONFLICT,
    BusinessRuleError: HTTPStatus.UNPROCESSABLE_ENTITY,
    DependencyError: HTTPStatus.SERVICE_UNAVAILABLE,
}

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def error_response(status: HTTPStatus | int, code: str, message: str, details: Any = None) -> Response[str]:
    body = {"error": {"code": code, "message": message, "details": details}}
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, default=str),
        headers=dict(SECURITY_HEADERS),
    )


def domain_error_response(error: DomainError) -> Response[str]:
    status = next(
        (s for cls, s in STATUS_OF.items() if isinstance(error, cls)),
        HTTPStatus.UNPROCESSABLE_ENTITY,
    )
    return error_response(status, error.code, error.message, error.details)


def validation_details(errors: Any) -> list[dict[str, str]]:
    """Pydantic/Powertools error entries as ``{"field", "reason"}`` a person (or a form) can act on."""
    details = []
    for err in errors or []:
        location = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        details.append({"field": ".".join(location) or "body", "reason": str(err.get("msg", "invalid"))})
    return details
