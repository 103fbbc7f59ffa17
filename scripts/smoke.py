#!/usr/bin/env python3
"""Smoke-test a deployed stack from its outputs: ``python scripts/smoke.py outputs.json``.

``outputs.json`` is what ``cdk deploy --outputs-file`` writes (``{stack: {ApiUrl: ..., ...}}``), a flat
``{ApiUrl: ..., WebUrl: ..., IntegrationsTokenUrl: ...}``, or ``aws cloudformation describe-stacks`` output.

Read-only checks: ``/v1/health`` answers ok, ``/openapi.json`` is an OpenAPI 3 document, the portal and the console
are served, a signed-in route refuses a call without a token (401), and the integrations token endpoint refuses
made-up client credentials.

Where the processor is the sandbox (its ``/sandbox`` API answers), one sandbox payment too, as a member of the public
would make it: a test customer and a 1.00 invoice loaded through the integration API, a card tokenised by the
sandbox's hosted fields API, the invoice looked up and paid as a guest. That needs a connected system's credentials
with the ``customers.write`` and ``invoices.write`` scopes in ``SMOKE_CLIENT_ID`` and ``SMOKE_CLIENT_SECRET``;
``--read-only`` skips the payment. Nothing else is written, and a real processor is never charged.

Standard library only, so it runs from any checkout. Exit 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

# ruff: noqa: T201 - a command-line check: what it prints is its report
import argparse
import base64
import json
import os
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib import error, parse, request

TIMEOUT_S = 20
TEST_CARD = {"number": "4242424242424242", "exp_month": 12, "cvc": "123"}  # the sandbox's approving Visa
SMOKE_POSTAL_CODE = "00000"
INVOICE_MINOR = 100
BATCH_SCOPES = "integrations/customers.write integrations/invoices.write"


class SmokeError(Exception):
    """A check failed; the message says what was asked and what came back."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise SmokeError(f"expected JSON, got {self.body[:200]!r}") from exc


def call(
    method: str,
    url: str,
    *,
    body: Any = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One HTTP request; any status is a reply (only an unreachable host raises)."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    elif form is not None:
        data, headers["Content-Type"] = parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    if not url.startswith(("https://", "http://")):
        raise SmokeError(f"not an http(s) URL: {url}")
    req = request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with request.urlopen(req, timeout=TIMEOUT_S) as response:  # noqa: S310 - scheme checked above
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except error.HTTPError as answer:
        return Reply(answer.code, {k.lower(): v for k, v in answer.headers.items()}, answer.read())
    except (error.URLError, TimeoutError, OSError) as exc:
        raise SmokeError(f"{method} {url}: unreachable ({getattr(exc, 'reason', exc)})") from exc


def expect(reply: Reply, status: int | set[int], what: str) -> Reply:
    wanted = {status} if isinstance(status, int) else status
    if reply.status not in wanted:
        raise SmokeError(f"{what}: expected {sorted(wanted)}, got {reply.status}: {reply.body[:300]!r}")
    return reply


def load_outputs(path: Path, stack: str | None = None) -> dict[str, str]:
    """The portal stack's outputs by name, from any of the three shapes the docstring lists. Outside us-east-1 the
    app also deploys a companion stack there (CloudFront's web ACL): the portal's is the one with an ``ApiUrl``."""
    raw = json.loads(path.read_text())
    if "Stacks" in raw:  # aws cloudformation describe-stacks
        stacks = {
            s["StackName"]: {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])} for s in raw["Stacks"]
        }
    elif "ApiUrl" in raw:
        stacks = {"": raw}
    else:  # cdk deploy --outputs-file
        stacks = raw
    if stack is not None and stack not in stacks:
        raise SmokeError(f"{path}: no stack {stack} (has {sorted(stacks)})")
    portals = [stack] if stack is not None else [name for name, outputs in stacks.items() if "ApiUrl" in outputs]
    if len(portals) != 1:
        raise SmokeError(f"{path}: {len(portals)} stacks with an ApiUrl ({sorted(portals)}); name one with --stack")
    outputs: dict[str, str] = dict(stacks[portals[0]])
    for key in ("ApiUrl", "WebUrl", "IntegrationsTokenUrl"):
        if not outputs.get(key):
            raise SmokeError(f"{path}: no {key} output")
    return outputs


@dataclass
class Smoke:
    outputs: dict[str, str]
    client_id: str = ""
    client_secret: str = ""
    read_only: bool = False
    department: str = "utilities"
    fee_code: str = "WATER_USAGE"
    currency: str = "USD"
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def api(self) -> str:
        return self.outputs["ApiUrl"].rstrip("/")

    @property
    def web(self) -> str:
        return self.outputs["WebUrl"].rstrip("/")

    def run(self) -> bool:
        checks: list[tuple[str, Callable[[], str]]] = [
            ("health", self.health),
            ("openapi", self.openapi),
            ("portal", lambda: self.front_end("/")),  # CloudFront redirects / to /portal/; urllib follows
            ("console", lambda: self.front_end("/console/")),
            ("unauthenticated refused", self.unauthenticated),
            ("token endpoint refuses bad credentials", self.bad_credentials),
            ("sandbox payment", self.sandbox_payment),
        ]
        for name, check in checks:
            try:
                self.results.append((name, True, check()))
            except SmokeError as exc:
                self.results.append((name, False, str(exc)))
            except (KeyError, TypeError, IndexError) as exc:  # an answer of another shape than this API's
                self.results.append((name, False, f"unexpected answer: no {exc}"))
            ok, detail = self.results[-1][1:]
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
        return all(ok for _, ok, _ in self.results)

    def health(self) -> str:
        body = expect(call("GET", f"{self.api}/v1/health"), 200, "GET /v1/health").json()
        if body.get("status") != "ok":
            raise SmokeError(f"GET /v1/health: status {body.get('status')!r}")
        return f"{body.get('agency')} ({body.get('stage')}), API {body.get('version')}"

    def openapi(self) -> str:
        document = expect(call("GET", f"{self.api}/openapi.json"), 200, "GET /openapi.json").json()
        if not str(document.get("openapi", "")).startswith("3.") or not document.get("paths"):
            raise SmokeError("GET /openapi.json: not an OpenAPI 3 document with paths")
        return f"OpenAPI {document['openapi']}, {len(document['paths'])} paths"

    def front_end(self, path: str) -> str:
        reply = expect(call("GET", f"{self.web}{path}"), 200, f"GET {path}")
        if "text/html" not in reply.headers.get("content-type", ""):
            raise SmokeError(f"GET {path}: {reply.headers.get('content-type')!r}, not HTML")
        return f"{len(reply.body)} bytes of HTML"

    def unauthenticated(self) -> str:
        for path in ("/v1/portal/invoices", "/v1/staff/payments"):
            expect(call("GET", f"{self.api}{path}"), 401, f"GET {path} without a token")
        return "portal and staff routes answer 401"

    def bad_credentials(self) -> str:
        made_up = base64.b64encode(f"smoke-{uuid.uuid4().hex}:{secrets.token_hex(16)}".encode()).decode()
        reply = call(
            "POST",
            self.outputs["IntegrationsTokenUrl"],
            form={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {made_up}"},
        )
        expect(reply, {400, 401}, "POST token endpoint with made-up client credentials")
        if reply.json().get("error") != "invalid_client":
            raise SmokeError(f"token endpoint: expected invalid_client, got {reply.body[:200]!r}")
        return f"{reply.status} invalid_client"

    def sandbox_payment(self) -> str:
        probe = call("GET", f"{self.api}/sandbox/v1/hosted-fields.js")
        if probe.status != 200:
            return f"skipped: the processor is not the sandbox (GET /sandbox/v1/hosted-fields.js: {probe.status})"
        if self.read_only:
            return "skipped (--read-only)"
        if not (self.client_id and self.client_secret):
            raise SmokeError("the sandbox answers: set SMOKE_CLIENT_ID and SMOKE_CLIENT_SECRET, or pass --read-only")
        invoice_number = self._load_test_invoice()
        details = {**TEST_CARD, "exp_year": time.gmtime().tm_year + 3}  # a card issued lately, valid a while yet
        card = expect(call("POST", f"{self.api}/sandbox/v1/tokens", body=details), 201, "sandbox token").json()
        lookup = {"invoice_number": invoice_number, "postal_code": SMOKE_POSTAL_CODE}
        found = expect(call("POST", f"{self.api}/v1/public/lookup", body=lookup), 200, "guest lookup").json()
        balance = found["invoice"]["balance"]
        payment = {"amount": balance["amount"], "currency": balance["currency"], "method": "card", "token": card["id"]}
        headers = {"Authorization": f"Guest {found['guest_token']}", "Idempotency-Key": uuid.uuid4().hex}
        reply = call("POST", f"{self.api}/v1/public/payments", body=payment, headers=headers)
        paid = expect(reply, 201, "guest pay").json()
        if paid["payment"]["status"] != "posted":
            raise SmokeError(f"guest pay: payment {paid['payment']['status']}, not posted")
        return f"{invoice_number} paid by {card['brand']} {card['last4']}: receipt {paid['payment']['receipt_number']}"

    def _load_test_invoice(self) -> str:
        """A fresh test customer, account and 1.00 invoice (CUS-SMOKE..., SMK-..., SMOKE-...), loaded through the
        integration API."""
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        form = {"grant_type": "client_credentials", "scope": BATCH_SCOPES}
        token_reply = call(
            "POST", self.outputs["IntegrationsTokenUrl"], form=form, headers={"Authorization": f"Basic {basic}"}
        )
        token = expect(token_reply, 200, "client credentials token").json()["access_token"]
        tag = f"{secrets.randbelow(10**12):012d}"  # within every id's pattern (ACCOUNT_NUMBER_PATTERN is the tightest)
        today = time.strftime("%Y-%m-%d", time.gmtime())
        customer_id, account, number = f"CUS-SMOKE{tag}", f"SMK-{tag}", f"SMOKE-{tag}"
        address = {"line1": "1 Smoke Test Way", "city": "Test", "region": "ZZ", "postal_code": SMOKE_POSTAL_CODE}
        line = {"description": "Smoke test", "fee_code": self.fee_code, "unit_amount": INVOICE_MINOR}
        records = {
            "customers": {"customer_id": customer_id, "name": "Smoke Test", "address": address, "source_version": 1},
            "accounts": {
                "account_number": account,
                "customer_id": customer_id,
                "department": self.department,
                "description": "Smoke test account",
                "opened_on": today,
                "source_version": 1,
            },
            "invoices": {
                "invoice_number": number,
                "customer_id": customer_id,
                "account_number": account,
                "department": self.department,
                "issue_date": today,
                "due_date": today,
                "currency": self.currency,
                "lines": [{**line, "amount": INVOICE_MINOR}],
                "amount": INVOICE_MINOR,
                "source_version": 1,
            },
        }
        for kind, record in records.items():
            url, bearer = f"{self.api}/v1/integrations/{kind}:batch", {"Authorization": f"Bearer {token}"}
            reply = call("POST", url, body={"records": [record]}, headers=bearer)
            answer = expect(reply, 200, f"{kind}:batch").json()["results"][0]
            if answer["outcome"] != "created":
                raise SmokeError(f"{kind}:batch: {answer['outcome']} {answer.get('errors')}")
        return number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("outputs", type=Path, help="the stack outputs JSON")
    parser.add_argument("--stack", help="the stack, when the file holds several")
    parser.add_argument("--read-only", action="store_true", help="skip the sandbox payment")
    parser.add_argument("--department", default="utilities", help="the test account's department (one configured)")
    parser.add_argument("--fee-code", default="WATER_USAGE", help="the test invoice line's fee code (one mapped)")
    parser.add_argument("--currency", default="USD", help="the agency's currency")
    args = parser.parse_args(argv)
    try:
        outputs = load_outputs(args.outputs, args.stack)
    except (OSError, ValueError, SmokeError) as exc:
        print(f"FAIL  outputs: {exc}", file=sys.stderr)
        return 1
    smoke = Smoke(
        outputs,
        client_id=os.environ.get("SMOKE_CLIENT_ID", ""),
        client_secret=os.environ.get("SMOKE_CLIENT_SECRET", ""),
        read_only=args.read_only,
        department=args.department,
        fee_code=args.fee_code,
        currency=args.currency,
    )
    print(f"smoke test of {smoke.api} and {smoke.web}", flush=True)
    ok = smoke.run()
    failed = sum(1 for _, passed, _ in smoke.results if not passed)
    print(f"smoke: {len(smoke.results) - failed} passed, {failed} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
