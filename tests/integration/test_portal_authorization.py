"""The portal's authorization matrix: EVERY ``/v1/portal/*`` route of the OpenAPI document, whoever wrote it.

For each route: no token -> 401; a staff token -> 403; customer A's token with customer B's ids (in the path, in a
filter, in a body) reaches nothing of B's: a path id of B's answers exactly like an id that does not exist (404,
no details), lists and exports carry no identifier of B's, writes naming B's records are refused and change
nothing. Every list route is paginated and bounded (page size limits, a forged or foreign cursor -> 400), and
no route uses anything but keyed DynamoDB operations (never a Scan).

The routes are read from the portal function's own OpenAPI description at collection time, and
``test_the_matrix_covers_the_published_document`` checks that they are exactly the ``/v1/portal/`` paths of
``public_api.handler.openapi_document()``: a new route is in the matrix without anyone editing this file, and a
route the matrix cannot exercise (an unknown path parameter or required body) fails until it is described here.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.api.pagination import MAX_PAGE, encode_cursor
from arportal.config import settings
from arportal.domain.ids import new_id
from arportal.domain.models import (
    Allocation,
    Document,
    DocumentKind,
    InvoiceLine,
    SalesOrder,
)
from portal_api.handler import app as portal_app
from tests import builders as b
from tests.integration.conftest import new_customer_id

ALLOWED_OPERATIONS = {"Query", "GetItem", "BatchGetItem", "TransactWriteItems", "PutItem", "UpdateItem"}
TODAY = datetime.now(UTC).date()


def _portal_routes(document: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, operations in document["paths"].items()
        if path.startswith("/v1/portal/")
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


PORTAL_SPEC = portal_app.get_openapi_schema().model_dump(mode="json", by_alias=True, exclude_none=True)
ROUTES = _portal_routes(PORTAL_SPEC)

# Values for required query parameters, by name (a required parameter not named here fails the matrix).
REQUIRED_QUERY = {"from": "2020-01-01", "to": TODAY.isoformat(), "amount": "1000", "method": "card"}
# GET routes that return a bounded report rather than a list of records, and why they need no cursor.
NOT_LISTS = {
    "/v1/portal/me": "one record",
    "/v1/portal/dashboard": "live items only, with the five newest payments (the dashboard budget)",
    "/v1/portal/statements": "a statement of a date range; its size is bounded by the range",
    "/v1/portal/payments:quote": "one quote",
    "/v1/portal/payment-instructions": "the agency's few bank accounts (config) and the caller's reference",
}


@dataclass(frozen=True)
class Party:
    customer_id: str
    token: str
    account: str
    invoice_id: str
    invoice_number: str
    payment_id: str
    receipt_number: str
    credit_note_id: str
    order_id: str
    schedule_id: str
    document_id: str
    method_id: str

    def identifiers(self) -> set[str]:
        """What must never appear in another customer's answers."""
        return {
            self.customer_id,
            self.account,
            self.invoice_id,
            self.invoice_number,
            self.payment_id,
            self.receipt_number,
            self.credit_note_id,
            self.order_id,
            self.schedule_id,
            self.document_id,
            self.method_id,
        }


def _party(local_env, gateway) -> Party:
    cid = new_customer_id()
    tag = uuid.uuid4().hex[:8].upper()
    account = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**9:09d}")
    invoice = b.invoice(cid, account.account_number, number=f"AZ-{tag}", due=TODAY + timedelta(days=9))
    receipt = f"R-{tag[:4]}-{tag[4:]}XY"
    payment = b.payment(cid, amount=2_000, receipt_number=receipt).model_copy(update={"payment_id": new_id("pay")})
    allocation = Allocation(
        payment_id=payment.payment_id,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.invoice_number,
        customer_id=cid,
        account_number=account.account_number,
        department="utilities",
        amount=1_000,
        currency="USD",
        applied_at=payment.created_at,
    )
    credit = b.credit_note(cid, account.account_number).model_copy(update={"credit_note_id": new_id("cn")})
    order = SalesOrder(
        order_id=new_id("so"),
        number=f"SO-{tag}",
        customer_id=cid,
        account_number=account.account_number,
        department="utilities",
        order_date=TODAY,
        currency="USD",
        lines=[InvoiceLine(description="Permit", fee_code="PERMIT", unit_amount=500, amount=500)],
        total=500,
    )
    plan = b.plan(cid, account.account_number).model_copy(update={"schedule_id": new_id("sch")})
    document = Document(
        document_id=new_id("doc"),
        customer_id=cid,
        kind=DocumentKind.RECEIPT,
        title=f"Receipt {receipt}",
        filename=f"{receipt}.pdf",
        content_type="application/pdf",
        size=10,
        storage_key=f"customers/{cid}/receipts/{receipt}.pdf",
        created_at=payment.created_at,
        document_date=TODAY,
        reference=receipt,
        created_by="system",
    )
    ledger = DynamoCustomerRecords(settings().ledger_table)
    ledger.put_new(
        [
            b.customer(cid),
            account,
            invoice,
            payment,
            allocation,
            b.receipt(payment, receipt),
            credit,
            order,
            plan,
            document,
        ]
    )
    user = local_env.create_user(f"matrix-{tag.lower()}@example.com", customer_id=cid)
    token = local_env.login(user.username).id_token
    return Party(
        customer_id=cid,
        token=token,
        account=account.account_number,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.invoice_number,
        payment_id=payment.payment_id,
        receipt_number=receipt,
        credit_note_id=credit.credit_note_id,
        order_id=order.order_id,
        schedule_id=plan.schedule_id,
        document_id=document.document_id,
        method_id=_save_method(gateway, token),
    )


def _save_method(gateway, token: str) -> str:
    """A saved payment method, made through its own route (whose record format is its owner's business); if that
    route fails, the id names nothing and the matrix's checks of that route fail, the others still run."""
    reply = gateway.request(
        "POST",
        "/v1/portal/payment-methods",
        token=token,
        json={"type": "card", "token": "tok_visa", "last4": "4242", "brand": "visa"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    found = re.search(r'"(pm_[0-9A-Za-z]+)"', _text(reply)) if reply.status in {200, 201} else None
    return found.group(1) if found else "pm_not_created"


@pytest.fixture(scope="module")
def parties(local_env):
    from local.gateway import Gateway
    from tests.integration.conftest import GatewayClient

    gateway = GatewayClient(Gateway(local_env))
    a, b_ = _party(local_env, gateway), _party(local_env, gateway)
    staff = local_env.create_user(f"matrix-staff-{uuid.uuid4().hex[:8]}@example.com", groups=("admin",))
    return a, b_, local_env.login(staff.username).id_token


# --- how to call each route -----------------------------------------------------------------------------------

# A path parameter is filled by the collection it names (the path segment before it).
_ID_OF_COLLECTION = {
    "invoices": "invoice_id",
    "payments": "payment_id",
    "documents": "document_id",
    "schedules": "schedule_id",
    "payment-methods": "method_id",
}


def _fill_path(path: str, party: Party | None) -> str:
    def fill(match: re.Match[str]) -> str:
        collection = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        if collection not in _ID_OF_COLLECTION:
            pytest.fail(f"the matrix does not know which id fills {match.group(0)} in {path}: extend _ID_OF_COLLECTION")
        return getattr(party, _ID_OF_COLLECTION[collection]) if party else f"{collection[:3]}_{uuid.uuid4().hex}"

    return re.sub(r"\{[^}]+\}", fill, path)


def _operation(method: str, path: str) -> dict[str, Any]:
    return PORTAL_SPEC["paths"][path][method.lower()]


def _query(method: str, path: str) -> str:
    wanted = []
    for parameter in _operation(method, path).get("parameters", []):
        if parameter["in"] == "query" and parameter.get("required"):
            if parameter["name"] not in REQUIRED_QUERY:
                pytest.fail(f"{method} {path} needs ?{parameter['name']}: add a value to REQUIRED_QUERY")
            wanted.append(f"{parameter['name']}={REQUIRED_QUERY[parameter['name']]}")
    return ("?" + "&".join(wanted)) if wanted else ""


def _body(method: str, path: str, target: Party) -> Any:
    """A body the route accepts, naming ``target``'s records wherever it takes an id."""
    if "requestBody" not in _operation(method, path):
        return None
    bodies = {
        ("PATCH", "/v1/portal/me"): {"preferences": {"sms": False}},
        ("POST", "/v1/portal/me/email-confirmation"): {"code": "123456"},
        ("POST", "/v1/portal/accounts:link"): {"account_number": target.account, "postal_code": "00000"},
        ("POST", "/v1/portal/support-requests"): {"subject": "Help", "message": "x", "invoice_id": target.invoice_id},
        ("POST", "/v1/portal/payments"): {
            "amount": 500,
            "currency": "USD",
            "method": "card",
            "token": "tok_visa",
            "invoices": [{"invoice_id": target.invoice_id, "amount": 500}],
        },
        ("POST", "/v1/portal/credit-applications"): {
            "invoice_ids": [target.invoice_id],
            "account_number": target.account,
        },
        ("POST", "/v1/portal/payment-methods"): {"type": "card", "token": "tok_visa", "last4": "4242"},
        ("POST", "/v1/portal/schedules"): {
            "kind": "autopay",
            "account_number": target.account,
            "payment_method_id": target.method_id,
        },
        ("POST", "/v1/portal/schedules:quote"): {
            "account_number": target.account,
            "invoice_ids": [target.invoice_id],
            "instalment_count": 2,
        },
    }
    if (method, path) not in bodies:
        pytest.fail(f"the matrix has no example body for {method} {path}: add one to _body")
    return bodies[(method, path)]


@contextmanager
def _operations() -> Iterator[list[tuple[str, str]]]:
    """(operation, table) of every DynamoDB request the shared client makes while the block runs."""
    seen: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append((model.name, str(params.get("TableName", ""))))

    events = client("dynamodb").meta.events
    events.register("before-parameter-build.dynamodb", record, unique_id="matrix-operations")
    try:
        yield seen
    finally:
        events.unregister("before-parameter-build.dynamodb", unique_id="matrix-operations")


def _call(gateway, method: str, path: str, *, token: str | None, body: Any = None):
    headers = {"Idempotency-Key": str(uuid.uuid4())} if method != "GET" else None
    with _operations() as seen:
        reply = gateway.request(method, path, token=token, json=body, headers=headers)
    # Powertools' idempotency utility deletes its own in-progress record when the work fails (so the client may
    # retry): a keyed delete in the idempotency table, never a read of anyone's records.
    idempotency = settings().idempotency_table
    odd = {(op, table) for op, table in seen if op not in ALLOWED_OPERATIONS} - {("DeleteItem", idempotency)}
    assert not odd, f"{method} {path} used {sorted(odd)}"
    return reply


def _text(reply) -> str:
    return reply.body.decode("utf-8", "replace") if isinstance(reply.body, bytes) else json.dumps(reply.body)


# --- the matrix -----------------------------------------------------------------------------------------------


def test_the_matrix_covers_the_published_document(local_env):
    from public_api.handler import openapi_document

    published = _portal_routes(json.loads(openapi_document()))
    assert published == ROUTES
    assert {"/v1/portal/invoices", "/v1/portal/payments/{paymentId}", "/v1/portal/accounts:link"} <= {
        p for _, p in ROUTES
    }


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_token_is_401(gateway, method, path):
    reply = gateway.request(method, _fill_path(path, None) + _query(method, path))
    assert reply.status == 401 and reply.body["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_staff_token_is_403(gateway, parties, method, path):
    a, _, staff = parties
    target = _fill_path(path, a) + _query(method, path)
    reply = _call(gateway, method, target, token=staff, body=_body(method, path, a))
    assert reply.status == 403, (method, path, reply.status, reply.body)
    assert reply.body["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{" in r[1]])
def test_another_customers_id_is_indistinguishable_from_no_such_id(gateway, parties, method, path):
    a, other, _ = parties
    body = _body(method, path, other)
    theirs = _call(gateway, method, _fill_path(path, other) + _query(method, path), token=a.token, body=body)
    nowhere = _call(gateway, method, _fill_path(path, None) + _query(method, path), token=a.token, body=body)
    assert theirs.status == 404, (method, path, theirs.body)
    assert theirs.body["error"]["details"] is None
    assert (nowhere.status, nowhere.body) == (theirs.status, theirs.body)
    if method != "GET":  # and B's record is still there, still B's
        collection = path[: path.index("/{")]
        mine = gateway.request("GET", collection, token=other.token)
        assert getattr(other, _ID_OF_COLLECTION[collection.rsplit("/", 1)[-1]]) in _text(mine)


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{" not in r[1]])
def test_nothing_of_another_customer_in_any_answer(gateway, parties, method, path):
    a, other, _ = parties
    queries = [_query(method, path)]
    if method == "GET":
        names = {p["name"] for p in _operation(method, path).get("parameters", [])}
        if "account" in names:  # a filter naming B's account finds nothing of B's
            queries.append((queries[0] + "&" if queries[0] else "?") + f"account={other.account}")
        if "format" in names:
            queries.append((queries[0] + "&" if queries[0] else "?") + "format=csv")
    for query in queries:
        body = _body(method, path, other)
        reply = _call(gateway, method, path + query, token=a.token, body=body)
        assert reply.status < 500, (method, path + query, reply.body)
        # An id A itself sent may be echoed back ("not found: <id>"); anything else of B's is a leak.
        sent = query + json.dumps(body)
        leaked = {i for i in other.identifiers() if i in _text(reply) and i not in sent}
        assert not leaked, (method, path + query, leaked)
        if method != "GET":
            assert reply.status in {200, 201, 404, 409, 422}, (method, path, reply.status, reply.body)


def test_customer_a_still_sees_its_own_records(gateway, parties):
    """The leak checks above would pass on empty answers; these show the same routes do answer."""
    a, _, _ = parties
    assert a.invoice_id in _text(gateway.request("GET", "/v1/portal/invoices", token=a.token))
    assert a.payment_id in _text(gateway.request("GET", f"/v1/portal/payments/{a.payment_id}", token=a.token))
    assert a.credit_note_id in _text(gateway.request("GET", "/v1/portal/credit-notes", token=a.token))
    assert a.schedule_id in _text(gateway.request("GET", "/v1/portal/schedules", token=a.token))
    assert a.order_id in _text(gateway.request("GET", "/v1/portal/sales-orders", token=a.token))
    assert a.document_id in _text(gateway.request("GET", "/v1/portal/documents", token=a.token))


# --- lists are paginated and bounded --------------------------------------------------------------------------


def _schema(ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in ref_or_schema:
        return PORTAL_SPEC["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf"):
        for option in ref_or_schema.get(key, []):
            resolved = _schema(option)
            if resolved.get("type") == "object" or "properties" in resolved:
                return resolved
    return ref_or_schema


def _returns_a_list(path: str) -> bool:
    response = _operation("GET", path).get("responses", {}).get("200", {})
    schema = _schema(response.get("content", {}).get("application/json", {}).get("schema", {}))
    return any(_schema(p).get("type") == "array" for p in schema.get("properties", {}).values())


LIST_ROUTES = [p for m, p in ROUTES if m == "GET" and "{" not in p and p not in NOT_LISTS]


def test_every_route_returning_records_is_a_paginated_list():
    unpaged = [
        p
        for p in LIST_ROUTES
        if not {"cursor", "limit"} <= {q["name"] for q in _operation("GET", p).get("parameters", [])}
    ]
    assert not unpaged, f"list routes without cursor+limit: {unpaged}"
    assert all(_returns_a_list(p) for p in LIST_ROUTES)


@pytest.mark.parametrize("path", LIST_ROUTES)
def test_page_sizes_are_bounded_and_cursors_cannot_be_forged(gateway, parties, path):
    a, other, _ = parties
    for limit in ("0", str(MAX_PAGE + 1)):
        reply = gateway.request("GET", f"{path}?limit={limit}", token=a.token)
        assert reply.status == 422, (path, limit, reply.body)
    assert gateway.request("GET", f"{path}?limit={MAX_PAGE}", token=a.token).status == 200
    into_b = encode_cursor({"PK": {"S": f"CUST#{other.customer_id}"}, "SK": {"S": "INV#inv_0"}})
    for forged in ("not-a-cursor", "e30", into_b):
        reply = gateway.request("GET", f"{path}?cursor={forged}", token=a.token)
        assert reply.status == 400 and reply.body["error"]["code"] == "invalid_cursor", (path, forged, reply.body)
