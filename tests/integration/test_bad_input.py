"""No input gets a 5xx: every route of the API functions, through the in-process gateway, answers malformed
bodies, encodings, content types, ids and query values with 400, 413, 415 or 422 and the one error body
``{"error": {"code", "message", "details"}}``; and who may call is settled before what was sent is read (403
before 422). The routes come from the API functions themselves, so a new route is covered when it is added.

The checks live in ``arportal/api/request_guard.py``, in front of Powertools' own validation."""

from __future__ import annotations

import importlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from arportal.api.request_guard import PORTAL_UNLINKED_ROUTES, STAFF_ROUTE_PERMISSIONS
from arportal.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from tests.integration.conftest import new_customer_id
from tests.integration.integration_support import machine_token

API_FUNCTIONS = ("public_api", "portal_api", "staff_api", "integration_api")
NOT_API = {"/openapi.json", "/swagger", "/v1/health"}


@dataclass(frozen=True)
class RouteCase:
    function: str
    method: str
    template: str  # Powertools' rule: /v1/staff/customers/<customerId>
    takes_body: bool
    code_names: frozenset[str]  # the names the route's code refers to (which require_* and Permission it uses)
    schema: dict[str, Any] | None  # the request body's JSON schema, when it takes one
    query: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.method} {self.template}"


def _collect() -> list[RouteCase]:
    cases = []
    for function in API_FUNCTIONS:
        app = importlib.import_module(f"{function}.handler").app
        spec = app.get_openapi_schema(title=function, version="1").model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        components = spec.get("components", {}).get("schemas", {})
        for route in app._static_routes + app._dynamic_routes:
            if route.path in NOT_API:
                continue
            operation = spec["paths"][route.openapi_path][route.method.lower()]
            schema = None
            if route.dependant.body_params:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]
                schema = _resolve(ref, components)
            query = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            cases.append(
                RouteCase(
                    function,
                    route.method,
                    route.path,
                    bool(route.dependant.body_params),
                    frozenset(route.func.__code__.co_names),
                    schema,
                    query,
                )
            )
    return cases


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


ROUTES = _collect()
BODY_ROUTES = [r for r in ROUTES if r.method in {"POST", "PUT", "PATCH"}]
STAFF_ROUTES = [r for r in ROUTES if r.function == "staff_api"]
PORTAL_ROUTES = [r for r in ROUTES if r.function == "portal_api"]
QUERY_ROUTES = [r for r in ROUTES if r.query]
PATH_ID_ROUTES = [r for r in ROUTES if "<" in r.template and "processor" not in r.template]

SAMPLE_IDS = {
    "customerId": "CUS-0000000001",
    "paymentId": "pay_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "approvalId": "apr_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "invoiceId": "inv_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "documentId": "doc_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "receiptId": "R-2611-7K3M9Q",
    "payment_method_id": "pm_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "schedule_id": "sch_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "importId": "imp_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "endpointId": "whe_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "processor": "sandbox",
}


def _path(route: RouteCase, **ids: str) -> str:
    return re.sub(r"<(\w+)>", lambda m: ids.get(m.group(1), SAMPLE_IDS.get(m.group(1), "x_1")), route.template)


@pytest.fixture(scope="module")
def tokens(local_env):
    """A linked customer, a supervisor (holds every permission a staff route needs) and one staff login per role."""
    tag = uuid.uuid4().hex[:10]
    customer = local_env.create_user(f"bad-input-{tag}@example.com", customer_id=new_customer_id())
    unlinked = local_env.create_user(f"bad-input-unlinked-{tag}@example.com")
    found = {
        "customer": local_env.login(customer.username).id_token,
        "unlinked": local_env.login(unlinked.username).id_token,
        None: None,
    }
    for role in ("agent", "supervisor", "finance", "admin", ""):
        staff = local_env.create_user(f"bad-input-{role or 'none'}-{tag}@example.com", groups=(role,) if role else ())
        found[role] = local_env.login(staff.username).id_token
    found["machine"] = machine_token(local_env)  # the demo client: every integration scope
    return found


def _token_for(route: RouteCase, tokens: dict[Any, Any]) -> str | None:
    if route.function == "staff_api":
        # The supervisor holds every permission a staff route needs but the admin's own (integration clients).
        needed = STAFF_ROUTE_PERMISSIONS.get((route.method, route.template))
        holds = needed is None or needed in ROLE_PERMISSIONS[Role.SUPERVISOR]
        return tokens["supervisor" if holds else "admin"]
    return {"public_api": None, "portal_api": tokens["customer"], "integration_api": tokens["machine"]}[route.function]


def _send(gateway, route: RouteCase, tokens, *, body: bytes = b"", content_type: str | None = "application/json"):
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if "webhooks" in route.template:
        headers["Sandbox-Signature"] = "t=1,v1=00"
    return gateway.request(route.method, _path(route), token=_token_for(route, tokens), body=body, headers=headers)


def assert_error_shape(reply) -> None:
    assert isinstance(reply.body, dict) and set(reply.body) == {"error"}, reply
    assert set(reply.body["error"]) == {"code", "message", "details"}, reply.body
    assert isinstance(reply.body["error"]["code"], str) and isinstance(reply.body["error"]["message"], str)


def _nested(depth: int) -> bytes:
    return ('{"a":' * depth + "1" + "}" * depth).encode()


# (name, body, Content-Type, status, code) on a route that takes a JSON body
MALFORMED = [
    ("not-utf-8", b'{"note": "\xff\xfe"}', "application/json", 400, "malformed_json"),
    ("latin-1", '{"note": "caf\xe9"}'.encode("latin-1"), "application/json", 400, "malformed_json"),
    ("utf-16", '{"note": "x"}'.encode("utf-16"), "application/json", 400, "malformed_json"),
    ("truncated", b'{"note": ', "application/json", 400, "malformed_json"),
    ("not-json", b"hello", "application/json", 400, "malformed_json"),
    ("int-over-4300-digits", b'{"amount": ' + b"9" * 5000 + b"}", "application/json", 400, "malformed_json"),
    ("int-array-over-4300-digits", b"[" + b"9" * 4301 + b"]", "application/json", 400, "malformed_json"),
    ("nested-5000", b"[" * 5000 + b"]" * 5000, "application/json", 400, "malformed_json"),
    ("nested-1000", _nested(1000), "application/json", 400, "malformed_json"),
    ("nested-40", _nested(40), "application/json", 400, "malformed_json"),
    ("nan", b'{"amount": NaN}', "application/json", 400, "malformed_json"),
    ("infinity", b'{"amount": -Infinity}', "application/json", 400, "malformed_json"),
    ("lone-surrogate", b'{"note": "\\ud800"}', "application/json", 400, "malformed_json"),
    ("text-plain", b'{"note": "x"}', "text/plain", 415, "unsupported_media_type"),
    ("multipart-no-boundary", b"--x\r\n\r\n", "multipart/form-data", 415, "unsupported_media_type"),
    (
        "multipart",
        b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\n1\r\n--x--\r\n',
        "multipart/form-data; boundary=x",
        415,
        "unsupported_media_type",
    ),
    ("multipart-empty", b"", "multipart/form-data", 415, "unsupported_media_type"),
    ("form", b"note=x&amount=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("xml", b"<note/>", "application/xml", 415, "unsupported_media_type"),
    ("json-latin-1", b'{"note": "x"}', "application/json; charset=latin-1", 415, "unsupported_media_type"),
    ("over-1-mib", b'{"note": "' + b"x" * (1024 * 1024) + b'"}', "application/json", 413, None),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
@pytest.mark.parametrize("route", BODY_ROUTES, ids=[r.id for r in BODY_ROUTES])
def test_malformed_bodies_are_refused_before_any_model_sees_them(gateway, tokens, route, case):
    name, body, content_type, status, code = case
    reply = _send(gateway, route, tokens, body=body, content_type=content_type)
    if not route.takes_body:
        # The processor's webhook reads its raw body itself (to check the signature): never a 5xx.
        assert 400 <= reply.status < 500, (name, reply)
        assert_error_shape(reply)
        return
    assert reply.status == status, (name, reply.status, reply.body)
    assert_error_shape(reply)
    if code is not None:
        assert reply.body["error"]["code"] == code, reply.body


@pytest.mark.parametrize("body", [b"null", b"[]", b'"x"', b"1", b"{}", b'{"unknown": 1}', b""], ids=repr)
@pytest.mark.parametrize("route", [r for r in BODY_ROUTES if r.takes_body], ids=lambda r: r.id)
def test_well_formed_json_of_the_wrong_shape_is_422_with_fields(gateway, tokens, route, body):
    reply = _send(gateway, route, tokens, body=body)
    assert reply.status < 500, reply
    if reply.status >= 400:
        assert_error_shape(reply)
    if reply.status == 422 and reply.body["error"]["code"] == "validation_failed":
        details = reply.body["error"]["details"]
        assert details and all(set(d) == {"field", "reason"} for d in details), details


# --- every model's every field, mutated ------------------------------------------------------------------------

MUTATIONS: list[Any] = [None, "", "x" * 5000, -1, 2**63, 10**40, 1.5, True, [], {}, "\u0000", "٤٢", {"a": [1]}]


def _example(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "anyOf" in schema:
        return _example(next((s for s in schema["anyOf"] if s.get("type") != "null"), schema["anyOf"][0]))
    return {"string": "x", "integer": 100, "number": 1, "boolean": True, "array": [], "object": {}}.get(str(kind))


@pytest.mark.parametrize("route", [r for r in BODY_ROUTES if r.takes_body], ids=lambda r: r.id)
def test_every_field_of_every_request_model_mutated_never_gets_a_5xx(gateway, tokens, route):
    properties = (route.schema or {}).get("properties", {})
    baseline = {name: _example(schema) for name, schema in properties.items()}
    bodies = [baseline] + [{**baseline, name: value} for name in properties for value in MUTATIONS]
    bodies += [{k: v for k, v in baseline.items() if k != name} for name in properties]
    failures = []
    for body in bodies:
        reply = _send(gateway, route, tokens, body=json.dumps(body).encode())
        if reply.status >= 500 or (reply.status >= 400 and set(reply.body or {}) != {"error"}):
            failures.append((body, reply.status, reply.body))
    assert failures == [], failures[:3]


def test_a_saved_card_with_a_year_but_no_month_is_422_naming_the_rule(gateway, tokens):
    for expiry in ({"exp_year": 2099}, {"exp_month": 12}):
        body = {"type": "card", "token": "tok_visa", "last4": "4242", **expiry}
        reply = gateway.request(
            "POST",
            "/v1/portal/payment-methods",
            token=tokens["customer"],
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert reply.status == 422 and reply.body["error"]["code"] == "validation_failed", reply.body
        assert reply.body["error"]["details"] == [
            {"field": "body", "reason": "exp_month and exp_year go together: send both or neither"}
        ]


# --- ids in paths and queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ["payment:pay_1%23AUDIT", "payment:pay_1#AUDIT", "payment:pay%20x", "payment:"])
def test_an_audit_entity_that_is_not_an_id_is_422_never_an_empty_verified_trail(gateway, tokens, entity):
    reply = gateway.request("GET", f"/v1/staff/audit?entity={entity}", token=tokens["supervisor"])
    assert reply.status == 422, reply.body
    assert [d["field"] for d in reply.body["error"]["details"]] == ["query.entity"]


@pytest.mark.parametrize("bad", ["x%23AUDIT", "x%20y", "x%00", "%FF%FE", "x" * 200, "x%2Fy"])
@pytest.mark.parametrize("route", PATH_ID_ROUTES, ids=lambda r: r.id)
def test_a_path_id_with_characters_no_id_has_is_422(gateway, tokens, route, bad):
    name = re.findall(r"<(\w+)>", route.template)[-1]
    path = _path(route, **{name: bad})
    reply = gateway.request(
        route.method,
        path,
        token=_token_for(route, tokens),
        json=None if route.method in {"GET", "DELETE"} else {},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    if reply.status == 404:  # characters the router never matches an id with ('#', NUL, '/'): no route at all
        assert reply.body["error"]["message"].startswith("no route"), reply.body
    else:
        assert reply.status == 422, (path, reply.body)
        assert reply.body["error"]["code"] == "validation_failed"
        assert f"path.{name}" in {d["field"] for d in reply.body["error"]["details"]}


QUERY_JUNK = ["", "x" * 5000, "-1", "9" * 5000, "%00", "%FF", "2026-02-30", "null", "[]", "a&{q}=b"]


@pytest.mark.parametrize("route", QUERY_ROUTES, ids=lambda r: r.id)
def test_junk_in_every_query_parameter_never_gets_a_5xx(gateway, tokens, route):
    failures = []
    for name in route.query:
        for junk in QUERY_JUNK:
            value = junk.format(q=name) if "{q}" in junk else junk
            reply = gateway.request(
                route.method,
                f"{_path(route)}?{name}={value}",
                token=_token_for(route, tokens),
                json={} if route.takes_body else None,
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if reply.status >= 500 or (reply.status >= 400 and set(reply.body or {}) != {"error"}):
                failures.append((name, value[:40], reply.status, reply.body))
    assert failures == [], failures[:3]


# --- who may call, before what was sent -------------------------------------------------------------------------

INVALID_BODIES = [b'{"unknown": 1}', b"{", b'{"note": "4954 6922 2738 2654"}', b'"x"']


@pytest.mark.parametrize("body", INVALID_BODIES, ids=["unknown-field", "malformed", "card-number", "not-object"])
@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: r.id)
def test_a_customer_on_a_staff_route_is_403_whatever_the_body(gateway, tokens, route, body):
    reply = gateway.request(
        route.method,
        _path(route),
        token=tokens["customer"],
        body=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status == 403 and reply.body["error"]["code"] == "forbidden", reply.body
    assert "unknown" not in json.dumps(reply.body) and "4954" not in json.dumps(reply.body)


def _role_without(permission: Permission) -> str:
    """A role that does not grant ``permission``; "" (a login in no group) when every role does."""
    return next((role.value for role, granted in ROLE_PERMISSIONS.items() if permission not in granted), "")


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: r.id)
def test_staff_without_the_routes_permission_are_403_before_the_body_is_validated(gateway, tokens, route):
    permission = STAFF_ROUTE_PERMISSIONS[(route.method, route.template)]
    role = _role_without(permission)
    reply = gateway.request(
        route.method,
        _path(route, customerId="CUS-x"),  # too short for the route's pattern: a 422 if validated first
        token=tokens[role],
        body=b'{"unknown": 1}',
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert reply.status == 403 and reply.body["error"]["code"] == "forbidden", (role, reply.body)
    if role:
        assert reply.body["error"]["details"] == {"needs": permission.value}


@pytest.mark.parametrize("route", PORTAL_ROUTES, ids=lambda r: r.id)
def test_staff_on_a_portal_route_and_unlinked_customers_are_403_whatever_the_body(gateway, tokens, route):
    for who in ("agent", "unlinked"):
        reply = gateway.request(
            route.method,
            _path(route),
            token=tokens[who],
            body=b'{"unknown": 1}',
            headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
        )
        if who == "unlinked" and (route.method, route.template) in PORTAL_UNLINKED_ROUTES:
            assert reply.status == 422, reply.body  # this route is for customers not linked yet
        else:
            assert reply.status == 403, (who, reply.body)


def test_every_staff_route_declares_the_permission_its_code_checks():
    names = {p.name: p for p in Permission}
    for route in STAFF_ROUTES:
        in_code = {names[n] for n in route.code_names if n in names}
        assert "require_staff" in route.code_names, route.id
        assert in_code == {STAFF_ROUTE_PERMISSIONS.get((route.method, route.template))}, route.id
    assert {(r.method, r.template) for r in STAFF_ROUTES} == set(STAFF_ROUTE_PERMISSIONS)


def test_every_portal_route_needs_a_linked_customer_but_the_declared_ones():
    unlinked = {(r.method, r.template) for r in PORTAL_ROUTES if "require_customer" not in r.code_names}
    assert unlinked == set(PORTAL_UNLINKED_ROUTES)
