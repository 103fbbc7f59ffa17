"""Every route reads its identifiers, codes and currencies as the boundary types of ``arportal.domain.values``:
wherever a request body, a path or a query names one, ``/openapi.json`` shows that type's one pattern.

``tests/unit/test_values.py`` keeps the patterns out of the route modules' source; this checks what they describe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from arportal.domain import values as v
from public_api import contract
from public_api.handler import API_VERSION

# A request's field or parameter of this name is one of these types. A customer id is as stored, or (staff
# typing it) in any case.
CUSTOMER_IDS = {v.CUSTOMER_ID_PATTERN, v.CUSTOMER_ID_ANY_CASE_PATTERN}
PATTERNS_OF = {
    "invoice_id": {v.INVOICE_ID_PATTERN},
    "invoice_ids": {v.INVOICE_ID_PATTERN},
    "invoiceId": {v.INVOICE_ID_PATTERN},
    "payment_id": {v.PAYMENT_ID_PATTERN},
    "paymentId": {v.PAYMENT_ID_PATTERN},
    "account_number": {v.ACCOUNT_NUMBER_PATTERN},
    "account": {v.ACCOUNT_NUMBER_PATTERN},
    "customer_id": CUSTOMER_IDS,
    "customerId": CUSTOMER_IDS,
    "currency": {v.CURRENCY_PATTERN},
    "department": {v.DEPARTMENT_CODE_PATTERN},
    "fee_code": {v.FEE_CODE_PATTERN},
}
# The integration API speaks the source system's language: its ``invoice_id`` is the id the source system gave
# the invoice, which the product keeps as the invoice number.
INTEGRATION_PATTERNS_OF = {**PATTERNS_OF, "invoice_id": {v.INVOICE_NUMBER_PATTERN}}
# Fields that take what a person typed, as they typed it, and look it up: not the type until normalized.
TYPED = {
    # the account number on the customer's bill, any case and spacing: trimmed and upper-cased, then matched
    "POST /v1/portal/accounts:link body account_number",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    documents = {name: contract.api_document(name, API_VERSION) for name in contract.DESCRIBED_APIS}
    return contract.merge(documents, title="t", version=API_VERSION, description="d")


def _value_schema(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema of the value itself: references followed, ``null`` and list wrappers taken off."""
    if "$ref" in schema:
        return _value_schema(components[schema["$ref"].rsplit("/", 1)[1]], components)
    choices = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(choices) == 1:
        return _value_schema(choices[0], components)
    if schema.get("type") == "array":
        return _value_schema(schema["items"], components)
    return schema


def _named_fields(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> Iterator[tuple[str, Any]]:
    """(name, schema) of every property of a request body, nested models included."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _named_fields(components[name], components, seen)
        return
    for part in (*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])):
        yield from _named_fields(part, components, seen)
    if "items" in schema:
        yield from _named_fields(schema["items"], components, seen)
    for name, field in schema.get("properties", {}).items():
        yield name, field
        yield from _named_fields(field, components, seen)


def _identifiers(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    components = document["components"]["schemas"]
    for method, path, op in contract.operations(document):
        for parameter in op.get("parameters", []):
            if parameter["name"] in PATTERNS_OF:
                where = f"{method.upper()} {path} {parameter['in']}.{parameter['name']}"
                yield where, parameter["name"], _value_schema(parameter["schema"], components)
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        for name, field in _named_fields(body or {}, components, set()):
            if name in PATTERNS_OF:
                yield f"{method.upper()} {path} body {name}", name, _value_schema(field, components)


def _patterns_of(where: str) -> dict[str, set[str]]:
    return INTEGRATION_PATTERNS_OF if where.split()[1].startswith("/v1/integrations/") else PATTERNS_OF


def test_every_identifier_a_request_names_has_its_one_pattern(document: dict[str, Any]) -> None:
    found = [(where, name, schema) for where, name, schema in _identifiers(document) if where not in TYPED]
    wrong = [
        f"{where}: {schema.get('pattern')}"
        for where, name, schema in found
        if schema.get("pattern") not in _patterns_of(where)[name]
    ]
    assert not wrong
    assert {where for where, _, _ in _identifiers(document)} >= TYPED
    # the scan sees them: paths, queries and bodies of all four APIs
    assert len(found) > 30
    assert {where.split()[1].split("/")[2] for where, _, _ in found} == {"portal", "public", "staff", "integrations"}
