"""What every API request passes before Powertools validates it, in this order:

1. **Who** (staff, portal and integration routes): a staff route needs a staff caller holding the route's
   permission (``STAFF_ROUTE_PERMISSIONS``), a portal route a customer caller, linked to a customer record except on
   ``PORTAL_UNLINKED_ROUTES``, an integration route a connected system (each route checks its own scope), or on
   ``INTEGRATION_ADMIN_ROUTES`` (the webhook endpoints) an administrator holding the route's permission too.
   401 / 403 whatever the body: a customer learns nothing about a staff route's fields.
2. **The body**: at most ``MAX_BODY_BYTES`` (413), UTF-8 (400), ``application/json`` on a route that takes a body
   (415: text/plain, forms and multipart never reach Powertools' parsers), and JSON this API can hold (400
   ``malformed_json``): no NaN or Infinity, no number longer than ``MAX_NUMBER_DIGITS`` digits (Python refuses to
   read integers past 4,300 digits), nesting at most ``MAX_DEPTH`` deep, no lone surrogate (it cannot be stored).
   A ``RAW_BODY_ROUTES`` route (a bank file) takes any bytes and Content-Type up to its own limit instead.
3. **Card numbers** (``arportal.domain.cards``) in every body value and key (not a ``RAW_BODY_ROUTES`` file's), the
   path, every query parameter name and value, and the ``Idempotency-Key`` header (it is stored): 422
   ``card_number_rejected`` naming each field, never the value. The processor's signed webhooks are exempt in their
   body only, and a Cognito client secret's id in its own route's path (``TIMESTAMPED_PATH_IDS``) in its timestamp
   only.
4. **Path ids**: every path parameter is an id (letters, digits, ``_`` and ``-``, at most 128), else 422 naming it:
   ``#`` is our keys' delimiter, and ``pay_1#AUDIT`` must never be looked up as if it were an id.

Then Powertools validates the request against the route's models (422 ``validation_failed``) and the route runs.
``install`` puts ``check`` in front of Powertools' request validation, which otherwise runs before every middleware,
and redacts card numbers from Powertools' own DEBUG line naming an unmatched path (``RedactCardNumbers``).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api.errors import ApiError
from arportal.api.identity import caller_from_claims, require_customer, require_machine, require_staff
from arportal.config import settings
from arportal.domain.cards import KEY_PLACEHOLDER, card_number_paths, looks_like_card_number, redact_card_numbers
from arportal.domain.identity import Audience
from arportal.domain.permissions import Permission

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 64
PROCESSOR_WEBHOOKS = "/v1/processor/webhooks/"
POWERTOOLS_RESOLVER_LOGGER = "aws_lambda_powertools.event_handler.api_gateway"
STAFF_PREFIX, PORTAL_PREFIX, INTEGRATIONS_PREFIX = "/v1/staff/", "/v1/portal/", "/v1/integrations/"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_PATH_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_JSON_MEDIA = re.compile(r"application/(?:[a-z0-9.+-]+\+)?json")

P = Permission
# Each staff route's permission, as the route itself checks it (tests/integration/test_bad_input.py holds every
# staff route to an entry here that names the permission its code names).
STAFF_ROUTE_PERMISSIONS: dict[tuple[str, str], Permission] = {
    ("GET", "/v1/staff/search"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/departments"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/audit"): P.AUDIT_READ,
    ("GET", "/v1/staff/activity"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/reports/collections"): P.REPORTS_READ,
    ("GET", "/v1/staff/reports/exceptions"): P.REPORTS_READ,
    ("GET", "/v1/staff/reports/metrics"): P.REPORTS_READ,
    ("GET", "/v1/staff/reports/metrics/payments"): P.REPORTS_READ,
    ("POST", "/v1/staff/payments"): P.PAYMENTS_TAKE,
    ("GET", "/v1/staff/payments:quote"): P.PAYMENTS_TAKE,
    ("POST", "/v1/staff/adjustments"): P.EXCEPTIONS_REQUEST,
    ("GET", "/v1/staff/approvals"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/customers/<customerId>"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/customers/<customerId>/payments"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/customers/<customerId>/invoices"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/customers/<customerId>/balances"): P.CUSTOMERS_READ,
    ("GET", "/v1/staff/customers/<customerId>/interactions"): P.CUSTOMERS_READ,
    ("POST", "/v1/staff/customers/<customerId>/interactions"): P.INTERACTIONS_WRITE,
    ("GET", "/v1/staff/customers/<customerId>/duplicates"): P.CUSTOMERS_READ,
    ("POST", "/v1/staff/customers/<customerId>/credit-applications"): P.PAYMENTS_TAKE,
    ("GET", "/v1/staff/payments/<paymentId>"): P.CUSTOMERS_READ,
    ("POST", "/v1/staff/payments/<paymentId>/refunds"): P.EXCEPTIONS_REQUEST,
    ("POST", "/v1/staff/payments/<paymentId>/voids"): P.EXCEPTIONS_REQUEST,
    ("POST", "/v1/staff/payments/<paymentId>/reversals"): P.EXCEPTIONS_REQUEST,
    ("POST", "/v1/staff/approvals/<approvalId>/decision"): P.APPROVALS_DECIDE,
    ("POST", "/v1/staff/receipts/<receiptId>/email"): P.RECEIPTS_SEND,
    ("GET", "/v1/staff/staff-members"): P.ADMIN_USERS,
    ("POST", "/v1/staff/staff-members"): P.STAFF_INVITE,
    ("GET", "/v1/staff/integrations/clients"): P.INTEGRATIONS_MANAGE,
    ("POST", "/v1/staff/integrations/clients/<clientId>/secrets"): P.INTEGRATIONS_MANAGE,
    ("DELETE", "/v1/staff/integrations/clients/<clientId>/secrets/<secretId>"): P.INTEGRATIONS_MANAGE,
    ("POST", "/v1/staff/integrations/imports"): P.INTEGRATIONS_MANAGE,
    ("GET", "/v1/staff/integrations/imports/<importId>"): P.INTEGRATIONS_MANAGE,
    ("POST", "/v1/staff/integrations/imports/<importId>:start"): P.INTEGRATIONS_MANAGE,
    ("GET", "/v1/staff/integrations/imports/templates/<kind>.csv"): P.INTEGRATIONS_MANAGE,
    # GL journals (issue 14): read by finance.read, marked imported and corrected by finance.manage
    # Settlement (issue 14): payouts, deposits and reconciliation items; confirmed and resolved by finance.manage
    ("GET", "/v1/staff/finance/payouts"): P.FINANCE_READ,
    ("GET", "/v1/staff/finance/deposits"): P.FINANCE_READ,
    ("POST", "/v1/staff/finance/deposits/<depositId>/confirm"): P.FINANCE_MANAGE,
    ("GET", "/v1/staff/finance/reconciliation-items"): P.FINANCE_READ,
    ("POST", "/v1/staff/finance/reconciliation-items/<itemId>/resolve"): P.FINANCE_MANAGE,
    ("GET", "/v1/staff/finance/journals"): P.FINANCE_READ,
    ("GET", "/v1/staff/finance/journals/<batchId>"): P.FINANCE_READ,
    ("POST", "/v1/staff/finance/journals/<batchId>/imported"): P.FINANCE_MANAGE,
    ("POST", "/v1/staff/finance/journals/<batchId>/corrections"): P.FINANCE_MANAGE,
    ("POST", "/v1/staff/finance/journals/corrections/<correctionId>/decision"): P.FINANCE_MANAGE,
    # The counter's drawer close-out and its deposit slip; the daily close; a payment's trail (issue 14)
    ("POST", "/v1/staff/finance/drawers/<terminal>/close"): P.DRAWER_CLOSE,
    ("GET", "/v1/staff/finance/deposits/<depositId>/slip"): P.DRAWER_CLOSE,
    ("POST", "/v1/staff/finance/close"): P.FINANCE_MANAGE,
    ("GET", "/v1/staff/finance/close"): P.FINANCE_READ,
    ("GET", "/v1/staff/payments/<paymentId>/trail"): P.CUSTOMERS_READ,
    # Bank accounts and bank files (issue 15): read by finance.read; a file is sent by finance.manage
    ("GET", "/v1/staff/finance/bank-accounts"): P.FINANCE_READ,
    ("POST", "/v1/staff/finance/bank-files"): P.FINANCE_MANAGE,
    ("GET", "/v1/staff/finance/bank-files"): P.FINANCE_READ,
    ("GET", "/v1/staff/finance/bank-files/<fileId>"): P.FINANCE_READ,
    # The unmatched queue of bank lines and the ACH return-rate monitor (issue 15)
    ("GET", "/v1/staff/finance/bank-lines"): P.FINANCE_READ,
    ("GET", "/v1/staff/finance/bank-lines/<lineKey>"): P.FINANCE_READ,
    ("POST", "/v1/staff/finance/bank-lines/<lineKey>/decision"): P.FINANCE_MANAGE,
    ("GET", "/v1/staff/finance/return-rates"): P.FINANCE_READ,
    # Presenting a returned R01/R09 ACH debit again: read like the payment, decided by finance (issue 15)
    ("GET", "/v1/staff/payments/<paymentId>/representment"): P.CUSTOMERS_READ,
    ("POST", "/v1/staff/payments/<paymentId>/representments"): P.FINANCE_MANAGE,
}
# Integration routes an administrator may call as well as a connected system (the route checks the system's scope):
# the webhook endpoints, managed in the console with the staff member's access token (infrastructure/catalog.py,
# Auth.ADMIN_OR_MACHINE). tests/integration/test_webhook_endpoints_api.py holds every webhook route to an entry.
_WEBHOOK = "/v1/integrations/webhooks/<endpointId>"
INTEGRATION_ADMIN_ROUTES: dict[tuple[str, str], Permission] = {
    ("GET", "/v1/integrations/webhooks"): P.INTEGRATIONS_MANAGE,
    ("POST", "/v1/integrations/webhooks"): P.INTEGRATIONS_MANAGE,
    ("GET", _WEBHOOK): P.INTEGRATIONS_MANAGE,
    ("PATCH", _WEBHOOK): P.INTEGRATIONS_MANAGE,
    ("DELETE", _WEBHOOK): P.INTEGRATIONS_MANAGE,
    ("GET", f"{_WEBHOOK}/attempts"): P.INTEGRATIONS_MANAGE,
    ("POST", f"{_WEBHOOK}/replay"): P.INTEGRATIONS_MANAGE,
    ("POST", f"{_WEBHOOK}/rotate"): P.INTEGRATIONS_MANAGE,
    ("POST", f"{_WEBHOOK}/test"): P.INTEGRATIONS_MANAGE,
}
# Routes whose body is a file taken as it comes, any Content-Type, up to its own limit: the bank statements (issue
# 15). Neither read as JSON nor searched for card numbers: a statement's account numbers and trace numbers pass the
# Luhn check one time in ten, and what a bank reports of a payer is never a card number.
BANK_FILE_MAX_BYTES = 10 * 1024 * 1024
RAW_BODY_ROUTES: dict[tuple[str, str], int] = {
    ("POST", "/v1/staff/finance/bank-files"): BANK_FILE_MAX_BYTES,
    ("POST", "/v1/integrations/bank-files"): BANK_FILE_MAX_BYTES,
}
# Path parameters that hold an id AWS makes from a millisecond timestamp: a Cognito client secret's is
# '<client id>--<epoch ms>', 13 digits that pass the Luhn check one time in ten (so one secret in ten could not be
# retired). Only that exact shape, after the route's own client id, is spared the card check, and only its digits.
TIMESTAMPED_PATH_IDS: dict[tuple[str, str], tuple[str, str]] = {
    ("DELETE", "/v1/staff/integrations/clients/<clientId>/secrets/<secretId>"): ("secretId", "clientId"),
}
_EPOCH_MILLIS = re.compile(r"--\d{13}")
# Portal routes a signed-in customer may use before their sign-in is linked to a customer record.
PORTAL_UNLINKED_ROUTES = frozenset({("POST", "/v1/portal/accounts:link")})


class _Number(str):
    """A JSON number kept as its text: what a card number could hide in, never converted (see ``_parse``)."""


class RedactCardNumbers(logging.Filter):
    """Powertools logs an unmatched path at DEBUG before any check can refuse it: the record's text is redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if looks_like_card_number(message):
            record.msg, record.args = redact_card_numbers(message), ()
        return True


def install(app: APIGatewayRestResolver) -> None:
    """Run ``check`` before Powertools' request validation on every route, the not-found route included.

    Powertools runs its validation before any middleware added with ``use``; it keeps it on the resolver as
    ``_request_validation_middleware`` (3.2x), or as the first global middleware (earlier 3.x)."""
    powertools_log = logging.getLogger(POWERTOOLS_RESOLVER_LOGGER)
    if not any(isinstance(f, RedactCardNumbers) for f in powertools_log.filters):
        powertools_log.addFilter(RedactCardNumbers())
    validation = getattr(app, "_request_validation_middleware", None)

    def request_guard(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
        check(app)
        if validation is None:
            return next_middleware(app)
        return cast(Response[Any], validation(app, next_middleware))

    if validation is not None:
        app._request_validation_middleware = request_guard  # type: ignore[assignment]
    else:
        app._router_middlewares = [request_guard, *app._router_middlewares]


def check(app: APIGatewayRestResolver) -> None:
    event = app.current_event
    route = app.context.get("_route")
    method, template = event.http_method.upper(), str(getattr(route, "path", ""))
    if method == "OPTIONS":  # CORS preflight: no token, no body
        return
    _authorize(event, method, template)
    takes_body = bool(route is not None and route.dependant.body_params)
    raw_limit = RAW_BODY_ROUTES.get((method, template))
    if raw_limit is None:
        parsed = _read_body(event, takes_body=takes_body)
    else:
        _check_raw_size(event, raw_limit)
        parsed = None
    route_args = cast(dict[str, Any], app.context.get("_route_args") or {})
    _refuse_card_numbers(
        event, parsed, _path_to_check(event.path, TIMESTAMPED_PATH_IDS.get((method, template)), route_args)
    )
    _check_path_ids(route_args)


# --- 1. who -----------------------------------------------------------------------------------------------


def _authorize(event: APIGatewayProxyEvent, method: str, template: str) -> None:
    path = event.path
    if not path.startswith((STAFF_PREFIX, PORTAL_PREFIX, INTEGRATIONS_PREFIX)):
        return
    authorizer = event.request_context.authorizer
    caller = caller_from_claims(authorizer.claims if authorizer else None, settings())
    if path.startswith(INTEGRATIONS_PREFIX):
        admin_permission = INTEGRATION_ADMIN_ROUTES.get((method, template))
        if admin_permission is None or caller.audience is Audience.MACHINE:
            require_machine(caller)
        elif caller.audience is Audience.STAFF:
            require_staff(caller, admin_permission)
        else:
            raise ApiError(HTTPStatus.FORBIDDEN, "forbidden", "this route is for administrators and connected systems")
    elif path.startswith(STAFF_PREFIX):
        permission = STAFF_ROUTE_PERMISSIONS.get((method, template))
        if permission is not None:
            require_staff(caller, permission)
        elif caller.audience is not Audience.STAFF:
            raise ApiError(HTTPStatus.FORBIDDEN, "forbidden", "this route is for staff")
    elif (method, template) in PORTAL_UNLINKED_ROUTES:
        if caller.audience is not Audience.CUSTOMER:
            raise ApiError(HTTPStatus.FORBIDDEN, "forbidden", "this route is for customers")
    else:
        require_customer(caller)


# --- 2. path ids --------------------------------------------------------------------------------------------


def _check_path_ids(route_args: dict[str, Any]) -> None:
    bad = [
        {"field": f"path.{name}", "reason": "an id: letters, digits, '_' and '-', at most 128"}
        for name, value in route_args.items()
        if not (isinstance(value, str) and _PATH_ID.fullmatch(value))
    ]
    if bad:
        raise ApiError(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_failed", "the request has invalid fields", bad)


# --- 3. the body --------------------------------------------------------------------------------------------


def _malformed(reason: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, "malformed_json", f"the body is not JSON this API accepts: {reason}")


def _read_body(event: APIGatewayProxyEvent, *, takes_body: bool) -> Any:
    """The body as text, parsed for the card check when the route takes JSON (``_Number`` for numbers); None
    when there is none. Raises 413, 415 or 400 as the module says."""
    if takes_body:
        _check_content_type(event.headers.get("content-type"))
    raw = event.body
    if not raw:
        return None
    if event.is_base64_encoded:
        if len(raw) > MAX_BODY_BYTES * 4 // 3 + 4:
            raise _too_large()
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _malformed("the body's base64 encoding is broken") from exc
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not takes_body:
            return data.decode("utf-8", "replace")
        raise _malformed(f"it is not UTF-8 (byte {exc.start})") from exc
    if not takes_body:
        return text  # nothing reads it; only the card check looks at it
    return _parse(text)


def _check_raw_size(event: APIGatewayProxyEvent, limit: int) -> None:
    raw = event.body or ""
    size = len(raw) * 3 // 4 - raw.count("=") if event.is_base64_encoded else len(raw.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ApiError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "body_too_large",
            f"the file is {size} bytes; at most {limit} are taken here: drop a larger file in the import bucket "
            "under bank-files/inbox/",
        )


def _too_large() -> ApiError:
    return ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", f"at most {MAX_BODY_BYTES} bytes")


def _check_content_type(header: str | None) -> None:
    if header is None or not header.strip():
        return  # no Content-Type: read as JSON, as Powertools does
    media, *params = (part.strip() for part in header.split(";"))
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in params if p.lower().startswith("charset=")), None)
    if _JSON_MEDIA.fullmatch(media.lower()) and (charset is None or charset.lower() in {"utf-8", "utf8"}):
        return
    raise ApiError(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as JSON: Content-Type: application/json (UTF-8)",
        [{"field": "header.Content-Type", "reason": "application/json expected"}],
    )


def _refuse_constant(name: str) -> Any:
    raise _malformed(f"{name} is not a JSON number")


def _number(literal: str) -> _Number:
    if sum(c.isdigit() for c in literal) > MAX_NUMBER_DIGITS:
        raise _malformed(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return _Number(literal)


def _parse(text: str) -> Any:
    try:
        parsed = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise _malformed(f"nested more than {MAX_DEPTH} deep") from exc
    except ValueError as exc:  # JSONDecodeError included
        raise _malformed(str(exc)) from exc
    _check_shape(parsed)
    return parsed


def _check_shape(value: Any) -> None:
    """Nesting depth and lone surrogates, without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise _malformed(f"nested more than {MAX_DEPTH} deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str) and not isinstance(item, _Number):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise _malformed("a string holds a lone surrogate (\\ud800-\\udfff)") from exc


# --- 4. card numbers ----------------------------------------------------------------------------------------


def _path_to_check(path: str, timestamped: tuple[str, str] | None, route_args: dict[str, Any]) -> str:
    """The path, less the timestamp of a ``TIMESTAMPED_PATH_IDS`` id when the path ends with exactly
    ``/<its client id>--<13 digits>``; anything else (another shape, an encoded path) is checked whole."""
    if timestamped is None:
        return path
    value, owner = (route_args.get(name) for name in timestamped)
    if not (isinstance(value, str) and isinstance(owner, str)):
        return path
    prefix, suffix = value[: len(owner)], value[len(owner) :]
    if prefix == owner and _EPOCH_MILLIS.fullmatch(suffix) and path.endswith(f"/{value}"):
        return path[: -len(suffix)]
    return path


def _refuse_card_numbers(event: APIGatewayProxyEvent, parsed: Any, path: str) -> None:
    fields = list(_card_fields(event, parsed, path))
    if fields:
        raise ApiError(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "card_number_rejected",
            "card numbers are never accepted here; use the payment form's secure card fields",
            [{"field": field, "reason": "looks like a card number"} for field in dict.fromkeys(fields)],
        )


def _card_fields(event: APIGatewayProxyEvent, parsed: Any, path: str) -> Iterator[str]:
    if looks_like_card_number(path) or looks_like_card_number(unquote(path)):
        yield "path"
    for name, values in _query(event):
        field = f"query.{KEY_PLACEHOLDER}" if looks_like_card_number(name) else f"query.{name}"
        if field.endswith(KEY_PLACEHOLDER) or any(looks_like_card_number(v) for v in values):
            yield field
    key = event.headers.get(IDEMPOTENCY_HEADER)
    if key and looks_like_card_number(key):
        yield f"header.{IDEMPOTENCY_HEADER}"
    if parsed is not None and not event.path.startswith(PROCESSOR_WEBHOOKS):
        # The processor's own ids may pass the Luhn check; its signature is checked by the route, and a refusal
        # would be resent for ever.
        yield from card_number_paths(parsed)


def _query(event: APIGatewayProxyEvent) -> Iterator[tuple[str, list[str]]]:
    multi = event.multi_value_query_string_parameters or {}
    single = event.query_string_parameters or {}
    for name in dict.fromkeys([*multi, *single]):
        values = [*(multi.get(name) or []), single.get(name) or ""]
        yield str(name), [str(v) for v in values]
