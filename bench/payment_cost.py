"""What 1,000 portal card payments cost on AWS, with everything each one causes downstream, measured on the local
runtime (issue 18, part 5).

``PAYMENTS`` card payments (``POST /v1/portal/payments``) are sent through the in-process gateway against moto,
then everything that follows them runs through the real handlers: the outbox Pipe (the relay) puts their events on
the bus, the bus's rule queues them for the webhook dispatcher, which delivers each to the agency's one subscribed
endpoint (a local receiver); the aggregate builder folds them into the daily totals; the audit exporter copies their
audit records to the Object Lock bucket; the settlement machine matches them to the sandbox's payout, whose
``payment.settled`` events go round the same pipe, queue, webhooks and totals. Every AWS call the product makes
is counted (``bench/cost_meter.py``), and priced:

- DynamoDB request units from the items' sizes; S3 PUTs and GETs; SES emails; Lambda requests per invocation;
- the AWS plumbing the local runtime stands in for, per event: the Pipe (one request each) and the bus (one custom
  event each), SQS (the bus's SendMessage, the event source mapping's ReceiveMessage and DeleteMessage: 3 requests
  per batch of up to 10, counted as 3 per event here), the Standard settlement machine's transitions (per run,
  shared by the day's payments: ``PAYMENTS_PER_DAY``);
- Lambda duration: stated per function below (GB-s at the function's memory in ``infrastructure/catalog.py``),
  the measured local figure beside it (moto and a shared machine make it slower than AWS). The payment's is the
  processor's answer (~400 ms) plus DynamoDB, S3 and SES.

Prices: AWS on-demand list prices, us-east-1, x86 (``bench/cost_meter.py``). The processor is the sandbox in
memory: a real processor is outside AWS and priced by its own fees. The email itself (SES, $0.10 per 1,000) is
reported apart: the goal is at most $0.03 per 1,000 payments for everything else.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from bench import cost_meter as m

PAYMENTS = 10
PAYMENTS_PER_DAY = 1_000  # the settlement run's fixed part (its listing, transitions, finish) is shared by a day's
ASSUMED_DURATION_MS = {  # per invocation, on AWS
    "portal_api": 600,  # the processor's answer ~400 ms, then the posting, the receipt's record and the email
    "aggregate_builder": 30,  # one batch: a few UpdateItems
    "audit_exporter": 60,  # one batch: one S3 PUT
    "webhook_dispatcher": 150,  # one signed HTTP POST to the agency's endpoint, ~100 ms, and its records
    "workflow_tasks": 40,  # settlement: a share of a chunk's match (30 ms a line), the listing and finish
}
GOAL_EXCLUDING_EMAIL = 0.03
PER_EVENT = ("webhook_dispatcher", "aggregate_builder", "audit_exporter")  # stream/queue consumers, priced per event


def _scenario(env: Any, recorder: m.Recorder) -> dict[str, Any]:
    from arportal import clock
    from arportal.adapters.aws import client
    from arportal.adapters.dynamodb import codec, payout_items
    from arportal.config import settings
    from arportal.domain.banking_days import add_banking_days
    from arportal.wiring import webhooks
    from bench.settlement import _banking_day
    from bench.webhook_delivery import _Receiver
    from local.gateway import Gateway
    from local.scheduler import Scheduler
    from tests.integration.conftest import GatewayClient, new_customer_id
    from tests.reliability.worlds import pay_world

    day = _banking_day(date(2041, 3, 4))
    receiver = _Receiver()
    endpoint, receiver.secret = webhooks.create_endpoint(receiver.url, ["payment.*"], actor="system:bench")
    cid = new_customer_id()
    pay_world(tuple([100_000] * 3), customer_id=cid, email=f"{cid.lower()}@example.org")
    token = env.login(env.create_user(f"bench-{uuid.uuid4().hex[:8]}@example.org", customer_id=cid).username).id_token
    gateway = GatewayClient(Gateway(env))
    gateway.request("GET", "/v1/health")  # the handlers imported, as in a warm container
    env.relay_once(), env.aggregate_once(), env.export_audit_once(), env.deliver_webhooks_once()  # the setup's
    phases: dict[str, Any] = {}
    try:
        with clock.using(clock.FrozenClock(datetime.combine(day, time(14), UTC))):
            mark = recorder.mark()
            body = {"amount": 1_000, "currency": "USD", "method": "card", "token": "tok_visa"}
            for _ in range(PAYMENTS):
                headers = {"Idempotency-Key": uuid.uuid4().hex}
                reply = gateway.request("POST", "/v1/portal/payments", token=token, json=body, headers=headers)
                assert reply.status == 201, reply.body
            phases["payment"] = _phase(recorder, mark, api_requests=PAYMENTS)
            phases["posted_downstream"] = _downstream(env, recorder, receiver, expected_events=PAYMENTS)
        client("dynamodb").delete_item(TableName=settings().ledger_table, Key=codec.serialize(payout_items.CURSOR_KEY))
        run_day = add_banking_days(day, 3)
        with clock.using(clock.FrozenClock(datetime.combine(run_day, time(12), UTC))):
            mark = recorder.mark()
            outcome = Scheduler(env).run("settlement")
            assert outcome.ok, outcome.error
            assert outcome.result["report"]["matched"] >= PAYMENTS, outcome.result
            phases["settlement"] = _phase(recorder, mark, transitions=_transitions(env))
            phases["settled_downstream"] = _downstream(env, recorder, receiver, expected_events=PAYMENTS)
    finally:
        webhooks.delete_endpoint(endpoint.endpoint_id, actor="system:bench")
        receiver.close()
    phases["webhook_requests_received"] = len(receiver.starts)
    return phases


def _downstream(env: Any, recorder: m.Recorder, receiver: Any, *, expected_events: int) -> dict[str, Any]:
    """The relay (the Pipe), then the queue's dispatcher, the daily totals and the audit export."""
    import time as wall

    mark = recorder.mark()
    relayed = env.relay_once()
    before = len(receiver.starts)  # requests received (the bench's frozen clock dates their signatures: refused)
    deadline = wall.monotonic() + 60
    while len(receiver.starts) < before + relayed and wall.monotonic() < deadline:
        env.deliver_webhooks_once()
        wall.sleep(0.05)
    env.aggregate_once()
    env.export_audit_once()
    assert relayed >= expected_events, relayed
    return _phase(recorder, mark, events=relayed)


def _transitions(env: Any) -> int:
    """State transitions of the settlement machine's newest execution (its Distributed Map's children included)."""
    sfn = env.client("stepfunctions")
    arn = env.resources.state_machines["settlement"]
    newest = sfn.list_executions(stateMachineArn=arn, maxResults=1)["executions"][0]["executionArn"]
    history = sfn.get_execution_history(executionArn=newest, maxResults=1000)["events"]
    return sum(1 for e in history if str(e["type"]).endswith("StateEntered") or e["type"] == "MapIterationStarted")


def _phase(
    recorder: m.Recorder, mark: tuple[int, int], *, api_requests: int = 0, events: int = 0, transitions: int = 0
) -> dict[str, Any]:
    from arportal.config import settings

    calls, invocations = recorder.since(mark)
    recorder.by_item.clear()
    rru, wru = recorder.units(calls, settings().ledger_table)
    ops = m.operations(calls)
    functions = Counter(name for name, _ in invocations)
    local_ms: dict[str, list[float]] = {}
    for name, ms in invocations:
        local_ms.setdefault(name, []).append(ms)
    return {
        "api_requests": api_requests,
        "lambda_invocations": dict(functions),
        "lambda_local_ms_mean": {k: round(sum(v) / len(v), 1) for k, v in local_ms.items()},
        "product_calls": dict(sorted(ops.items())),
        "rru": rru,
        "wru": wru,
        "wru_by_item": dict(recorder.by_item.most_common()),
        "events": events,
        "step_functions_transitions": transitions,
    }


def _cost(phase: dict[str, Any], per: int) -> dict[str, float]:
    """USD per 1,000 payments of one phase measured over ``per`` payments. A settlement run's fixed part (its
    listing, finish and Lambda invocations) is counted against these ``per`` payments alone: an overstatement, as
    a day's run serves all its payments; only its state transitions are shared by ``PAYMENTS_PER_DAY``."""
    from infrastructure import catalog

    scale = 1000 / per
    ops = Counter(phase["product_calls"])
    invocations = dict(phase["lambda_invocations"])  # the gateway's too: it runs the API's handler as Lambda would
    for function in PER_EVENT:  # locally one batch took them all; at a quiet hour on AWS each event is its own
        if function in invocations:
            invocations[function] = max(invocations[function], phase["events"])
    memory = {f.name: f.memory_mb for f in catalog.FUNCTIONS}
    gb_s = sum(n * ASSUMED_DURATION_MS[_spec(f)] / 1000 * memory[_spec(f)] / 1024 for f, n in invocations.items())
    puts = ops["s3.PutObject"] + ops["s3.CopyObject"]
    transitions = phase["step_functions_transitions"] * per / PAYMENTS_PER_DAY
    parts = {
        "api_gateway": phase["api_requests"] * m.API_GATEWAY_REST_REQUEST,
        "lambda_requests": sum(invocations.values()) * m.LAMBDA_REQUEST,
        "lambda_duration": gb_s * m.LAMBDA_GB_SECOND,
        "dynamodb": phase["rru"] * m.DYNAMODB_RRU + phase["wru"] * m.DYNAMODB_WRU,
        "s3": puts * m.S3_PUT + ops["s3.GetObject"] * m.S3_GET,
        "pipe_and_bus": phase["events"] * (m.EVENTBRIDGE_PIPE_REQUEST + m.EVENTBRIDGE_EVENT)
        + ops["events.PutEvents"] * m.EVENTBRIDGE_EVENT,
        "sqs": phase["events"] * 3 * m.SQS_REQUEST,
        "step_functions": transitions * m.STEP_FUNCTIONS_TRANSITION,
        "email": (ops["ses.SendEmail"] + ops["ses.SendRawEmail"] + ops["sesv2.SendEmail"]) * m.SES_EMAIL,
    }
    return {k: round(v * scale, 6) for k, v in parts.items()}


def _spec(function_name: str) -> str:
    """The catalog's name of a function as moto names it (``<stack>-<name>``) or as the gateway does."""
    from infrastructure import catalog

    return next(f.name for f in catalog.FUNCTIONS if function_name == f.name or function_name.endswith(f.name))


def run() -> dict[str, object]:
    from arportal.adapters import processors
    from arportal.adapters.sandbox import SandboxProcessor
    from arportal.adapters.sandbox_store import InMemorySandboxStore
    from local.environment import LocalEnvironment

    real_factory = processors.processor_for
    with LocalEnvironment(max_wait_seconds=0) as env, m.Recorder() as recorder:
        webhook_secret = processors.credentials(env.function_env["PROCESSOR_SECRET_ARN"]).webhook_secret
        sandbox = SandboxProcessor(store=InMemorySandboxStore(), webhook_secret=webhook_secret)
        processors.processor_for = lambda _settings: sandbox  # type: ignore[assignment]
        try:
            phases = _scenario(env, recorder)
        finally:
            processors.processor_for = real_factory
    costs = {
        name: _cost(phases[name], PAYMENTS)
        for name in ("payment", "posted_downstream", "settlement", "settled_downstream")
    }
    by_part: Counter[str] = Counter()
    for cost in costs.values():
        by_part.update(cost)
    total = sum(by_part.values())
    email = by_part["email"]
    return {
        "payments_measured": PAYMENTS,
        "measured": phases,
        "cost_per_1000_usd": {name: {**c, "total": round(sum(c.values()), 5)} for name, c in costs.items()},
        "total_per_1000_usd": {
            "by_part": {k: round(v, 5) for k, v in sorted(by_part.items())},
            "total": round(total, 4),
            "email": round(email, 4),
            "excluding_email": round(total - email, 4),
            "goal_excluding_email": GOAL_EXCLUDING_EMAIL,
            "within_goal": total - email <= GOAL_EXCLUDING_EMAIL,
        },
        "assumptions": {
            "lambda_duration_ms": ASSUMED_DURATION_MS,
            "settlement_run_shared_by_payments": PAYMENTS_PER_DAY,
            "sqs_requests_per_event": 3,
            "processor": "sandbox in memory (a processor's own fees are not infrastructure)",
        },
    }


def _decimal_default(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else str(value)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=_decimal_default))
