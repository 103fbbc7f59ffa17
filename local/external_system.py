"""A connected system for the local runtime: the parking department's enforcement system, over real HTTP.

The staff console shows balances from the agency's other systems through the generic HTTPS connector
(``arportal.adapters.balances.https``). Locally, this tiny threaded server plays one such system, so that path
runs for real: ``LocalEnvironment`` starts it before creating the functions, whose ``BALANCE_SOURCES`` then
name it for the ``parking`` department (unless the deployment config already configures parking), with a
bearer key kept in the local Secrets Manager like a real system's credentials.

    GET /balances?customer_id=<id>&account=PK-400001&account=...   Authorization: Bearer <key>
    -> {"currency": "USD", "as_of": "...", "accounts": [{"account_number": "PK-400001", "balance": 2500}]}

It answers for parking accounts (``PK-``) with what the ledger holds open on them (the citations it pushed to
the agency), unless a test set a balance with ``set_balance``. Tests make it fail with ``go_down(how)``:
``"error"`` (HTTP 503), ``"slow"`` (answers after ``delay_s``), ``"hangup"`` (closes the connection), or
``"garbage"`` (an answer that is not a balance); ``come_up()`` restores it. ``requests`` records what it was asked.
"""

from __future__ import annotations

import json
import os
import threading
import time
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlparse

import boto3

from arportal import clock
from infrastructure.deployment_config import DeploymentConfig

DEPARTMENT = "parking"
NAME = "Parking enforcement system"
SECRET_PURPOSE = "parking-system"  # noqa: S105 - the name of a secret, not one
API_KEY = "local-parking-system-key-not-secret"  # a local demo credential, as the other local secrets
ACCOUNT_PREFIX = "PK-"
Mode = Literal["up", "error", "slow", "hangup", "garbage"]


class ExternalSystem:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.mode: Mode = "up"
        self.delay_s = 3.0
        self.currency = "USD"
        self.overrides: dict[str, int] = {}
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="external-system", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ExternalSystem:
        _ = self._dynamodb  # made now, not while a connector waits with its ~2 s timeout
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def go_down(self, how: Mode = "error", *, delay_s: float | None = None) -> None:
        self.mode = how
        if delay_s is not None:
            self.delay_s = delay_s

    def come_up(self) -> None:
        self.mode = "up"

    def set_balance(self, account_number: str, amount: int) -> None:
        self.overrides[account_number] = amount

    def answer(self, customer_id: str, accounts: list[str]) -> dict[str, Any]:
        ours = [a for a in accounts if a.startswith(ACCOUNT_PREFIX)]
        open_amounts = self._open_in_ledger(customer_id) if any(a not in self.overrides for a in ours) else {}
        return {
            "currency": self.currency,
            "as_of": clock.now().isoformat(),  # the product's time: its balances are "as of" the product's today
            "accounts": [{"account_number": a, "balance": self.overrides.get(a, open_amounts.get(a, 0))} for a in ours],
        }

    def _open_in_ledger(self, customer_id: str) -> dict[str, int]:
        """What the ledger holds open per account of this customer (the citations this system pushed)."""
        table = os.environ.get("LEDGER_TABLE")
        if not table:
            return {}
        response = self._dynamodb.query(
            TableName=table,
            IndexName="OpenItems",
            KeyConditionExpression="OPK = :pk AND begins_with(OSK, :inv)",
            ExpressionAttributeValues={":pk": {"S": f"CUST#{customer_id}"}, ":inv": {"S": "INV#"}},
        )
        owing: dict[str, int] = {}
        for item in response.get("Items", []):
            number = item["account_number"]["S"]
            owing[number] = owing.get(number, 0) + int(item["balance"]["N"])
        return owing

    @cached_property
    def _dynamodb(self) -> Any:
        return boto3.session.Session(region_name=os.environ.get("AWS_REGION", "us-east-1")).client(
            "dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")
        )


def _handler_for(system: ExternalSystem) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            system.requests.append(
                {"path": url.path, "query": query, "authorization": self.headers.get("Authorization")}
            )
            if system.mode == "hangup":
                self.close_connection = True
                return
            if system.mode == "slow":
                time.sleep(system.delay_s)
            if system.mode == "error":
                self._send(503, {"error": "maintenance"})
            elif url.path != "/balances":
                self._send(404, {"error": "not found"})
            elif self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._send(401, {"error": "unauthorized"})
            elif system.mode == "garbage":
                self._send(200, {"currency": system.currency, "accounts": [{"account_number": "x", "balance": 1.5}]})
            else:
                customer = (query.get("customer_id") or [""])[0]
                self._send(200, system.answer(customer, query.get("account", [])))

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the connector gave up waiting (a "slow" answer past its timeout)

        def log_message(self, format: str, *args: Any) -> None:  # the base class's signature; quiet
            return

    return Handler


_running: ExternalSystem | None = None


def start_demo(host: str = "127.0.0.1") -> ExternalSystem:
    """Start the demo system once per process (the environment calls this before creating the functions)."""
    global _running  # noqa: PLW0603 - one demo system per process, like the moto server
    if _running is None:
        _running = ExternalSystem(host).start()
    return _running


def stop_demo() -> None:
    global _running  # noqa: PLW0603
    if _running is not None:
        _running.stop()
        _running = None


def demo() -> ExternalSystem:
    """The running demo system (tests tell it to go down and come back)."""
    if _running is None:
        raise RuntimeError("the demo external system is not running; start a LocalEnvironment first")
    return _running


def balance_sources(config: DeploymentConfig, *, secret_prefix: str) -> dict[str, dict[str, str | int | None]]:
    """The deployment's balance sources, plus the running demo system for parking unless parking is configured."""
    sources = config.balance_sources_json()
    if _running is not None and DEPARTMENT not in sources:
        _running.currency = config.currency
        sources[DEPARTMENT] = {
            "name": NAME,
            "base_url": _running.url,
            "secret_name": f"{secret_prefix}/{SECRET_PURPOSE}",
            "timeout_ms": 2000,
        }
    return sources
