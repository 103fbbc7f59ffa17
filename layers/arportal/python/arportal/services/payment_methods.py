"""Saved payment methods: list, save (once per Idempotency-Key), and remove unless a schedule still needs it.

Rules:
- a customer keeps at most ``MAX_SAVED_METHODS``; the first one saved is the default, and saving another as
  the default clears the flag on the old one in the same transaction;
- a card past its expiry month cannot be saved;
- a method an active autopay or plan pays with cannot be removed, unless the request names a ``replacement``
  (another of the customer's methods, not expired): the schedules move to it and the method goes, together;
- the processor keeps the method first (``PaymentMethodSaver``: Stripe attaches it to the customer's Stripe
  Customer); what it answers (its token, brand, last four and expiry) is what is saved. When the card's bank asks
  the payer to confirm, nothing is saved: ``ActionRequiredError``, and the same request again with the same key
  once they have finished it saves the method.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from arportal.domain.errors import ActionRequiredError, BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import PaymentMethodType, SavedPaymentMethod
from arportal.domain.processing import ChargeOutcome
from arportal.ports import MethodPage, PaymentMethodSaver, PaymentMethodStore, RequestClaim, ScheduleStore

MAX_SAVED_METHODS = 10
CLAIM_SCOPE = "payment_method"


class IdempotencyKeyReusedError(BusinessRuleError):
    code = "idempotency_key_reused"


class MethodInUseError(ConflictError):
    code = "method_in_use"


class MethodRefusedError(BusinessRuleError):
    """The processor would not keep the method (declined, or its bank's confirmation failed)."""

    code = "method_refused"


def fingerprint(payload: dict[str, Any]) -> str:
    """The request as the key was first used for, canonically: the same key with another body is refused."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class MethodDraft:
    type: PaymentMethodType
    token: str
    last4: str
    brand: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    nickname: str | None = None
    make_default: bool = False


@dataclass(frozen=True)
class Saved:
    method: SavedPaymentMethod
    replayed: bool


def list_methods(
    store: PaymentMethodStore, customer_id: str, *, limit: int, start: dict[str, object] | None
) -> MethodPage:
    return store.methods(customer_id, limit=limit, start=start)


def save_method(
    store: PaymentMethodStore,
    customer_id: str,
    draft: MethodDraft,
    *,
    idempotency_key: str,
    now: datetime,
    processor: PaymentMethodSaver,
) -> Saved:
    print_ = fingerprint({"draft": draft.__dict__})
    replay = _replay(store, customer_id, idempotency_key, print_)
    if replay is not None:
        return replay
    existing = _all(store, customer_id)
    if len(existing) >= MAX_SAVED_METHODS:
        raise BusinessRuleError(
            f"you can keep at most {MAX_SAVED_METHODS} payment methods; remove one first",
            details=[{"field": "body", "reason": "too many saved methods"}],
        )
    draft = _kept_by_processor(processor, customer_id, draft, idempotency_key)
    method = SavedPaymentMethod(
        method_id=new_id("pm"),
        customer_id=customer_id,
        method_type=draft.type,
        processor_token=draft.token,
        brand=draft.brand,
        last4=draft.last4,
        exp_month=draft.exp_month,
        exp_year=draft.exp_year,
        nickname=draft.nickname,
        is_default=draft.make_default or not existing,
        created_at=now,
    )
    if method.expired(now.date()):
        raise BusinessRuleError(
            "this card has expired", details=[{"field": "exp_year", "reason": "the card's expiry month has passed"}]
        )
    old_default = next((m.method_id for m in existing if m.is_default), None) if method.is_default else None
    claim = RequestClaim(customer_id, CLAIM_SCOPE, idempotency_key, print_, method.method_id)
    try:
        store.add(method, claim=claim, unset_default=old_default)
    except ConflictError:
        replay = _replay(store, customer_id, idempotency_key, print_)
        if replay is None:
            raise
        return replay
    return Saved(method, replayed=False)


def _kept_by_processor(
    processor: PaymentMethodSaver, customer_id: str, draft: MethodDraft, idempotency_key: str
) -> MethodDraft:
    kept = processor.save_payment_method(customer_id, draft.token, idempotency_key=idempotency_key)
    if kept.outcome is ChargeOutcome.REQUIRES_ACTION:
        raise ActionRequiredError(
            "your bank asks you to confirm this card before it is saved",
            details={"next_action": "authenticate", "client_secret": kept.client_secret},
        )
    if kept.outcome is not ChargeOutcome.SUCCEEDED or not kept.token:
        raise MethodRefusedError(
            kept.message or "the payment processor would not keep this payment method",
            details=[{"field": "token", "reason": kept.code or "refused"}],
        )
    # What the processor read from the card is what is kept (the page's copy is only what the payer was shown).
    return replace(
        draft,
        token=kept.token,
        last4=kept.last4 or draft.last4,
        brand=kept.brand or draft.brand,
        exp_month=kept.exp_month if kept.exp_year else draft.exp_month,
        exp_year=kept.exp_year or draft.exp_year,
    )


def _replay(store: PaymentMethodStore, customer_id: str, key: str, print_: str) -> Saved | None:
    claim = store.claim(customer_id, CLAIM_SCOPE, key)
    if claim is None:
        return None
    if claim.fingerprint != print_:
        raise IdempotencyKeyReusedError("this Idempotency-Key was already used for a different request")
    method = store.method(customer_id, claim.target_id)
    if method is None:
        raise NotFoundError("the payment method saved with this Idempotency-Key has since been removed")
    return Saved(method, replayed=True)


def _all(store: PaymentMethodStore, customer_id: str) -> list[SavedPaymentMethod]:
    return store.methods(customer_id, limit=MAX_SAVED_METHODS + 1).methods


def remove_method(
    store: PaymentMethodStore,
    schedules: ScheduleStore,
    customer_id: str,
    method_id: str,
    *,
    replacement: str | None,
    now: datetime,
) -> None:
    method = store.method(customer_id, method_id)
    if method is None:
        raise NotFoundError("no such payment method")
    users = [s for s in schedules.active_schedules(customer_id) if s.payment_method_id == method_id]
    if users and replacement is None:
        raise MethodInUseError(
            "this payment method pays an active autopay or payment plan; choose another method for it "
            "(pass ?replacement=<payment method id>) or cancel the schedule first",
            details={"schedule_ids": [s.schedule_id for s in users]},
        )
    if replacement is not None:
        other = store.method(customer_id, replacement)
        if other is None or replacement == method_id:
            raise BusinessRuleError(
                "the replacement must be another of your saved payment methods",
                details=[{"field": "query.replacement", "reason": "not another of your saved methods"}],
            )
        if other.expired(now.date()):
            raise BusinessRuleError(
                "the replacement card has expired",
                details=[{"field": "query.replacement", "reason": "expired"}],
            )
    store.remove(method, moved=users, replacement=replacement if users else None)
