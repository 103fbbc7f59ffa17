"""Schemathesis against the local runtime: every operation of the served ``/openapi.json``, called over HTTP on the
real gateway (``Gateway(local_env).serve``) with the real handlers, as a customer, an agent and a supervisor.

Two checks, on every answer: ``not_a_server_error`` (no 5xx) and ``response_schema_conformance`` (the body is
what the contract documents for that status). Each operation gets ``EXAMPLES`` generated requests (fewer for
the few slow ones, ``SLOW``): valid ones (``positive``), invalid ones (``negative``), and valid ones aimed at the
records of a customer built here, so the routes answer with real data and not only 404s. Generation is
derandomized (the same requests on every run, no example database) and never shrinks, so a failure reproduces
with the same test and prints the request as a curl command. Nothing here is a time limit: the one timeout only
keeps a hung request from hanging the session, far above any answer.

The customer fuzzes the public and portal routes, the agent and the supervisor the staff routes, the demo connected
system (every integration scope) the integration routes. Every request
carries a fresh ``Idempotency-Key`` (routes that need one would otherwise only ever answer 400).
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.internal import lambda_sources
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.domain.models import Allocation, Document, DocumentKind
from local.environment import LocalEnvironment
from local.gateway import Gateway, LocalHttpServer
from tests import builders as b
from tests.integration.conftest import GatewayClient, Users, new_customer_id
from tests.integration.integration_support import machine_token

pytestmark = pytest.mark.xdist_group("contract")


def _described_despite_cpython_ast_bug(f: Callable[..., object]) -> str:
    """Hypothesis names a filter's lambda by parsing its module; CPython 3.11.7's ``ast.parse`` can fail that way
    with "AST constructor recursion depth mismatch" (a CPython bug, fixed in later 3.11 releases) when called deep
    in schemathesis's recursive strategies, and the run then ends in a FlakyFailure that says nothing about the
    API. A lambda's name is only for display, so it falls back to Hypothesis's own "unknown" spelling."""
    try:
        return _lambda_description(f)
    except SystemError:
        return "lambda: <unknown>"


_lambda_description = lambda_sources._lambda_description
lambda_sources._lambda_description = _described_despite_cpython_ast_bug

EXAMPLES = 25
# Operations whose every call costs much more than the others (a statement or an export reads and renders a
# whole history): fewer examples keep the run bounded; the other checks of these routes live in their own tests.
SLOW = {
    ("GET", "/v1/portal/statements"): 10,
    ("GET", "/v1/staff/reports/collections"): 10,
    ("GET", "/v1/staff/reports/exceptions"): 10,
    ("GET", "/v1/staff/activity"): 10,
}
ROLES = {
    "customer": ("/v1/public/", "/v1/portal/", "/v1/health", "/v1/processor/", "/v1/webhooks/"),
    "agent": ("/v1/staff/",),
    "supervisor": ("/v1/staff/",),
    "machine": ("/v1/integrations/",),
}
CHECKS = [not_a_server_error, response_schema_conformance]
HUNG_S = 300  # a request not answered by then has hung (answers take milliseconds to a few seconds)
BIG = 60_000  # a payment over the local agency's approval threshold (50,000): refunding all of it is filed (202)


@dataclass(frozen=True)
class World:
    """A customer with records for the fuzzed requests to find: path parameters by name."""

    customer_id: str
    portal_ids: dict[str, str]
    staff_ids: dict[str, str]
    machine_token: str  # the demo connected system's (every integration scope)


@pytest.fixture(scope="module")
def server(local_env: LocalEnvironment) -> Iterator[LocalHttpServer]:
    server = Gateway(local_env).serve("127.0.0.1", 0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def contract(server: LocalHttpServer) -> schemathesis.BaseSchema:
    with urllib.request.urlopen(f"{server.url}/openapi.json", timeout=HUNG_S) as answer:  # noqa: S310 - our own server
        document = json.load(answer)
    return schemathesis.openapi.from_dict(document)


@pytest.fixture(scope="module")
def world(local_env: LocalEnvironment) -> World:
    """Accounts with open, overdue and paid invoices, a payment taken through the API (refunds of part of it are
    carried out, of all of it filed for approval), one written directly with its allocation, a credit note, a
    plan and a receipt document."""
    cid = new_customer_id()
    customer = b.customer(cid)
    water = b.account(cid, number=f"UT-{uuid.uuid4().int % 10**8:08d}")
    tax = b.account(cid, number=f"PT-{uuid.uuid4().int % 10**8:08d}", department="property_tax")
    open_invoice = b.invoice(cid, water.account_number, amount=12_000, due=b.TODAY + timedelta(days=20))
    overdue = b.invoice(
        cid, tax.account_number, amount=90_000, due=b.TODAY - timedelta(days=5), department="property_tax"
    )
    paid = b.invoice(cid, water.account_number, amount=5_000, paid=5_000, due=b.TODAY - timedelta(days=40))
    spare = b.invoice(cid, water.account_number, amount=BIG, due=b.TODAY + timedelta(days=25))
    earlier = b.payment(cid, amount=5_000, at=b.NOW - timedelta(days=41), receipt_number=f"R-{b.n():08d}")
    allocation = Allocation(
        payment_id=earlier.payment_id,
        invoice_id=paid.invoice_id,
        invoice_number=paid.invoice_number,
        customer_id=cid,
        account_number=water.account_number,
        department="utilities",
        amount=5_000,
        currency="USD",
        applied_at=earlier.created_at,
    )
    document = Document(
        document_id=f"doc_{uuid.uuid4().hex}",
        customer_id=cid,
        kind=DocumentKind.RECEIPT,
        title=f"Receipt {earlier.receipt_number}",
        filename=f"{earlier.receipt_number}.pdf",
        content_type="application/pdf",
        size=1234,
        storage_key=f"customers/{cid}/receipts/{earlier.receipt_number}.pdf",
        created_at=earlier.created_at,
        document_date=earlier.created_at.date(),
        reference=earlier.receipt_number,
        created_by="system",
    )
    credit = b.credit_note(cid, water.account_number, amount=700)
    plan = b.plan(cid, tax.account_number, amounts=(45_000, 45_000))
    DynamoCustomerRecords(local_env.resources.ledger_table).put_new(
        [customer, water, tax, open_invoice, overdue, paid, spare, earlier, allocation, document, credit, plan]
    )
    clerk = local_env.create_user(f"fuzz-clerk-{uuid.uuid4().hex[:10]}@example.com", groups=("agent",))
    taken = GatewayClient(Gateway(local_env)).request(
        "POST",
        "/v1/staff/payments",
        token=local_env.login(clerk.username).id_token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "customer_id": cid,
            "amount": BIG,
            "currency": "USD",
            "method": "card",
            "channel": "phone",
            "token": "tok_visa",
            "lines": [{"invoice_id": spare.invoice_id, "amount": BIG}],
        },
    )
    assert taken.status == 201, taken.body
    payment_id = taken.body["payment"]["payment_id"]
    return World(
        customer_id=cid,
        portal_ids={
            "invoiceId": open_invoice.invoice_id,
            "paymentId": earlier.payment_id,
            "documentId": document.document_id,
            "schedule_id": plan.schedule_id,
        },
        staff_ids={
            "customerId": cid,
            "paymentId": payment_id,
            "receiptId": str(taken.body["receipt_number"]),
        },
        machine_token=machine_token(local_env),
    )


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_server_error_and_every_answer_as_documented(
    role: str,
    contract: schemathesis.BaseSchema,
    world: World,
    server: LocalHttpServer,
    make_users: Callable[..., Users],
) -> None:
    if role == "customer":
        token, known = make_users(customer_id=world.customer_id).customer_token, world.portal_ids
    elif role == "machine":
        token, known = world.machine_token, {}
    else:
        token, known = make_users(groups=(role,)).staff_token, world.staff_ids
    started = time.monotonic()
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [op for result in contract.get_all_operations() if (op := result.ok()).path.startswith(ROLES[role])]
    assert operations, f"no operation of the contract is the {role}'s"
    lines = []
    for operation in operations:
        answered: Counter[int] = Counter()
        failures += _fuzz(operation, server.url, token, known, answered)
        statuses.update(answered)
        lines.append(f"  {operation.label}: {dict(sorted(answered.items()))}")
    seconds = time.monotonic() - started
    print(  # the figures of the run, with -s
        f"\n{role}: {len(operations)} operations, {sum(statuses.values())} requests in {seconds:.0f} s; "
        f"statuses {dict(sorted(statuses.items()))}; {len(failures)} failures",
        *lines,
        sep="\n",
    )
    assert not failures, f"{len(failures)} answers break the contract:\n\n" + "\n\n".join(failures)


def _fuzz(
    operation: schemathesis.APIOperation,
    base_url: str,
    token: str,
    known: dict[str, str],
    statuses: Counter[int],
) -> list[str]:
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = {p.name for p in operation.path_parameters}
    if names and names <= known.keys():
        strategies.append(operation.as_strategy(path_parameters={name: known[name] for name in names}))
    found: dict[str, str] = {}
    examples = SLOW.get((operation.method.upper(), operation.path), EXAMPLES)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case: schemathesis.Case) -> None:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        response = case.call(base_url=base_url, headers=headers, timeout=HUNG_S)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as exc:  # every failure is collected and reported, not the first
            signature = f"{operation.label} {response.status_code} {type(exc).__name__}"
            found.setdefault(signature, f"{signature}\n{_describe(exc)}")

    run()
    return list(found.values())


def _describe(exc: BaseException) -> str:
    text = str(exc)
    for note in getattr(exc, "__notes__", []):
        text += f"\n{note}"
    for sub in getattr(exc, "exceptions", []):
        text += f"\n- {sub}"
    return text[:3000]


def test_the_fuzzed_contract_is_the_served_one(contract: schemathesis.BaseSchema) -> None:
    labels = {result.ok().label for result in contract.get_all_operations()}
    assert "POST /v1/staff/payments/{paymentId}/refunds" in labels
    assert "GET /v1/portal/dashboard" in labels
    assert all(label.split(" ", 1)[1].startswith(tuple(p for ps in ROLES.values() for p in ps)) for label in labels)
