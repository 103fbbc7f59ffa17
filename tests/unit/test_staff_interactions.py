"""Logging an interaction: idempotent per staff member and key, references checked, audited (with a fake store)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.models import InteractionKind
from arportal.services.interactions import IdempotencyKeyReusedError, NewInteraction, log_interaction

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CID = "CUS-0001ABCD"


class Store:
    def __init__(self, *, exists=True, invoice_ok=True, payment_ok=True) -> None:
        self.refs = (exists, invoice_ok, payment_ok)
        self.claims: dict[tuple[str, str, str], tuple[str, object]] = {}
        self.written: list[tuple[object, object]] = []
        self.race_with: NewInteraction | None = None  # a twin request that commits first

    def references(self, customer_id, *, invoice_id, payment_id):
        return self.refs

    def record(self, interaction, *, actor, idempotency_key, fingerprint, audit):
        if self.race_with is not None:
            twin, self.race_with = self.race_with, None
            log_interaction(self, twin, now=NOW)
        key = (interaction.customer_id, actor, idempotency_key)
        if key in self.claims:
            raise ConflictError("claimed")
        self.claims[key] = (fingerprint, interaction)
        self.written.append((interaction, audit))

    def recorded(self, customer_id, *, actor, idempotency_key):
        return self.claims.get((customer_id, actor, idempotency_key))


def _command(summary: str = "Explained the late fee", key: str = "k1", actor: str = "staff:a@x.org", **more):
    return NewInteraction(
        customer_id=CID, kind=InteractionKind.CALL, summary=summary, actor=actor, idempotency_key=key, **more
    )


def test_the_first_submit_writes_the_interaction_with_its_audit_record():
    store = Store()
    logged = log_interaction(store, _command(payment_id="pay_1"), now=NOW)
    assert logged.replayed is False
    interaction, audit = store.written[0]
    assert interaction is logged.interaction and interaction.staff_id == "staff:a@x.org" and interaction.at == NOW
    assert (audit.entity_type, audit.entity_id, audit.action) == (
        "interaction",
        interaction.interaction_id,
        "interaction.logged",
    )
    assert audit.after["payment_id"] == "pay_1"


def test_a_second_submit_with_the_key_returns_the_first_and_writes_nothing():
    store = Store()
    first = log_interaction(store, _command(), now=NOW)
    again = log_interaction(store, _command(summary="  Explained the late fee "), now=NOW)
    assert again.replayed and again.interaction == first.interaction and len(store.written) == 1


def test_the_key_is_the_staff_members_own():
    store = Store()
    log_interaction(store, _command(actor="staff:a@x.org"), now=NOW)
    other = log_interaction(store, _command(actor="staff:b@x.org"), now=NOW)
    assert other.replayed is False and len(store.written) == 2


def test_the_key_with_different_content_is_refused():
    store = Store()
    log_interaction(store, _command(), now=NOW)
    with pytest.raises(IdempotencyKeyReusedError) as refused:
        log_interaction(store, _command(summary="something else"), now=NOW)
    assert refused.value.code == "idempotency_key_reused" and isinstance(refused.value, BusinessRuleError)


def test_a_racing_twin_that_commits_first_is_answered_with_its_interaction():
    store = Store()
    store.race_with = _command()
    logged = log_interaction(store, _command(), now=NOW)
    assert logged.replayed and len(store.written) == 1


def test_an_unknown_customer_is_404_and_foreign_records_are_named():
    with pytest.raises(NotFoundError):
        log_interaction(Store(exists=False), _command(), now=NOW)
    with pytest.raises(BusinessRuleError) as wrong:
        log_interaction(
            Store(invoice_ok=False, payment_ok=False), _command(invoice_id="inv_1", payment_id="pay_1"), now=NOW
        )
    assert [d["field"] for d in wrong.value.details] == ["invoice_id", "payment_id"]
