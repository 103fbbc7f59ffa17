"""``/openapi.json`` is a true OpenAPI 3.1 document: it validates, its parameters and security schemes are what
the specification says they are, no two APIs give one name to two schemas, every error is documented with the
one error body, and the answers that differ (201 carried out, 202 filed for approval) have schemas of their own.

``test_contract_fuzz.py`` checks the routes' answers against it; this checks the document itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from public_api import contract
from public_api.handler import API_VERSION
from tests.integration.conftest import GatewayClient, Users
from tests.integration.staff_actions_support import key, new_customer, pay

PARAMETER_PLACES = {"query", "header", "path", "cookie"}
ACTIONS = ("refunds", "voids", "reversals")
BIG = 60_000  # over the local agency's approval threshold (50,000)
# What Powertools documents for a route answering ``Response[str]`` when the route names no model.
PLACEHOLDER = {"type": "string", "title": "Return"}


@pytest.fixture
def document(gateway: GatewayClient) -> dict[str, Any]:
    reply = gateway.request("GET", "/openapi.json")
    assert reply.status == 200
    assert isinstance(reply.body, dict)
    return reply.body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return list(contract.operations(document))


def _schema_of(document: dict[str, Any], ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref, "components": document["components"]})


def _ref(response: dict[str, Any]) -> str:
    return str(response["content"]["application/json"]["schema"]["$ref"])


def test_the_served_document_validates_as_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    validate(document)  # openapi-spec-validator: raises on the first error, naming it
    assert len(_operations(document)) > 40


def test_every_parameter_is_in_query_path_header_or_cookie(document: dict[str, Any]) -> None:
    places = {(p["in"], p["name"]) for _, _, op in _operations(document) for p in op.get("parameters", [])}
    assert places
    assert {place for place, _ in places} <= PARAMETER_PLACES, places


def test_security_schemes_are_objects_and_the_signed_in_routes_name_them(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["cognito"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["cognito"]["description"],
    }
    assert schemes["guest"]["type"] == "apiKey" and schemes["guest"]["in"] == "header"
    for method, path, op in _operations(document):
        named = {name for requirement in op.get("security", []) for name in requirement}
        assert named <= schemes.keys()
        if path.startswith(("/v1/portal/", "/v1/staff/")):
            assert op["security"] == [{"cognito": []}], f"{method} {path}"
    assert document["paths"]["/v1/public/payments"]["post"]["security"] == [{"guest": []}]
    assert "security" not in document["paths"]["/v1/public/lookup"]["post"]


def test_no_two_apis_give_one_component_name_to_two_schemas() -> None:
    documents = {name: contract.api_document(name, API_VERSION) for name in contract.DESCRIBED_APIS}
    seen: dict[str, tuple[str, Any]] = {}
    for api, document in documents.items():
        for name, schema in document["components"]["schemas"].items():
            first = seen.setdefault(name, (api, schema))
            assert first[1] == schema, f"{name} is one schema in {first[0]} and another in {api}"
    # Powertools falls back to module-qualified names when one API has two models of one name: none left
    assert not [name for name in seen if "__" in name]


def test_the_merge_refuses_one_name_for_two_schemas() -> None:
    def api(properties: dict[str, Any]) -> dict[str, Any]:
        return {"components": {"schemas": {"AccountOut": {"type": "object", "properties": properties}}}}

    documents = {"portal_api": api({"balance": {"type": "integer"}}), "staff_api": api({"opened_on": {}})}
    with pytest.raises(contract.ContractError, match="AccountOut"):
        contract.merge(documents, title="t", version="1", description="d")


def test_the_portal_accounts_and_dashboard_are_described_by_the_portal_models(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    accounts = _ref(document["paths"]["/v1/portal/accounts"]["get"]["responses"]["200"]).rsplit("/", 1)[1]
    account = schemas[schemas[accounts]["properties"]["accounts"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"balance", "overdue", "open_invoices", "credit"} <= account["properties"].keys()
    dashboard = schemas[_ref(document["paths"]["/v1/portal/dashboard"]["get"]["responses"]["200"]).rsplit("/", 1)[1]]
    summary = schemas[dashboard["properties"]["accounts"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"owing", "unread_notices", "description", "status"} <= summary["properties"].keys()


def test_every_error_answer_is_documented_with_the_error_body(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"][contract.ERROR_SCHEMA]
    assert error["required"] == ["error"]
    body = document["components"]["schemas"][error["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert body["required"] == ["code", "message", "details"]
    documented = {"application/json": {"schema": {"$ref": contract.ERROR_REF}}}
    wrong = [
        f"{method.upper()} {path} {status}"
        for method, path, op in _operations(document)
        for status, response in op["responses"].items()
        if status[0] in "45" and response.get("content") != documented
    ]
    assert not wrong
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_signed_in_routes_document_401_and_403_and_body_routes_400_413_and_415(document: dict[str, Any]) -> None:
    for method, path, op in _operations(document):
        codes = op["responses"].keys()
        if path.startswith(("/v1/portal/", "/v1/staff/")):
            assert {"401", "403"} <= codes, f"{method} {path}"
        if "requestBody" in op:
            assert {"400", "413", "415", "422"} <= codes, f"{method} {path}"


def test_every_operation_documents_its_success_and_what_it_returns(document: dict[str, Any]) -> None:
    for method, path, op in _operations(document):
        assert any(status.startswith("2") for status in op["responses"]), f"{method} {path}: no success documented"
        for status, response in op["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if status == "204":
                assert "content" not in response, f"{method} {path}: a 204 has no body"
            elif status.startswith("2"):
                assert schema is not None and schema != PLACEHOLDER, f"{method} {path} {status}: {schema}"


def test_carried_out_and_filed_for_approval_have_their_own_schemas(document: dict[str, Any]) -> None:
    paths = [f"/v1/staff/payments/{{paymentId}}/{action}" for action in ACTIONS] + ["/v1/staff/adjustments"]
    for path in paths:
        responses = document["paths"][path]["post"]["responses"]
        assert _ref(responses["201"]).endswith("/ActionDoneOut"), path
        assert _ref(responses["202"]).endswith("/ApprovalFiledOut"), path


def test_real_answers_match_the_documented_schemas(
    document: dict[str, Any], gateway: GatewayClient, local_env: Any, make_users: Any
) -> None:
    cid, _, (invoice,) = new_customer(local_env, amounts=(BIG,))
    users: Users = make_users(customer_id=cid, groups=("agent",))
    paid = pay(gateway, users.staff_token, cid, [{"invoice_id": invoice.invoice_id, "amount": BIG}])
    assert paid.status == 201, paid.body
    taken = document["paths"]["/v1/staff/payments"]["post"]["responses"]["201"]
    _schema_of(document, _ref(taken)).validate(paid.body)
    refunds = f"/v1/staff/payments/{paid.body['payment']['payment_id']}/refunds"
    responses = document["paths"]["/v1/staff/payments/{paymentId}/refunds"]["post"]["responses"]

    def refund(body: dict[str, Any]) -> Any:
        return gateway.request("POST", refunds, token=users.staff_token, json=body, headers=key())

    done = refund({"amount": 1_000, "reason_code": "customer_request", "note": "Part of it back"})
    assert done.status == 201, done.body
    _schema_of(document, _ref(responses["201"])).validate(done.body)
    filed = refund({"reason_code": "duplicate", "note": "All the rest, over the threshold"})
    assert filed.status == 202, filed.body
    _schema_of(document, _ref(responses["202"])).validate(filed.body)
    missing = gateway.request("GET", "/v1/staff/payments/pay_0000000000000000", token=users.staff_token)
    invalid = refund({"reason_code": "no-such-reason", "note": ""})
    forbidden = gateway.request("GET", "/v1/staff/search?q=x", token=users.customer_token)
    for reply in (missing, invalid, forbidden):
        assert reply.status in {403, 404, 422}, reply
        _schema_of(document, contract.ERROR_REF).validate(reply.body)


def _routes_reading_the_idempotency_key() -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every route whose handler reads the Idempotency-Key, directly or through a helper
    of its own module (``idempotency_key(...)`` or ``run_once(...)``)."""
    found: set[tuple[str, str]] = set()
    for source in (Path(__file__).resolve().parents[2] / "functions").glob("*/routes/*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}

        def calls(node: ast.AST) -> set[str]:
            return {
                c.func.id if isinstance(c.func, ast.Name) else c.func.attr
                for c in ast.walk(node)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name | ast.Attribute)
            }

        reads = {name for name, fn in functions.items() if calls(fn) & {"idempotency_key", "run_once"}}
        while grown := {n for n, fn in functions.items() if n not in reads and calls(fn) & reads}:
            reads |= grown
        for name in reads:
            for decorator in functions[name].decorator_list:
                if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.args:
                    path = decorator.args[0]
                    if isinstance(path, ast.Constant) and decorator.func.attr in ("post", "put", "patch", "delete"):
                        found.add((decorator.func.attr, re.sub(r"<([^>]+)>", r"{\1}", path.value)))
    return found


def test_every_route_that_reads_the_idempotency_key_documents_it(document: dict[str, Any]) -> None:
    assert _routes_reading_the_idempotency_key() == contract.IDEMPOTENT
    documented = {
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if any(
            p["name"] == "Idempotency-Key" and p["in"] == "header" and p["required"]
            for p in operation.get("parameters", [])
        )
    }
    assert documented == contract.IDEMPOTENT
    for method, path in documented:
        assert "idempotency" in document["paths"][path][method]["responses"]["400"]["description"].lower()
