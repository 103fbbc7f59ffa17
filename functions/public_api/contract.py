"""The API's contract, ``/openapi.json``: the three API functions' own OpenAPI documents, merged into one.

Each function describes its routes (Powertools, from the route definitions and their pydantic models). The merge
adds what holds for every route, so no route can leave it out:

- every error answer (4xx, 5xx) is documented with the one error body, ``ErrorResponse`` (``arportal.api.errors``);
- the errors a kind of route can answer are documented on each such route: 401 and 403 where a token is needed,
  400 ``malformed_json``, 413 ``body_too_large`` and 415 ``unsupported_media_type`` where a body is read, 404
  where the path names a record;
- the portal's and the staff console's routes need a Cognito ID token (``cognito``), a guest payment the token of
  an invoice lookup (``guest``), the integration API's an OAuth 2.0 access token of a connected system
  (``integrations``: client credentials at this deployment's token URL, with the scope catalogue); the webhook
  endpoints' either that (scope ``webhooks.manage``) or an administrator's access token (``staff_access``);
- the routes that change something and take an ``Idempotency-Key`` header (``IDEMPOTENT``) document it as a
  required header parameter, with its 400;
- a 204 has no body;
- two APIs may not give one component name to two different schemas: the merge fails, naming both.

Everything is serialized as JSON by pydantic (``mode="json"``), so enums are their values (``"in": "query"``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from arportal.api.errors import ErrorResponse
from arportal.domain import integration_scopes

# The API functions /openapi.json describes, and the security requirement of their routes.
DESCRIBED_APIS: dict[str, list[dict[str, list[str]]]] = {
    "public_api": [],
    "portal_api": [{"cognito": []}],
    "staff_api": [{"cognito": []}],
    "integration_api": [{"integrations": []}],  # each route names the scope it needs in its summary
}
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path: the local gateway's; a deployment's is on its pool domain
# Integration routes an administrator may call too, with the access token of their console session (issue 13).
ADMIN_OR_MACHINE_PREFIX = "/v1/integrations/webhooks"
ADMIN_OR_MACHINE: list[dict[str, list[str]]] = [
    {"integrations": [integration_scopes.full_name("webhooks.manage")]},
    {"staff_access": []},
]
# Public routes that need a credential of their own: (method, path) -> requirement.
PUBLIC_CREDENTIALS: dict[tuple[str, str], list[dict[str, list[str]]]] = {
    ("post", "/v1/public/payments"): [{"guest": []}],
}
# The operations whose code reads the Idempotency-Key header (``arportal.api.idempotency``): they read it by hand,
# to answer 400 in the error format, so Powertools cannot see it. tests/integration/test_openapi_contract.py holds
# this set to the routes whose code reads the key.
IDEMPOTENT: frozenset[tuple[str, str]] = frozenset(
    {
        ("post", "/v1/portal/credit-applications"),
        ("post", "/v1/portal/payment-methods"),
        ("post", "/v1/portal/payments"),
        ("post", "/v1/portal/schedules"),
        ("post", "/v1/portal/support-requests"),
        ("post", "/v1/public/payments"),
        ("post", "/v1/staff/adjustments"),
        ("post", "/v1/staff/customers/{customerId}/credit-applications"),
        ("post", "/v1/staff/customers/{customerId}/interactions"),
        ("post", "/v1/staff/finance/drawers/{terminal}/close"),
        ("post", "/v1/staff/payments"),
        ("post", "/v1/staff/payments/{paymentId}/refunds"),
        ("post", "/v1/staff/payments/{paymentId}/representments"),
        ("post", "/v1/staff/payments/{paymentId}/reversals"),
        ("post", "/v1/staff/payments/{paymentId}/voids"),
        ("post", "/v1/staff/receipts/{receiptId}/email"),
    }
)
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "A new random value (e.g. a UUID) per intended change: a retry with the same key and body is "
    "answered as the first was (`Idempotent-Replayed: true`), never done twice",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}
_IDEMPOTENCY_ERRORS = {
    400: "`idempotency_key_required` or `invalid_idempotency_key`: the Idempotency-Key header is missing or invalid",
}
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "cognito": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Cognito ID token of the customer or the staff user pool: `Authorization: Bearer <id_token>`",
    },
    "staff_access": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Cognito access token of the staff user pool (not the ID token), of an administrator "
        "(`integrations.manage`): `Authorization: Bearer <access_token>`",
    },
    "guest": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Guest <guest_token>`: the token `POST /v1/public/lookup` answers, for that one invoice",
    },
}
ERROR_SCHEMA = ErrorResponse.__name__
ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA}"
_REF_TEMPLATE = "#/components/schemas/{model}"
_VALIDATION = "`validation_failed`: `details` lists `{field, reason}` for each invalid field"
_SIGNED_IN = {
    401: "`unauthorized`: no token, or one this agency did not issue",
    403: "`forbidden`: not allowed to you (a customer token on a staff route, a missing permission), "
    "or `account_not_linked`",
}
_WITH_BODY = {
    400: "`malformed_json`: the body is not JSON (UTF-8)",
    413: "`body_too_large`: the body is over 1 MiB",
    415: "`unsupported_media_type`: the body is not `application/json`",
}
_MACHINE = {
    401: "`unauthorized`: no access token, or one this agency's integrations pool did not issue",
    403: "`forbidden`: not a connected system's token, or `insufficient_scope`: the token lacks the scope the "
    "route needs (`details.needs`)",
}
_NAMES_RECORD = {404: "`not_found`: no such record, or not yours"}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractError(Exception):
    """The APIs' descriptions cannot be merged into one truthful document."""


def merged_document(title: str, version: str, description: str) -> dict[str, Any]:
    from arportal.config import settings

    documents = {name: api_document(name, version) for name in DESCRIBED_APIS}
    return merge(
        documents,
        title=title,
        version=version,
        description=description,
        token_url=settings().integrations_token_url,
    )


def security_schemes(token_url: str = TOKEN_PATH) -> dict[str, dict[str, Any]]:
    """``SECURITY_SCHEMES`` and the connected systems' OAuth 2.0 client credentials, at ``token_url``."""
    machine = {
        "type": "oauth2",
        "description": "A connected system's access token (OAuth 2.0 client credentials: its client id and secret, "
        "HTTP Basic, at the token URL): `Authorization: Bearer <access_token>`. Each route needs one scope.",
        "flows": {
            "clientCredentials": {
                "tokenUrl": token_url,
                "scopes": {scope.full_name: scope.description for scope in integration_scopes.SCOPES},
            }
        },
    }
    return {**SECURITY_SCHEMES, "integrations": machine}


def api_document(name: str, version: str) -> dict[str, Any]:
    """One API function's own OpenAPI document, as JSON (enums as their values)."""
    app = importlib.import_module(f"{name}.handler").app
    schema = app.get_openapi_schema(title=name, version=version)
    document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document


def merge(
    documents: Mapping[str, dict[str, Any]],
    *,
    title: str,
    version: str,
    description: str,
    token_url: str = TOKEN_PATH,
) -> dict[str, Any]:
    """One OpenAPI 3.1 document of ``documents`` (API function name -> its own OpenAPI document)."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for api, document in documents.items():
        for path, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if method in paths.get(path, {}):
                    raise ContractError(f"{method.upper()} {path} is described by two APIs (the second: {api})")
                security = PUBLIC_CREDENTIALS.get((method, path), DESCRIBED_APIS.get(api, []))
                if path == ADMIN_OR_MACHINE_PREFIX or path.startswith(f"{ADMIN_OR_MACHINE_PREFIX}/"):
                    security = ADMIN_OR_MACHINE
                idempotent = (method, path) in IDEMPOTENT
                paths.setdefault(path, {})[method] = _completed(operation, security, idempotent=idempotent)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise ContractError(
                    f"component {name!r} is a different schema in {owners[name]} and in {api}: "
                    "rename one of the models (component names are the models' class names)"
                )
            schemas[name] = schema
            owners.setdefault(name, api)
    schemas.update(_error_schemas())
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": _referenced(paths, schemas), "securitySchemes": security_schemes(token_url)},
    }
    tags = sorted({tag for item in paths.values() for op in item.values() for tag in op.get("tags", [])})
    if tags:
        merged["tags"] = [{"name": tag} for tag in tags]
    return merged


def _completed(operation: dict[str, Any], security: list[dict[str, list[str]]], *, idempotent: bool) -> dict[str, Any]:
    op = dict(operation)
    responses: dict[str, Any] = dict(op.get("responses", {}))
    parameters = op.get("parameters", [])
    standard: dict[int, str] = {}
    if idempotent:
        op["parameters"] = [*parameters, IDEMPOTENCY_PARAMETER]
    if security:
        names = security[0]
        standard.update(
            _SIGNED_IN if "cognito" in names else _MACHINE if "integrations" in names else {401: _SIGNED_IN[401]}
        )
    if "requestBody" in op:
        standard.update(_WITH_BODY)
    if any(p.get("in") == "path" for p in parameters):
        standard.update(_NAMES_RECORD)
    if idempotent:
        for code, text in _IDEMPOTENCY_ERRORS.items():
            standard[code] = f"{standard[code]}; or {text}" if code in standard else text
    for code, text in standard.items():
        responses.setdefault(str(code), {"description": text})
    for status, response in list(responses.items()):
        if status.startswith(("4", "5")):
            responses[status] = _error_response(status, response)
        elif status == "204":
            responses[status] = {k: v for k, v in response.items() if k != "content"}
    op["responses"] = dict(sorted(responses.items()))
    if security:
        op["security"] = security
    return op


def _error_response(status: str, response: dict[str, Any]) -> dict[str, Any]:
    text = response.get("description") or "An error"
    if status == "422" and text == "Validation Error":  # Powertools' own wording
        text = _VALIDATION
    return {
        **{k: v for k, v in response.items() if k not in {"content", "description"}},
        "description": text,
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }


def _error_schemas() -> dict[str, Any]:
    schema = ErrorResponse.model_json_schema(ref_template=_REF_TEMPLATE, mode="serialization")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, ERROR_SCHEMA: schema}


def _referenced(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The components the paths use, directly or through other components (Powertools' own validation-error
    schemas are replaced by ``ErrorResponse`` and must not linger)."""
    prefix = _REF_TEMPLATE.removesuffix("{model}")
    seen: set[str] = set()
    pending = [ref.removeprefix(prefix) for ref in _refs(paths)]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if name not in schemas:
            raise ContractError(f"{prefix}{name} is referenced but not defined")
        seen.add(name)
        pending.extend(ref.removeprefix(prefix) for ref in _refs(schemas[name]))
    return {name: schemas[name] for name in sorted(seen)}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every ``(method, path, operation)`` of an OpenAPI document."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                yield method, path, operation
