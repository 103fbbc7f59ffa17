"""Saving a payment method keeps what the processor answered: its token and card details, nothing when it asks
the payer to act or refuses (``services/payment_methods.py`` with a processor that answers as told)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from arportal.domain.errors import ActionRequiredError
from arportal.domain.models import PaymentMethodType
from arportal.domain.processing import ChargeOutcome
from arportal.ports import SavedMethodResult
from arportal.services import payment_methods
from arportal.services.payment_methods import MethodDraft, MethodRefusedError
from tests.fakes import InMemorySchedules

NOW = datetime(2030, 1, 15, 12, tzinfo=UTC)
CID = "CUS-SAVING01"
DRAFT = MethodDraft(PaymentMethodType.CARD, "ctoken_visa_1", "4242", "visa")


class Answering:
    def __init__(self, *answers: SavedMethodResult) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str, str]] = []

    def save_payment_method(self, customer_id: str, token: str, *, idempotency_key: str) -> SavedMethodResult:
        self.asked.append((customer_id, token, idempotency_key))
        return self.answers.pop(0)


def save(store: InMemorySchedules, processor: Answering, key: str = "k1") -> payment_methods.Saved:
    return payment_methods.save_method(store, CID, DRAFT, idempotency_key=key, now=NOW, processor=processor)


def test_what_the_processor_kept_is_saved_and_a_replay_does_not_ask_it_again():
    store = InMemorySchedules()
    kept = SavedMethodResult(ChargeOutcome.SUCCEEDED, "pm_abc", brand="visa", last4="4242", exp_month=9, exp_year=2034)
    processor = Answering(kept)
    saved = save(store, processor).method
    assert (saved.processor_token, saved.exp_month, saved.exp_year, saved.is_default) == ("pm_abc", 9, 2034, True)
    assert processor.asked == [(CID, "ctoken_visa_1", "k1")]
    assert save(store, processor).replayed and len(processor.asked) == 1


def test_the_banks_step_saves_nothing_and_the_same_key_afterwards_saves_it():
    store = InMemorySchedules()
    processor = Answering(
        SavedMethodResult(ChargeOutcome.REQUIRES_ACTION, None, code="authentication_required", client_secret="sec"),
        SavedMethodResult(ChargeOutcome.SUCCEEDED, "pm_after", last4="3155"),
    )
    with pytest.raises(ActionRequiredError) as asked:
        save(store, processor)
    assert asked.value.details == {"next_action": "authenticate", "client_secret": "sec"}
    assert store.methods(CID, limit=5).methods == []
    saved = save(store, processor).method
    assert (saved.processor_token, saved.last4) == ("pm_after", "3155")


def test_a_refusal_saves_nothing_and_says_why():
    store = InMemorySchedules()
    refused = SavedMethodResult(ChargeOutcome.DECLINED, None, code="generic_decline", message="Your card was declined.")
    with pytest.raises(MethodRefusedError) as error:
        save(store, Answering(refused))
    assert error.value.message == "Your card was declined."
    assert error.value.details == [{"field": "token", "reason": "generic_decline"}]
    assert store.methods(CID, limit=5).methods == []
