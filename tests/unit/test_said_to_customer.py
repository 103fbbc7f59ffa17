"""Who changed a payment, as the customer is told (``GET /v1/portal/payments``): never a staff login."""

from __future__ import annotations

import pytest

from portal_api.schemas_payments import said_to_customer


@pytest.mark.parametrize(
    ("actor", "told"),
    [
        ("customer:pat@example.org", "you"),
        ("guest:lookup", "you"),
        ("staff:agent@demo.local", "the agency"),
        ("Staff:agent@demo.local", "the agency"),
        ("system:settlement", ""),  # on its own: the step says what happened
        ("processor", ""),
        ("processor:stripe", ""),
    ],
)
def test_the_customer_is_told_you_the_agency_or_nothing(actor: str, told: str) -> None:
    assert said_to_customer(actor) == told
