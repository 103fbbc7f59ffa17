"""What the portal-payment reliability tests share: the deployment's own processor, wrapped to count its charges,
and a card payment through the gateway (the ``counting`` and ``containers`` fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from arportal.adapters import processors
from arportal.config import settings
from tests.fakes import CountingProcessor
from tests.reliability.worlds import PayWorld

PAY = "/v1/portal/payments"
Counter = TypeVar("Counter", bound=CountingProcessor)


def count_charges(monkeypatch: pytest.MonkeyPatch, wrap: Callable[[Any], Counter]) -> Counter:
    """The deployment's own sandbox (charges persisted in DynamoDB, as across real containers), wrapped to count."""
    counter = wrap(processors.processor_for(settings()))
    monkeypatch.setattr(processors, "processor_for", lambda _settings: counter)
    return counter


def pay(gateway: Any, world: PayWorld, key: str, token: str = "tok_visa", amount: int = 4_000) -> Any:
    body = {"amount": amount, "currency": "USD", "method": "card", "token": token}
    return gateway.request("POST", PAY, token=world.token, json=body, headers={"Idempotency-Key": key})
