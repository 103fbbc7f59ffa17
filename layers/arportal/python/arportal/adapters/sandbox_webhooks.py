"""The sandbox's signed webhooks: the payload, its signature, its verification and its delivery.

Scheme (Stripe's, with our header name): ``Sandbox-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256, keyed with the processor secret's ``webhook_secret``, over ``"<t>.<raw body>"``. A receiver
recomputes it over the exact bytes it received, compares in constant time with every ``v1`` given (several
are allowed while a secret is being rotated) and refuses a timestamp more than five minutes away from its clock,
so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from arportal.ports import ProcessorEvent, WebhookSignatureError

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE_S = 300
DELIVERY_TIMEOUT_S = 10


@dataclass(frozen=True)
class Delivery:
    url: str
    status: int | None  # None: no HTTP answer at all
    body: str


def signature(body: bytes, secret: str, *, timestamp: int) -> str:
    """The ``Sandbox-Signature`` header value for ``body`` signed at ``timestamp``."""
    return f"t={timestamp},v1={_mac(body, secret, timestamp)}"


def verify(headers: Mapping[str, str], body: bytes, secret: str | None, *, now: float) -> None:
    """Raise ``WebhookSignatureError`` unless ``body`` carries a valid, fresh signature by ``secret``."""
    if not secret:
        raise WebhookSignatureError("no webhook secret is configured: every webhook is refused")
    header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), None)
    if not header:
        raise WebhookSignatureError(f"the {SIGNATURE_HEADER} header is missing")
    timestamp, candidates = _parse(header)
    if abs(now - timestamp) > TOLERANCE_S:
        raise WebhookSignatureError("the signature's timestamp is outside the tolerance")
    expected = _mac(body, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookSignatureError("the signature does not match")


def event_body(event: ProcessorEvent, *, currency: str | None = None) -> bytes:
    payload = {
        "id": event.event_id,
        "type": event.kind,
        "created": int(event.occurred_at.timestamp()),
        "data": {
            "transaction_id": event.transaction_id,
            "amount": event.amount,
            "currency": currency,
            "code": event.code,
        },
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def read_event(body: bytes) -> ProcessorEvent:
    """The event in a verified body (a malformed one is refused like a bad signature: nothing is applied)."""
    try:
        payload: dict[str, Any] = json.loads(body)
        data = payload["data"]
        return ProcessorEvent(
            event_id=str(payload["id"]),
            kind=str(payload["type"]),
            transaction_id=str(data["transaction_id"]),
            occurred_at=datetime.fromtimestamp(int(payload["created"]), UTC),
            code=data.get("code"),
            amount=int(data["amount"]) if data.get("amount") is not None else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise WebhookSignatureError("the webhook body is not a sandbox event") from exc


def deliver(url: str, body: bytes, secret: str, *, now: float) -> Delivery:
    """POST a signed event to ``url``; the receiver's answer (or the failure to get one) is returned."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("webhooks are delivered over HTTP(S) only")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "ArPortal-Sandbox/1.0",
            SIGNATURE_HEADER: signature(body, secret, timestamp=int(now)),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_S) as response:  # noqa: S310
            return Delivery(url, response.status, response.read().decode(errors="replace"))
    except urllib.error.HTTPError as exc:
        return Delivery(url, exc.code, exc.read().decode(errors="replace"))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return Delivery(url, None, f"no answer: {exc}")


def _mac(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookSignatureError(f"the {SIGNATURE_HEADER} header is malformed")
    return timestamp, candidates
