"""``python -m tests.browser.stripe_runtime <fake Stripe base URL> [python -m local's arguments]``: the local
runtime as a Stripe agency's stack (``processor: stripe``, a test publishable key), its Stripe adapter calling
the fake Stripe API (``tests/stripe_fake_api.py``) and its pages loading the Stripe.js double from there
(``stripeJsUrl`` in config.json). Everything else is ``python -m local``'s own start-up."""

from __future__ import annotations

import functools
import sys
from typing import Any

PUBLISHABLE_KEY = "pk_test_double0123456789"


def main(argv: list[str]) -> int:
    base, rest = argv[0].rstrip("/"), argv[1:]
    from arportal.adapters import processors
    from arportal.adapters.stripe_processor import StripeProcessor
    from local import environment
    from local.gateway import Gateway

    load = environment.load

    def as_stripe(context: dict[str, Any]) -> Any:
        stripe = {"processor": "stripe", "processorSecretName": "local/stripe", "stripePublishableKey": PUBLISHABLE_KEY}
        return load({**context, **stripe})

    @functools.cache
    def stripe_processor(name: str, ledger_table: str, secret_arn: str) -> Any:
        return StripeProcessor(lambda: processors.credentials(secret_arn), api_base=base, max_network_retries=0)

    environment.load = as_stripe  # type: ignore[assignment]
    processors._processor = stripe_processor  # type: ignore[assignment]
    Gateway.stripe_js_url = f"{base}/v3/"
    from local.__main__ import main as run_local

    return run_local(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
