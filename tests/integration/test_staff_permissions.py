"""The staff permission matrix, enforced on every staff route: role x route.

Every ``/v1/staff/*`` operation in the API description is a case here. ``PERMISSIONS`` says which permission
each needs (and, when the route needs them, a valid query or body, so that the request reaches the permission
check rather than stopping at validation). A role that has the permission gets past the check; a role without it
gets 403; a customer's token gets 403; no token gets 401. A staff route added without an entry here fails
``test_every_staff_route_is_in_the_matrix`` with a message saying to add it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from arportal.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from arportal.services.bank_lines import line_id
from tests.integration.conftest import new_customer_id
from tests.quiet_days import quiet_day

P = Permission
# Far-off days nobody writes to: the matrix checks who may call, not what a busy day holds.
QUIET = quiet_day(days=2)
RANGE = f"from={QUIET}&to={QUIET + timedelta(days=1)}"


@dataclass(frozen=True)
class Case:
    permission: Permission
    query: str = ""
    body: dict[str, Any] | None = None
    path_params: dict[str, str] = field(default_factory=dict)


PERMISSIONS: dict[tuple[str, str], Case] = {
    ("GET", "/v1/staff/search"): Case(P.CUSTOMERS_READ, query="q=CUS-0000NOONE"),
    ("GET", "/v1/staff/departments"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/audit"): Case(P.AUDIT_READ, query="entity=payment:pay_NOONE00000"),
    ("GET", "/v1/staff/activity"): Case(P.CUSTOMERS_READ, query=RANGE),
    ("GET", "/v1/staff/customers/{customerId}"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/customers/{customerId}/payments"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/customers/{customerId}/invoices"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/customers/{customerId}/balances"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/customers/{customerId}/interactions"): Case(P.CUSTOMERS_READ),
    ("POST", "/v1/staff/customers/{customerId}/interactions"): Case(
        P.INTERACTIONS_WRITE, body={"kind": "note", "summary": "permission check"}
    ),
    ("GET", "/v1/staff/payments/{paymentId}"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/payments/{paymentId}/trail"): Case(P.CUSTOMERS_READ),
    ("GET", "/v1/staff/reports/collections"): Case(P.REPORTS_READ, query=RANGE),
    ("GET", "/v1/staff/reports/exceptions"): Case(P.REPORTS_READ, query=RANGE),
    ("GET", "/v1/staff/reports/metrics"): Case(P.REPORTS_READ, query=RANGE),
    ("GET", "/v1/staff/reports/metrics/payments"): Case(P.REPORTS_READ, query=RANGE + "&figure=failed"),
    # --- staff actions (issue 5, part 2): ids that exist nowhere, so a permitted call is a 404 and changes nothing
    ("POST", "/v1/staff/payments"): Case(
        P.PAYMENTS_TAKE,
        body={
            "customer_id": "CUS-0000NOONE",
            "amount": 100,
            "currency": "USD",
            "method": "card",
            "channel": "phone",
            "token": "tok_visa",
            "lines": [{"invoice_id": "inv_NOONE00000", "amount": 100}],
        },
    ),
    ("GET", "/v1/staff/payments:quote"): Case(P.PAYMENTS_TAKE, query="amount=100&method=card"),
    ("POST", "/v1/staff/payments/{paymentId}/refunds"): Case(
        P.EXCEPTIONS_REQUEST, body={"amount": 100, "reason_code": "other", "note": "permission check"}
    ),
    ("POST", "/v1/staff/payments/{paymentId}/voids"): Case(
        P.EXCEPTIONS_REQUEST, body={"reason_code": "other", "note": "permission check"}
    ),
    ("POST", "/v1/staff/payments/{paymentId}/reversals"): Case(
        P.EXCEPTIONS_REQUEST, body={"reason_code": "nsf", "note": "permission check"}
    ),
    ("POST", "/v1/staff/adjustments"): Case(
        P.EXCEPTIONS_REQUEST,
        body={
            "customer_id": "CUS-0000NOONE",
            "invoice_id": "inv_NOONE00000",
            "kind": "adjustment",
            "amount": -100,
            "reason_code": "billing_error",
            "note": "permission check",
        },
    ),
    ("GET", "/v1/staff/approvals"): Case(P.CUSTOMERS_READ, query="status=pending&limit=1"),
    ("POST", "/v1/staff/approvals/{approvalId}/decision"): Case(P.APPROVALS_DECIDE, body={"decision": "approve"}),
    ("POST", "/v1/staff/receipts/{receiptId}/email"): Case(P.RECEIPTS_SEND, body={}),
    ("GET", "/v1/staff/customers/{customerId}/duplicates"): Case(P.CUSTOMERS_READ),
    # applying held credit (issue 4): a customer with no credit, so a permitted call is a 422 and changes nothing
    ("POST", "/v1/staff/customers/{customerId}/credit-applications"): Case(P.PAYMENTS_TAKE, body={}),
    # staff invitations (issue 16): a permitted invite invites the address once, then answers 409
    ("GET", "/v1/staff/staff-members"): Case(P.ADMIN_USERS),
    ("POST", "/v1/staff/staff-members"): Case(
        P.STAFF_INVITE, body={"email": "matrix-invite@example.org", "name": "Matrix Invite", "group": "agent"}
    ),
    # connected systems' app clients (issue 12): a client that exists nowhere, so a permitted change is a 404
    ("GET", "/v1/staff/integrations/clients"): Case(P.INTEGRATIONS_MANAGE),
    ("POST", "/v1/staff/integrations/clients/{clientId}/secrets"): Case(P.INTEGRATIONS_MANAGE),
    ("DELETE", "/v1/staff/integrations/clients/{clientId}/secrets/{secretId}"): Case(P.INTEGRATIONS_MANAGE),
    # console imports (issue 12): a permitted create makes a dry-run import nobody uploads to; other ids are unknown
    ("POST", "/v1/staff/integrations/imports"): Case(
        P.INTEGRATIONS_MANAGE, body={"kind": "invoices", "format": "csv", "dry_run": True}
    ),
    ("GET", "/v1/staff/integrations/imports/{importId}"): Case(P.INTEGRATIONS_MANAGE),
    ("POST", "/v1/staff/integrations/imports/{importId}:start"): Case(P.INTEGRATIONS_MANAGE),
    ("GET", "/v1/staff/integrations/imports/templates/{kind}.csv"): Case(
        P.INTEGRATIONS_MANAGE, path_params={"kind": "invoices"}
    ),
    # GL journals (issue 14): a quiet day has no batches; batch and correction ids that exist nowhere (404)
    ("GET", "/v1/staff/finance/journals"): Case(P.FINANCE_READ, query=f"date={QUIET}"),
    ("GET", "/v1/staff/finance/journals/{batchId}"): Case(P.FINANCE_READ, query="format=csv"),
    ("POST", "/v1/staff/finance/journals/{batchId}/imported"): Case(P.FINANCE_MANAGE),
    ("POST", "/v1/staff/finance/journals/{batchId}/corrections"): Case(
        P.FINANCE_MANAGE, body={"reason": "permission check"}
    ),
    ("POST", "/v1/staff/finance/journals/corrections/{correctionId}/decision"): Case(
        P.FINANCE_MANAGE, body={"decision": "reject"}
    ),
    # Settlement (issue 14): quiet days have no payouts; deposit and item ids that exist nowhere (404)
    ("GET", "/v1/staff/finance/payouts"): Case(P.FINANCE_READ, query=RANGE),
    ("GET", "/v1/staff/finance/deposits"): Case(P.FINANCE_READ, query=RANGE + "&status=expected"),
    ("POST", "/v1/staff/finance/deposits/{depositId}/confirm"): Case(P.FINANCE_MANAGE),
    ("GET", "/v1/staff/finance/reconciliation-items"): Case(P.FINANCE_READ, query="status=resolved&limit=1"),
    ("POST", "/v1/staff/finance/reconciliation-items/{itemId}/resolve"): Case(
        P.FINANCE_MANAGE, body={"note": "permission check"}
    ),
    # the drawer close-out: a terminal nobody uses and nothing counted (422 nothing_to_close); a deposit of no close
    ("POST", "/v1/staff/finance/drawers/{terminal}/close"): Case(
        P.DRAWER_CLOSE,
        body={"drawer_id": "D1", "currency": "USD", "counted": {"cash": 0, "cheque": 0}},
        path_params={"terminal": lambda: f"NOONE-{uuid.uuid4().hex[:12]}"},
    ),
    ("GET", "/v1/staff/finance/deposits/{depositId}/slip"): Case(P.DRAWER_CLOSE),
    # the daily close: a day nobody closed (404), and a Saturday, which has no close (422): nothing is written
    ("GET", "/v1/staff/finance/close"): Case(P.FINANCE_READ, query=f"date={QUIET}"),
    ("POST", "/v1/staff/finance/close"): Case(
        P.FINANCE_MANAGE, body={"date": (QUIET + timedelta(days=(5 - QUIET.weekday()) % 7)).isoformat()}
    ),
    # the unmatched queue (issue 15): a status nobody queues to is listed, a line that exists nowhere (404)
    ("GET", "/v1/staff/finance/bank-lines"): Case(P.FINANCE_READ, query="status=decided&limit=1"),
    ("GET", "/v1/staff/finance/bank-lines/{lineKey}"): Case(P.FINANCE_READ),
    ("POST", "/v1/staff/finance/bank-lines/{lineKey}/decision"): Case(
        P.FINANCE_MANAGE, body={"action": "ignore", "note": "permission check"}
    ),
    ("GET", "/v1/staff/finance/return-rates"): Case(P.FINANCE_READ),
    # bank accounts and bank files (issue 15): a file that exists nowhere (404); a POST with no file (400)
    ("GET", "/v1/staff/finance/bank-accounts"): Case(P.FINANCE_READ),
    ("GET", "/v1/staff/finance/bank-files"): Case(P.FINANCE_READ, query="limit=1"),
    ("GET", "/v1/staff/finance/bank-files/{fileId}"): Case(P.FINANCE_READ),
    ("POST", "/v1/staff/finance/bank-files"): Case(P.FINANCE_MANAGE),
    # presenting a returned ACH debit again (issue 15): a payment that exists nowhere (404), nothing debited
    ("GET", "/v1/staff/payments/{paymentId}/representment"): Case(P.CUSTOMERS_READ),
    ("POST", "/v1/staff/payments/{paymentId}/representments"): Case(P.FINANCE_MANAGE),
}

# Ids that exist nowhere, so that a permitted call finds nothing and changes nothing.
PATH_PARAMS = {
    "customerId": new_customer_id,
    "paymentId": lambda: f"pay_{uuid.uuid4().hex[:26].upper()}",
    "approvalId": lambda: f"apr_{uuid.uuid4().hex[:26]}",
    "receiptId": lambda: "R-2611-NOONE0",
    "invoiceId": lambda: f"inv_{uuid.uuid4().hex[:26].upper()}",
    "clientId": lambda: f"noclient{uuid.uuid4().hex[:18]}",
    "secretId": lambda: f"noclient{uuid.uuid4().hex[:18]}--1767225600000",
    "importId": lambda: f"imp_{uuid.uuid4().hex[:26].upper()}",
    "batchId": lambda: f"GL-noone-{uuid.uuid4().int % 10**8:08d}-01",
    "correctionId": lambda: f"jfx_{uuid.uuid4().hex[:26].upper()}",
    "depositId": lambda: f"nopayout_{uuid.uuid4().hex[:20]}",
    "itemId": lambda: f"rec_{uuid.uuid4().hex[:20]}",
    "lineKey": lambda: line_id(f"noone:{uuid.uuid4().hex}"),
    "fileId": lambda: f"bkf_{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}",
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _staff_operations() -> list[tuple[str, str]]:
    """Every staff operation the staff function describes (the same description /openapi.json merges)."""
    from staff_api.handler import app

    schema = app.get_openapi_schema(title="staff_api", version="1")
    return sorted(
        (method.upper(), path)
        for path, item in (schema.paths or {}).items()
        if path.startswith("/v1/staff/")
        for method in HTTP_METHODS
        if getattr(item, method, None) is not None
    )


OPERATIONS = _staff_operations()
CALLERS = (*(role.value for role in Role), "no_role", "customer", "nobody")


@pytest.fixture(scope="module")
def tokens(local_env) -> dict[str, str | None]:
    made: dict[str, str | None] = {"nobody": None}
    tag = uuid.uuid4().hex[:8]
    for role in Role:
        user = local_env.create_user(f"matrix-{role.value}-{tag}@example.org", groups=(role.value,))
        made[role.value] = local_env.login(user.username).id_token
    customer = local_env.create_user(f"matrix-customer-{tag}@example.org", customer_id=new_customer_id())
    made["customer"] = local_env.login(customer.username).id_token
    # a staff member in no group: signed in to the staff pool, granted nothing
    cognito, pool = local_env.client("cognito-idp"), local_env.resources.staff_pool_id
    username = f"matrix-nobody-{tag}@example.org"
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password="Demo-pass-1234", Permanent=True)
    made["no_role"] = local_env.login(username).id_token
    return made


def test_every_staff_route_is_in_the_matrix():
    missing = [f"{m} {p}" for m, p in OPERATIONS if (m, p) not in PERMISSIONS]
    assert not missing, (
        f"staff routes without an entry in PERMISSIONS (tests/integration/test_staff_permissions.py): {missing}. "
        "Add each with the Permission it requires (and a valid query/body if it validates one)."
    )
    stale = [f"{m} {p}" for m, p in PERMISSIONS if (m, p) not in OPERATIONS]
    assert not stale, f"PERMISSIONS names routes that no longer exist: {stale}; remove them"


def test_the_published_api_description_lists_the_same_staff_routes(local_env):
    import json

    from public_api.handler import openapi_document

    paths = json.loads(openapi_document())["paths"]
    published = sorted(
        (m.upper(), p) for p, item in paths.items() if p.startswith("/v1/staff/") for m in HTTP_METHODS if m in item
    )
    assert published == OPERATIONS


def _request(case: Case, path: str) -> tuple[str, dict[str, str]]:
    for name in re.findall(r"\{(\w+)\}", path):
        make = case.path_params.get(name) or PATH_PARAMS.get(name)
        assert make is not None, f"add an id for the path parameter {{{name}}} to PATH_PARAMS or to the case"
        path = path.replace(f"{{{name}}}", make() if callable(make) else make)
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    return (f"{path}?{case.query}" if case.query else path), headers


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_role_by_route(gateway, tokens, method, path, caller):
    case = PERMISSIONS.get((method, path))
    if case is None:
        pytest.fail(f"{method} {path} has no entry in PERMISSIONS: add it with the permission it requires")
    url, headers = _request(case, path)
    reply = gateway.request(method, url, token=tokens[caller], json=case.body, headers=headers)
    if caller == "nobody":
        assert reply.status == 401, reply.body
        return
    allowed = caller in {r.value for r in Role} and case.permission in ROLE_PERMISSIONS[Role(caller)]
    if allowed:
        assert reply.status not in (401, 403) and reply.status < 500, (caller, reply.status, reply.body)
    else:
        assert reply.status == 403, (caller, reply.status, reply.body)
        assert reply.body["error"]["code"] == "forbidden"
