"""Which outbox events are a payment's first outcome (the dashboard's payment success rate)."""

from __future__ import annotations

import pytest

from arportal.domain.payment_outcomes import Outcome, first_outcome


@pytest.mark.parametrize(
    ("detail_type", "detail", "outcome"),
    [
        ("payment.posted", {"status": "posted"}, Outcome.ACCEPTED),
        ("payment.pending", {"status": "pending"}, Outcome.ACCEPTED),  # an ACH debit accepted for clearing
        ("payment.failed", {"status": "failed"}, Outcome.FAILED),
        # a later change of an attempt already counted: a pending debit that settles or fails at its bank
        ("payment.posted", {"status": "posted", "previous_status": "pending"}, None),
        ("payment.failed", {"status": "failed", "previous_status": "pending"}, None),
        ("payment.refunded", {"status": "refunded", "previous_status": "posted"}, None),
        ("invoice.created", {}, None),
    ],
)
def test_only_an_attempt_s_first_outcome_counts(detail_type, detail, outcome):
    assert first_outcome(detail_type, detail) == outcome
