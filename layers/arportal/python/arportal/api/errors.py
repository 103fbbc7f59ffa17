"""One table from error to HTTP status, and the one error body: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, ConfigDict, Field

from arportal.domain.errors import (
    ActionRequiredError,
    BusinessRuleError,
    ConflictError,
    DependencyError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
)


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(description="Stable and machine-readable, e.g. `not_found`, `validation_failed`")
    message: str = Field(description="For people: what went wrong and what to do")
    details: Any = Field(
        description="Depends on the code: `[{field, reason}]` for `validation_failed`, an object or null otherwise"
    )


class ErrorResponse(BaseModel):
    """The body of every error answer, whatever its status: ``{"error": {"code", "message", "details"}}``.
    ``/openapi.json`` documents every 4xx and 5xx answer with this schema."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    error: ErrorBody


class ApiError(Exception):
    """An error raised at the HTTP edge itself (authentication, body size, malformed JSON)."""

    def __init__(self, status: HTTPStatus, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


STATUS_OF: dict[type[DomainError], HTTPStatus] = {
    NotFoundError: HTTPStatus.NOT_FOUND,
    UnauthorizedError: HTTPStatus.UNAUTHORIZED,
    ForbiddenError: HTTPStatus.FORBIDDEN,
    ConflictError: HTTPStatus.CONFLICT,
    BusinessRuleError: HTTPStatus.UNPROCESSABLE_ENTITY,
    DependencyError: HTTPStatus.SERVICE_UNAVAILABLE,
    ActionRequiredError: HTTPStatus.PAYMENT_REQUIRED,  # raised, so never stored as the key's answer
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
    """Pydantic/Powertools error entries as ``{"field", "reason"}`` a person (or a form) can act on.

    Every shape is taken: a field's error (``loc`` its path: ``("body", "invoices", 0, "amount")`` ->
    ``invoices.0.amount``; ``("query", "limit")`` -> ``query.limit``), a model-level validator's (empty ``loc``, or
    just ``("body",)``) -> ``body``, entries with no ``msg`` or a ``loc`` that is not a sequence; never the input."""
    details: list[dict[str, str]] = []
    for err in errors or []:
        entry = err if isinstance(err, Mapping) else {}
        loc = entry.get("loc")
        parts = loc if isinstance(loc, list | tuple) else () if loc is None else (loc,)
        location = [str(p) for p in parts]
        if location[:1] == ["body"]:
            location = location[1:]
        if entry.get("type") == "json_invalid":
            location = []  # the position in the text, not a field
        reason = str(entry.get("msg") or "invalid").removeprefix("Value error, ").removeprefix("Assertion failed, ")
        detail = {"field": ".".join(location) or "body", "reason": reason}
        if detail not in details:
            details.append(detail)
    return details
