"""Integration fixtures: the local runtime's AWS environment (moto in-process) and its HTTP gateway.

``local_env`` (session)
    A started ``local.environment.LocalEnvironment``: every table, bucket, user pool, function and state machine
    the product deploys, created in moto from the same definitions, with no seed data. Wait states and retry
    intervals are instant. ``os.environ`` holds the functions' runtime environment (``arportal.config.settings()``
    works) and ``AWS_ENDPOINT_URL`` points boto3 at moto. Useful members:
    ``resources`` (names, ids, ARNs: ``ledger_table``, ``customer_pool_id``, ``state_machines["approval"]``...),
    ``client(service)``, ``create_user(email, customer_id=..., groups=...)``, ``login(email) -> Tokens``,
    ``relay_once()`` (outbox items -> bus), ``drain_events()`` (what reached the bus since the last drain) and
    ``configure(NAME="value")`` to change the functions' environment (handlers run with their function's
    configured environment, so use it rather than ``monkeypatch.setenv``, and set the value back afterwards).
    The environment is shared by the session: use fresh ids (``new_customer_id()``), never fixed ones.

``make_users`` (function)
    ``make_users(customer_id=None, groups=("agent",)) -> Users``: a new customer login linked to ``customer_id``
    (a fresh id when None; create the customer record yourself) and a new staff login in ``groups``, with their
    ID tokens: ``users.customer_token``, ``users.staff_token``, ``users.customer``, ``users.staff``.

``gateway`` (function)
    ``GatewayClient`` over ``local.gateway.Gateway(local_env)`` with the real handlers, called in-process (the
    same ``dispatch`` the HTTP server calls): ``gateway.request(method, path, *, token=None, json=None,
    headers=None, body=None) -> Reply(status, headers, body)``; ``headers`` has lower-case names; ``body`` is the
    parsed JSON for JSON responses, else bytes. ``token`` is sent as ``Authorization: Bearer <token>``.

``counting`` (function), ``containers`` (function)
    ``counting``: the deployment's own sandbox processor, counting the charges asked of it (``.charges``);
    ``containers``: each thread a Lambda container of its own, for tests that send requests at once.

``executions`` (function)
    ``executions.run(name, input, timeout=20) -> Execution(arn, status, output, error, history)``: start a state
    machine (``payment_retry``, ``approval``, ``settlement``) and wait for it to finish; ``executions.start`` and
    ``executions.wait(arn)`` separately when a test must act while it runs (a task token).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest

from local.apigw import Request
from local.environment import LocalEnvironment, LocalUser
from local.gateway import Gateway
from tests.fakes import CountingProcessor

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_customer_id() -> str:
    return "CUS-" + "".join(secrets.choice(_CROCKFORD) for _ in range(10))


@pytest.fixture(scope="session")
def local_env() -> Iterator[LocalEnvironment]:
    with LocalEnvironment(max_wait_seconds=0) as env:
        yield env


@dataclass(frozen=True)
class Users:
    customer: LocalUser
    staff: LocalUser
    customer_token: str
    staff_token: str


@pytest.fixture
def make_users(local_env: LocalEnvironment) -> Callable[..., Users]:
    def make(customer_id: str | None = None, groups: tuple[str, ...] = ("agent",)) -> Users:
        tag = uuid.uuid4().hex[:10]
        customer = local_env.create_user(f"customer-{tag}@example.com", customer_id=customer_id or new_customer_id())
        staff = local_env.create_user(f"staff-{tag}@example.com", groups=groups)
        return Users(
            customer=customer,
            staff=staff,
            customer_token=local_env.login(customer.username).id_token,
            staff_token=local_env.login(staff.username).id_token,
        )

    return make


class Reply(NamedTuple):
    status: int
    headers: dict[str, str]
    body: Any


class GatewayClient:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        payload = body if body is not None else b""
        if json is not None:
            payload = _dumps(json)
            sent.setdefault("Content-Type", "application/json")
        sent.setdefault("Host", "localhost")
        response = self.gateway.dispatch(Request(method.upper(), path, list(sent.items()), payload))
        names = {k.lower(): v for k, v in response.headers}
        parsed: Any = response.body
        if "json" in names.get("content-type", "") and response.body:
            parsed = response.json()
        return Reply(response.status, names, parsed)


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.fixture
def gateway(local_env: LocalEnvironment) -> GatewayClient:
    return GatewayClient(Gateway(local_env))


@dataclass(frozen=True)
class Execution:
    arn: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    history: list[dict[str, Any]]

    def states_entered(self) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.history if "stateEnteredEventDetails" in e]


class Executions:
    def __init__(self, env: LocalEnvironment) -> None:
        self.env = env
        self.sfn = env.client("stepfunctions")

    def start(self, name: str, payload: dict[str, Any]) -> str:
        arn = self.env.resources.state_machines[name]
        return str(self.sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"])

    def wait(self, arn: str, *, timeout: float = 20) -> Execution:
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{arn} still running after {timeout}s")
            time.sleep(0.05)
        history = self.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        output = described.get("output")
        return Execution(
            arn=arn,
            status=described["status"],
            output=json.loads(output) if output else None,
            error=described.get("error"),
            cause=described.get("cause"),
            history=history,
        )

    def run(self, name: str, payload: dict[str, Any], *, timeout: float = 20) -> Execution:
        return self.wait(self.start(name, payload), timeout=timeout)


@pytest.fixture
def executions(local_env: LocalEnvironment) -> Executions:
    return Executions(local_env)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingProcessor:
    """The deployment's own sandbox processor, counting the charges the handlers ask of it."""
    from tests.integration.pay_support import count_charges

    return count_charges(monkeypatch, CountingProcessor)


@pytest.fixture
def containers(gateway: Any) -> Iterator[None]:
    """Each thread is a container of its own (per-thread request state), as concurrent Lambda invocations are."""
    import portal_api.handler
    from tests.reliability.containers import one_container_per_thread

    gateway.request("GET", "/v1/health")  # import the handlers once, as warm containers would have
    with one_container_per_thread(portal_api.handler.app):
        yield


@pytest.fixture
def fake_stripe(local_env: LocalEnvironment, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Stripe deployment for the length of a test: the real SDK adapter, calling the fake Stripe API
    (``tests/stripe_fake_api.py``), stands in for the processor and the functions run with ``PROCESSOR=stripe``."""
    from arportal.adapters import processors
    from arportal.adapters.processors import ProcessorCredentials
    from arportal.adapters.stripe_processor import StripeProcessor
    from tests.stripe_fake_api import FakeStripeServer
    from tests.unit.test_stripe_webhooks import SECRET

    server = FakeStripeServer()
    stripe = StripeProcessor(
        lambda: ProcessorCredentials("sk_test_route", SECRET), api_base=server.base, max_network_retries=0
    )
    monkeypatch.setattr(processors, "processor_for", lambda _settings: stripe)
    before = local_env.function_env["PROCESSOR"]
    local_env.configure(PROCESSOR="stripe")
    yield server
    local_env.configure(PROCESSOR=before)
    server.close()
