"""The front-ends' Content-Security-Policy (``infrastructure/content_security.py``): a sandbox stack's is the one it
always was; a Stripe stack's allows Stripe's origins for Stripe.js, its frames and its API, and nothing of the
sandbox; the local runtime sends the same policy on every page; the publishable key is config for Stripe only."""

from __future__ import annotations

import pytest

from infrastructure.content_security import STRIPE_CONNECT, STRIPE_FRAMES, STRIPE_SCRIPTS, content_security_policy
from infrastructure.deployment_config import load

API = "https://api.example.org"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split("; "))}


def test_a_sandbox_stack_frames_and_runs_only_our_api_s_hosted_fields() -> None:
    found = directives(content_security_policy(processor="sandbox", api_origin=API, connect=["https://cognito"]))
    assert found["script-src"] == ["'self'", API] and found["frame-src"] == [API]
    assert found["connect-src"] == ["'self'", API, "https://cognito"]
    assert "'unsafe-inline'" not in found["script-src"] and found["object-src"] == ["'none'"]


def test_a_stripe_stack_allows_stripes_documented_origins_and_no_inline_script() -> None:
    found = directives(content_security_policy(processor="stripe", api_origin=API))
    assert found["script-src"] == ["'self'", *STRIPE_SCRIPTS]
    assert found["frame-src"] == list(STRIPE_FRAMES)
    assert found["connect-src"] == ["'self'", API, *STRIPE_CONNECT]
    assert "https://js.stripe.com" in STRIPE_SCRIPTS and "https://hooks.stripe.com" in STRIPE_FRAMES
    assert found["frame-ancestors"] == ["'none'"]


def test_a_stripe_js_double_is_allowed_only_where_it_is_named() -> None:
    double = "http://127.0.0.1:4242"
    found = directives(content_security_policy(processor="stripe", api_origin="'self'", stripe_js_origin=double))
    assert double in found["script-src"] and double in found["frame-src"] and double in found["connect-src"]
    assert double not in content_security_policy(processor="stripe", api_origin="'self'")


CONTEXT = {"agency": "springfield", "agencyName": "Springfield", "senderEmail": "pay@springfield.gov"}


def test_the_publishable_key_is_config_for_stripe_only() -> None:
    stripe = {**CONTEXT, "processor": "stripe", "processorSecretName": "arportal/dev/stripe"}
    assert load({**stripe, "stripePublishableKey": "pk_test_51ABCdefGHIjkl"}).stripe_publishable_key
    assert load(stripe).stripe_publishable_key is None  # the pages then say paying online is not set up
    with pytest.raises(ValueError, match="stripePublishableKey"):
        load({**stripe, "stripePublishableKey": "sk_test_51ABCdefGHIjkl"})  # a secret key is never page config
    with pytest.raises(ValueError, match="only for processor stripe"):
        load({**CONTEXT, "stripePublishableKey": "pk_test_51ABCdefGHIjkl"})
