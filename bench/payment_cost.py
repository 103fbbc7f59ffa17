"""DynamoDB calls per payment, and the infrastructure cost of 1,000 payments, measured on the local runtime.

Each portal card payment (``POST /v1/portal/payments``: idempotency record, posting, receipt PDF + email) and each
ACH settlement webhook is sent through the in-process gateway against moto. Every DynamoDB request the product
makes is captured with its parameters and answer, and priced in request units from the items' sizes:

- reads: ceil(size / 4 KB) per item (GetItem, BatchGetItem) or per query (Query); 1 RRU strongly consistent,
  0.5 eventually consistent;
- writes: ceil(size / 1 KB) WRU per item (updates: the item as it is afterwards), doubled inside a transaction;
  plus one index write per global secondary index whose entry the write puts or removes (ALL projection: the
  entry is the item's size), not doubled;
- the processor is the sandbox in memory: a real processor is outside AWS and priced by its own fees.

Prices: AWS on-demand list prices, us-east-1, x86, as published in 2025 (constants below). Lambda duration is an
assumption stated beside the measured local figure: in AWS the processor's answer (a few hundred ms) dominates.
"""

from __future__ import annotations

import json
import math
import statistics
import time
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

# --- published prices (USD, us-east-1, on-demand) ---------------------------------------------------------------
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1_000_000
API_GATEWAY_REST_REQUEST = 3.50 / 1_000_000  # first 333 million a month
DYNAMODB_WRU = 0.625 / 1_000_000
DYNAMODB_RRU = 0.125 / 1_000_000
EVENTBRIDGE_EVENT = 1.00 / 1_000_000  # custom events (the outbox relay publishes one per payment)
EVENTBRIDGE_PIPE_REQUEST = 0.40 / 1_000_000  # the stream -> bus Pipe, one request per relayed outbox item
SES_EMAIL = 0.10 / 1_000
S3_PUT = 0.005 / 1_000

ASSUMED_DURATION_MS = {"payment": 700, "webhook": 250}  # processor ~400 ms; DynamoDB, S3, SES, PDF the rest
PAYMENTS = 10
LEDGER_INDEXES = {"XK": "XSK", "DAYPK": "DAYSK", "DUEPK": "DUESK", "OPK": "OSK", "NPK": "NSK"}


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names plus values (numbers ~1 byte per 2 digits + 1)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind == "S":
            return len(str(inner).encode())
        if kind == "N":
            return math.ceil(len(str(inner).lstrip("-").replace(".", "")) / 2) + 1
        if kind in {"BOOL", "NULL"}:
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
        if kind == "L":
            return 3 + sum(_value_size(v) + 1 for v in inner)
        if kind == "B":
            return len(inner)
    return len(json.dumps(value, default=str))


class Meter:
    """Captures the shared DynamoDB client's requests and answers, and prices them in request units."""

    def __init__(self, client: Any, ledger_table: str) -> None:
        self.client = client
        self.ledger_table = ledger_table
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self._pending: list[tuple[str, dict[str, Any]]] = []

    def __enter__(self) -> Meter:
        events = self.client.meta.events
        events.register("provide-client-params.dynamodb", self._params, unique_id="bench-params")
        events.register("after-call.dynamodb", self._answer, unique_id="bench-answer")
        return self

    def __exit__(self, *exc: object) -> None:
        events = self.client.meta.events
        events.unregister("provide-client-params.dynamodb", unique_id="bench-params")
        events.unregister("after-call.dynamodb", unique_id="bench-answer")

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._pending.append((model.name, json.loads(json.dumps(params, default=str))))

    def _answer(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name, params = self._pending.pop(0) if self._pending else (model.name, {})
        self.calls.append((name, params, parsed))

    def units(self) -> tuple[float, float]:
        rru = wru = 0.0
        for name, params, answer in self.calls:
            strong = 1.0 if params.get("ConsistentRead") else 0.5
            if name == "GetItem":  # a read of an item that is not there is charged too
                rru += max(1, math.ceil(item_size(answer.get("Item") or {}) / 4096)) * strong
            elif name == "Query":
                rru += max(1, math.ceil(sum(item_size(i) for i in answer.get("Items", [])) / 4096)) * strong
            elif name == "BatchGetItem":
                for table, request in params.get("RequestItems", {}).items():
                    factor = 1.0 if request.get("ConsistentRead") else 0.5
                    found = answer.get("Responses", {}).get(table, [])
                    rru += sum(math.ceil(item_size(i) / 4096) * factor for i in found)
            elif name in {"PutItem", "UpdateItem", "DeleteItem"}:
                wru += self._write(params, transactional=False)
            elif name == "TransactWriteItems":
                for action in params.get("TransactItems", []):
                    ((kind, request),) = action.items()
                    wru += self._write(request, transactional=True, kind=kind)
        return rru, wru

    def _write(self, request: dict[str, Any], *, transactional: bool, kind: str | None = None) -> float:
        item = request.get("Item") or self._current(request)
        size_units = max(1, math.ceil(item_size(item) / 1024))
        base = size_units * (2 if transactional else 1)
        if request.get("TableName") != self.ledger_table:
            return base
        update = str(request.get("UpdateExpression", ""))
        touched = sum(
            1 for pk in LEDGER_INDEXES if pk in item or (kind in {"Update", None} and pk in update) or kind == "Delete"
        )
        return base + touched * size_units

    def _current(self, request: dict[str, Any]) -> dict[str, Any]:
        key = request.get("Key")
        if not key:
            return {}
        found = self.client.get_item(TableName=request["TableName"], Key=key).get("Item")
        return found or dict(key)


def _scenario(gateway: Any, token: str) -> dict[str, Any]:
    from arportal.adapters.aws import client
    from arportal.config import settings

    results: dict[str, Any] = {}
    for name, body in (
        ("card_payment", {"amount": 1_000, "currency": "USD", "method": "card", "token": "tok_visa"}),
        ("ach_payment", {"amount": 1_000, "currency": "USD", "method": "ach", "token": "tok_ach"}),
    ):
        calls: Counter[str] = Counter()
        rru = wru = 0.0
        took: list[float] = []
        transactions: list[str] = []
        for _ in range(PAYMENTS):
            with Meter(client("dynamodb"), settings().ledger_table) as meter:
                started = time.perf_counter()
                reply = gateway.request(
                    "POST",
                    "/v1/portal/payments",
                    token=token,
                    json=body,
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                took.append((time.perf_counter() - started) * 1000)
            assert reply.status == 201, reply.body
            transactions.append(reply.body["payment"]["transaction_id"])
            calls.update(name for name, _, _ in meter.calls)
            r, w = meter.units()
            rru, wru = rru + r, wru + w
        results[name] = {
            "dynamodb_calls_per_payment": {k: v / PAYMENTS for k, v in sorted(calls.items())},
            "dynamodb_calls_total": sum(calls.values()) / PAYMENTS,
            "rru_per_payment": round(rru / PAYMENTS, 2),
            "wru_per_payment": round(wru / PAYMENTS, 2),
            "local_handler_ms_median": round(statistics.median(took), 1),
        }
        if name == "ach_payment":
            results["ach_settlement_webhook"] = _webhooks(gateway, transactions)
    return results


def _webhooks(gateway: Any, transactions: list[str]) -> dict[str, Any]:
    from arportal.adapters import processors, sandbox_webhooks
    from arportal.adapters.aws import client
    from arportal.config import settings

    sandbox = processors.processor_for(settings())
    secret = processors.credentials(settings().processor_secret_arn).webhook_secret or ""
    calls: Counter[str] = Counter()
    rru = wru = 0.0
    sent = 0
    for transaction_id in transactions:
        event, currency = sandbox.ach_event(transaction_id, "settle")  # type: ignore[attr-defined]
        body = sandbox_webhooks.event_body(event, currency=currency)
        signature = sandbox_webhooks.signature(body, secret, timestamp=int(time.time()))
        with Meter(client("dynamodb"), settings().ledger_table) as meter:
            reply = gateway.request(
                "POST", "/v1/processor/webhooks/sandbox", body=body, headers={"Sandbox-Signature": signature}
            )
        if reply.status != 200:  # e.g. an id the card-number guard refuses (reported); not counted
            continue
        sent += 1
        calls.update(name for name, _, _ in meter.calls)
        r, w = meter.units()
        rru, wru = rru + r, wru + w
    sent = max(sent, 1)
    return {
        "dynamodb_calls_per_webhook": {k: v / sent for k, v in sorted(calls.items())},
        "rru_per_webhook": round(rru / sent, 2),
        "wru_per_webhook": round(wru / sent, 2),
    }


def cost_per_1000(
    rru: float, wru: float, *, duration_ms: float, memory_mb: int, emails: int, s3_puts: int
) -> dict[str, float]:
    lambda_cost = 1000 * (duration_ms / 1000 * memory_mb / 1024 * LAMBDA_GB_SECOND + LAMBDA_REQUEST)
    parts = {
        "lambda": lambda_cost,
        "api_gateway": 1000 * API_GATEWAY_REST_REQUEST,
        "dynamodb": 1000 * (rru * DYNAMODB_RRU + wru * DYNAMODB_WRU),
        "eventbridge": 1000 * (EVENTBRIDGE_EVENT + EVENTBRIDGE_PIPE_REQUEST),
        "ses_and_s3": 1000 * (emails * SES_EMAIL + s3_puts * S3_PUT),
    }
    return {**{k: round(v, 5) for k, v in parts.items()}, "total": round(sum(parts.values()), 4)}


def run() -> dict[str, object]:
    from arportal.adapters import processors
    from arportal.adapters.sandbox import SandboxProcessor
    from arportal.adapters.sandbox_store import InMemorySandboxStore
    from infrastructure import catalog
    from local.environment import LocalEnvironment
    from local.gateway import Gateway
    from tests.integration.conftest import GatewayClient, new_customer_id
    from tests.reliability.worlds import pay_world

    real_factory = processors.processor_for
    with LocalEnvironment(max_wait_seconds=0) as env:
        webhook_secret = processors.credentials(env.function_env["PROCESSOR_SECRET_ARN"]).webhook_secret
        sandbox = SandboxProcessor(store=InMemorySandboxStore(), webhook_secret=webhook_secret)
        processors.processor_for = lambda _settings: sandbox  # type: ignore[assignment]
        try:
            cid = new_customer_id()
            pay_world(tuple([100_000] * 3), customer_id=cid, email=f"{cid.lower()}@example.org")
            user = env.create_user(f"bench-{uuid.uuid4().hex[:8]}@example.org", customer_id=cid)
            token = env.login(user.username).id_token
            measured = _scenario(GatewayClient(Gateway(env)), token)
        finally:
            processors.processor_for = real_factory
    memory = catalog.function("portal_api").memory_mb
    card, ach, hook = measured["card_payment"], measured["ach_payment"], measured["ach_settlement_webhook"]
    card_cost = cost_per_1000(
        card["rru_per_payment"],
        card["wru_per_payment"],
        duration_ms=ASSUMED_DURATION_MS["payment"],
        memory_mb=memory,
        emails=1,
        s3_puts=1,
    )
    ach_cost = cost_per_1000(
        ach["rru_per_payment"] + hook["rru_per_webhook"],
        ach["wru_per_payment"] + hook["wru_per_webhook"],
        duration_ms=ASSUMED_DURATION_MS["payment"] + ASSUMED_DURATION_MS["webhook"],
        memory_mb=memory,
        emails=2,
        s3_puts=1,
    )
    ach_cost["api_gateway"] = round(ach_cost["api_gateway"] * 2, 5)  # the payment and its webhook
    ach_cost["total"] = round(sum(v for k, v in ach_cost.items() if k != "total"), 4)
    return {
        "payments_measured": PAYMENTS,
        "measured": measured,
        "assumptions": {
            "lambda_memory_mb": memory,
            "lambda_duration_ms": ASSUMED_DURATION_MS,
            "processor": "sandbox in memory (a processor's own fees are not infrastructure)",
        },
        "prices_usd": {
            "lambda_gb_second": LAMBDA_GB_SECOND,
            "lambda_request": LAMBDA_REQUEST,
            "api_gateway_rest_request": API_GATEWAY_REST_REQUEST,
            "dynamodb_wru": DYNAMODB_WRU,
            "dynamodb_rru": DYNAMODB_RRU,
            "eventbridge_event": EVENTBRIDGE_EVENT,
            "eventbridge_pipe_request": EVENTBRIDGE_PIPE_REQUEST,
            "ses_email": SES_EMAIL,
            "s3_put": S3_PUT,
        },
        "cost_per_1000_usd": {"card_payment": card_cost, "ach_payment_with_settlement": ach_cost},
    }


def _decimal_default(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else str(value)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, default=_decimal_default))
