"""The one place a function gets its payment processor: ``processor_for(settings())``.

The deployment's ``processor`` setting picks the adapter; its credentials come from the processor secret
(``PROCESSOR_SECRET_ARN``: JSON ``{"api_key": ..., "webhook_secret": ...}``), read from Secrets Manager the first
time a charge, refund or webhook needs them and then kept for the container's life. Building the processor
costs nothing at cold start: the Stripe SDK is imported, and the secret read, only on first use. The sandbox's
payouts follow the ``SANDBOX_*`` settings (``payout_rules``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from arportal.config import RuntimeSettings
from arportal.domain.errors import DependencyError
from arportal.ports import PaymentProcessor

if TYPE_CHECKING:
    from arportal.adapters.sandbox import SandboxProcessor
    from arportal.adapters.sandbox_payouts import PayoutRules


@dataclass(frozen=True)
class ProcessorCredentials:
    api_key: str
    webhook_secret: str | None


def processor_for(settings: RuntimeSettings) -> PaymentProcessor:
    """This deployment's processor, one per container (per processor, table and secret)."""
    if settings.processor == "sandbox":
        return sandbox_for(settings)
    return _processor(settings.processor, settings.ledger_table, settings.processor_secret_arn)


def sandbox_for(settings: RuntimeSettings) -> SandboxProcessor:
    """The sandbox itself (its tokenizer and ACH simulation need more than the ``PaymentProcessor`` port)."""
    return _sandbox(settings.ledger_table, settings.processor_secret_arn, payout_rules(settings))


def payout_rules(settings: RuntimeSettings) -> PayoutRules:
    """How the sandbox pays out, from the ``SANDBOX_*`` settings."""
    from arportal.adapters.sandbox_payouts import DEFAULT_FEES, PayoutRules
    from arportal.domain.fees import FeeRule

    configured = settings.sandbox_processor_fees
    return PayoutRules(
        card_delay_days=settings.sandbox_card_payout_days,
        ach_delay_days=settings.sandbox_ach_payout_days,
        fees_netted=settings.sandbox_fees_netted,
        refunds_netted=settings.sandbox_refunds_netted,
        fees=tuple((m, FeeRule.model_validate(r)) for m, r in sorted(configured.items()))
        if configured
        else DEFAULT_FEES,
    )


def credentials(secret_arn: str) -> ProcessorCredentials:
    """The processor secret's JSON, read once per container; ``DependencyError`` if it is missing or malformed."""
    return _credentials(secret_arn)


@cache
def _processor(name: str, ledger_table: str, secret_arn: str) -> PaymentProcessor:
    if name == "stripe":
        from arportal.adapters.stripe_processor import StripeProcessor

        return StripeProcessor(lambda: credentials(secret_arn))
    raise ValueError(f"no adapter for processor {name!r}")


@cache
def _sandbox(ledger_table: str, secret_arn: str, rules: PayoutRules) -> SandboxProcessor:
    from arportal.adapters.sandbox import SandboxProcessor

    def webhook_secret() -> str | None:
        # Without a secret the sandbox still charges, but signs nothing and accepts no webhook (it fails closed).
        return credentials(secret_arn).webhook_secret if secret_arn else None

    return SandboxProcessor(ledger_table, webhook_secret=webhook_secret, payout_rules=rules)


@cache
def _credentials(secret_arn: str) -> ProcessorCredentials:
    from arportal.adapters.secrets import secret_string

    try:
        values = json.loads(secret_string(secret_arn))
        api_key = values["api_key"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DependencyError('the processor secret must be JSON {"api_key": ..., "webhook_secret": ...}') from exc
    if not isinstance(api_key, str) or not api_key:
        raise DependencyError("the processor secret has no api_key")
    webhook_secret = values.get("webhook_secret")
    return ProcessorCredentials(api_key, webhook_secret if isinstance(webhook_secret, str) and webhook_secret else None)
