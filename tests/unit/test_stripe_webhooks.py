"""Stripe webhooks: verified with a real ``Stripe-Signature`` (computed here as Stripe does) and mapped to our
processor events."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from arportal.adapters.processors import ProcessorCredentials, processor_for
from arportal.adapters.sandbox import SandboxProcessor
from arportal.adapters.stripe_processor import StripeProcessor
from arportal.config import RuntimeSettings
from arportal.ports import ProcessorEvent, WebhookSignatureError

SECRET = "whsec_test_0123456789abcdef"
CREATED = 1_790_000_000


def stripe_signature(payload: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    """What Stripe sends: ``t=<unix time>,v1=<HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint secret>``."""
    timestamp = int(datetime.now(UTC).timestamp()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(kind: str, obj: dict[str, Any]) -> bytes:
    payload = {
        "id": "evt_1Q0double",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": CREATED,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        "data": {"object": obj},
    }
    return json.dumps(payload).encode()


def processor(webhook_secret: str | None = SECRET) -> StripeProcessor:
    return StripeProcessor(lambda: ProcessorCredentials("sk_test_x", webhook_secret))


def parse(body: bytes, **signature: Any) -> ProcessorEvent:
    return processor().parse_webhook({"Stripe-Signature": stripe_signature(body, **signature)}, body)


AT = datetime.fromtimestamp(CREATED, UTC)


@pytest.mark.parametrize(
    ("kind", "obj", "expected"),
    [
        (
            "payment_intent.succeeded",
            {"id": "pi_1", "object": "payment_intent", "amount": 2500, "amount_received": 2500},
            ProcessorEvent("evt_1Q0double", "charge.succeeded", "pi_1", AT, None, 2500),
        ),
        (
            "payment_intent.payment_failed",
            {
                "id": "pi_1",
                "object": "payment_intent",
                "amount": 2500,
                "last_payment_error": {"code": "payment_method_provider_decline", "decline_code": "insufficient_funds"},
            },
            ProcessorEvent("evt_1Q0double", "charge.failed", "pi_1", AT, "insufficient_funds", 2500),
        ),
        (
            "charge.dispute.created",
            {
                "id": "du_1",
                "object": "dispute",
                "amount": 2500,
                "charge": "ch_1",
                "payment_intent": "pi_1",
                "reason": "debit_not_authorized",
            },
            ProcessorEvent("evt_1Q0double", "charge.returned", "pi_1", AT, "debit_not_authorized", 2500),
        ),
        (
            "charge.refunded",
            {"id": "ch_1", "object": "charge", "amount": 2500, "amount_refunded": 700, "payment_intent": "pi_1"},
            ProcessorEvent("evt_1Q0double", "refund.succeeded", "pi_1", AT, None, 700),
        ),
        (
            "refund.failed",
            {
                "id": "re_1",
                "object": "refund",
                "amount": 700,
                "payment_intent": "pi_1",
                "failure_reason": "lost_or_stolen_card",
            },
            ProcessorEvent("evt_1Q0double", "refund.failed", "pi_1", AT, "lost_or_stolen_card", 700),
        ),
        (
            "customer.created",
            {"id": "cus_1", "object": "customer"},
            ProcessorEvent("evt_1Q0double", "ignored", "cus_1", AT, None, None),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v else None,
)
def test_each_stripe_event_becomes_our_event(kind, obj, expected):
    assert parse(event(kind, obj)) == expected


def test_a_tampered_payload_is_refused():
    body = event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent", "amount_received": 1})
    header = stripe_signature(body)
    with pytest.raises(WebhookSignatureError):
        processor().parse_webhook(
            {"Stripe-Signature": header}, body.replace(b'"amount_received": 1', b'"amount_received": 9')
        )


@pytest.mark.parametrize(
    "signature",
    [{"secret": "whsec_someone_else"}, {"at": int(datetime.now(UTC).timestamp()) - 301}],
    ids=["other-secret", "older-than-five-minutes"],
)
def test_a_signature_by_another_secret_or_too_old_is_refused(signature):
    body = event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    with pytest.raises(WebhookSignatureError):
        parse(body, **signature)


def test_an_unsigned_payload_is_refused():
    body = event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    with pytest.raises(WebhookSignatureError):
        processor().parse_webhook({}, body)


def test_the_header_name_is_case_insensitive():
    body = event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent", "amount_received": 5})
    assert processor().parse_webhook({"stripe-signature": stripe_signature(body)}, body).amount == 5


def test_without_a_webhook_secret_nothing_is_accepted():
    body = event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    with pytest.raises(WebhookSignatureError, match="no webhook secret"):
        processor(None).parse_webhook({"Stripe-Signature": stripe_signature(body)}, body)


# --- which processor a function gets ----------------------------------------------------------------------------


def _settings(processor: str, secret_arn: str = "") -> RuntimeSettings:
    values = {
        "LEDGER_TABLE": "ledger",
        "AUDIT_TABLE": "a",
        "IDEMPOTENCY_TABLE": "i",
        "DOCUMENTS_BUCKET": "d",
        "AUDIT_BUCKET": "ab",
        "EVENT_BUS": "b",
        "AGENCY_NAME": "City",
        "AGENCY_CURRENCY": "USD",
        "PROCESSOR": processor,
        "CUSTOMER_POOL_ID": "us-east-1_Cust",
        "STAFF_POOL_ID": "us-east-1_Staff",
        "APPROVAL_THRESHOLD_MINOR": "50000",
        "SENDER_EMAIL": "p@city.gov",
        "PROCESSOR_SECRET_ARN": secret_arn,
    }
    return RuntimeSettings.model_validate(values)


def test_the_factory_picks_the_configured_processor_once_per_container():
    stripe = processor_for(_settings("stripe", "arn:aws:secretsmanager:us-east-1:1:secret:p"))
    assert isinstance(stripe, StripeProcessor)
    assert processor_for(_settings("stripe", "arn:aws:secretsmanager:us-east-1:1:secret:p")) is stripe
    sandbox = processor_for(_settings("sandbox"))
    assert isinstance(sandbox, SandboxProcessor) and sandbox.name == "sandbox"


def test_a_sandbox_without_a_processor_secret_accepts_no_webhook():
    body = b'{"id":"e","type":"charge.succeeded","created":1,"data":{"transaction_id":"t"}}'
    with pytest.raises(WebhookSignatureError):
        processor_for(_settings("sandbox")).parse_webhook({"Sandbox-Signature": "t=1,v1=00"}, body)
