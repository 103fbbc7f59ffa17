"""The sandbox processor's own API, kept apart from ours as a real processor's is: ``/sandbox/v1/*``.

- ``GET hosted-fields.js`` and ``GET fields.html``: the hosted fields a front-end embeds in an iframe; the card is
  typed into OUR iframe, posted to ``tokens`` from there, and only ``{token, brand, last4}`` reaches the page.
- ``POST tokens``: card or bank details -> ``{"id": "tok_...", "brand", "last4", "method"}``; 400 with
  ``{"field", "reason"}`` for each invalid field (Luhn, expiry, CVC, ABA checksum, not a test number).
- ``POST ach/{transaction_id}/settle|fail|return``: what the bank does to a pending ACH debit, reported to our
  API by a signed webhook (``{API_BASE_URL}/v1/processor/webhooks/sandbox``).

This function must receive card numbers, so it does not use ``arportal.api.app.build_resolver`` (whose body guard
refuses them) and never logs an event, a body or a validation input: only brands and last fours leave
``sandbox_cards``. No CORS: the tokens route answers only its own iframe, so no page can post a number to it.
"""

from __future__ import annotations

import json
import os
from functools import cache
from html import escape
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from arportal import clock
from arportal.api.errors import SECURITY_HEADERS, domain_error_response, error_response
from arportal.config import settings
from arportal.domain.errors import DomainError
from arportal.wiring import sandbox

logger = Logger(service="sandbox_api")
# debug and log_event are pinned off: POWERTOOLS_EVENT_HANDLER_DEBUG / POWERTOOLS_LOGGER_LOG_EVENT would print bodies.
app = APIGatewayRestResolver(debug=False)
STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 8 * 1024
WEBHOOK_PATH = "/v1/processor/webhooks/sandbox"


class SandboxApiSettings(BaseModel):
    """This function's own setting; the shared ones come from ``arportal.config.settings()``."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    api_base_url: str = Field(default="", alias="API_BASE_URL", description="Our API, where webhooks go")


def _own_settings() -> SandboxApiSettings:
    # Not cached: one field validated per simulation is nothing, and the local runtime changes it between tests.
    return SandboxApiSettings.model_validate(dict(os.environ))


class InvalidRequestError(Exception):
    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message, self.details = message, details


@app.post("/sandbox/v1/tokens")
def create_token() -> Response[str]:
    token = sandbox.tokenize(_json_body(), today=clock.today())
    return _json(
        HTTPStatus.CREATED, {"id": token.id, "brand": token.brand, "last4": token.last4, "method": token.method}
    )


@app.post("/sandbox/v1/ach/<transaction_id>/<action>")
def simulate_ach(transaction_id: str, action: str) -> Response[str]:
    if action not in sandbox.ACH_ACTIONS:
        return error_response(
            HTTPStatus.NOT_FOUND, "not_found", f"an ACH debit can be {', '.join(sandbox.ACH_ACTIONS)}"
        )
    # The hosted fields and tokens need no AWS client: the wiring builds the processor (and loads boto3) only here.
    result = sandbox.simulate_ach(transaction_id, action, webhook_url=_webhook_url())
    delivered = result.delivery.status is not None and 200 <= result.delivery.status < 300
    event = result.event
    return _json(
        HTTPStatus.OK if delivered else HTTPStatus.BAD_GATEWAY,
        {
            "event": {
                "id": event.event_id,
                "type": event.kind,
                "transaction_id": event.transaction_id,
                "amount": event.amount,
                "code": event.code,
            },
            # The debit's new state stands either way; repeating the call re-sends the same event.
            "delivery": {"url": result.delivery.url, "status": result.delivery.status, "body": result.delivery.body},
        },
    )


@app.get("/sandbox/v1/hosted-fields.js")
def hosted_fields_js() -> Response[str]:
    return Response(
        status_code=200,
        content_type="text/javascript; charset=utf-8",
        body=_static("hosted-fields.js"),
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@app.get("/sandbox/v1/fields.html")
def fields_html() -> Response[str]:
    parent = _parent_origin()
    html = _static("fields.html").replace("{{PARENT_ORIGIN}}", escape("" if parent == "*" else parent))
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=html,
        headers={
            **SECURITY_HEADERS,
            "Content-Security-Policy": (
                "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
                f"form-action 'none'; base-uri 'none'; frame-ancestors {_frame_ancestors(parent)}"
            ),
            "Referrer-Policy": "no-referrer",
        },
    )


@app.exception_handler(sandbox.InvalidDetailsError)
def _invalid_details(error: sandbox.InvalidDetailsError) -> Response[str]:
    return error_response(HTTPStatus.BAD_REQUEST, "invalid_request", "the payment details are not valid", error.details)


@app.exception_handler(InvalidRequestError)
def _invalid_request(error: InvalidRequestError) -> Response[str]:
    return error_response(HTTPStatus.BAD_REQUEST, "invalid_request", error.message, error.details)


@app.exception_handler(DomainError)
def _domain_error(error: DomainError) -> Response[str]:
    return domain_error_response(error)


@app.not_found
def _not_found(_: Exception) -> Response[str]:
    event = app.current_event
    return error_response(HTTPStatus.NOT_FOUND, "not_found", f"no route {event.http_method} {event.path}")


@app.exception_handler(Exception)
def _unexpected(error: Exception) -> Response[str]:
    # The type only: a message could quote the request, and the request may hold a card number.
    logger.error("unhandled error", extra={"error_type": type(error).__name__})
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "internal_error",
        "something went wrong in the sandbox",
        {"request_id": app.current_event.request_context.request_id},
    )


def _json_body() -> Any:
    body = app.current_event.decoded_body or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        raise InvalidRequestError(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except ValueError:
        raise InvalidRequestError("the body is not valid JSON") from None  # no echo of what was sent


def _json(status: HTTPStatus, payload: dict[str, Any]) -> Response[str]:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(payload),
        headers=dict(SECURITY_HEADERS),
    )


def _webhook_url() -> str:
    """``API_BASE_URL`` (set by CDK to the stage URL) or, locally, the host this request came to: the local
    gateway serves our API and the sandbox on one origin, whose port is only known once it listens."""
    base = _own_settings().api_base_url
    if not base:
        headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
        host = headers.get("host") or "localhost"
        scheme = headers.get("x-forwarded-proto") or "http"
        base = f"{scheme}://{host}"
    return base.rstrip("/") + WEBHOOK_PATH


def _parent_origin() -> str:
    """The one origin allowed to embed the fields and receive tokens: the web front-ends' (``*`` locally)."""
    return settings().web_origin or "*"


def _frame_ancestors(parent: str) -> str:
    return "'self'" if parent == "*" else f"'self' {parent}"


@cache
def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
