"""Stripe's payouts and the balance transactions in each, read for ``StripeProcessor.payouts`` and
``payout_transactions``.

- **Payouts**: ``GET /v1/payouts`` with ``arrival_date[gte|lte]`` (Unix times: Stripe dates an arrival at midnight
  UTC), every page (auto-paging). Only automatic payouts are kept: Stripe can list the transactions of those alone
  ("For automatic Stripe payouts only", the ``payout`` filter of the balance transactions list), and a manual payout
  is a transfer someone chose to make, not the settlement of particular payments.
- **Their transactions**: ``GET /v1/balance_transactions?payout=po_...`` with ``expand[]=data.source``, every page
  (or one page at a time, ``starting_after`` the last, for a settlement listing that may stop between pages).
  The list holds the payout's own transfer (type ``payout``, the negative of the payout), which is left out so the
  rest adds up to the payout. The expanded source names the PaymentIntent, and a PaymentIntent's id is what
  ``StripeProcessor.charge`` returned as the transaction id: a charge, its refunds and its disputes all map to it.
- **Types**: charges and payments are charges; refunds (and a refund that failed, positive) are refunds; Stripe's
  own fees are fees; ``payment_failure_refund`` (a debit that failed after its funds were made available) and a
  dispute of a bank debit are ACH returns; a dispute of a card (``adjustment`` reported as a dispute) is a dispute;
  anything else is an adjustment. Amounts keep Stripe's signs; ``net`` is ``amount - fee``, as Stripe's is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import stripe

from arportal.domain.errors import DependencyError, NotFoundError
from arportal.domain.payouts import BalanceTransaction, BalanceType, Payout, PayoutStatus

PROCESSOR = "stripe"
PAGE = 100  # Stripe's largest page
_UNAVAILABLE = (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError)
_NOT_ALLOWED = (stripe.AuthenticationError, stripe.PermissionError)
_TYPES = {
    "charge": BalanceType.CHARGE,
    "payment": BalanceType.CHARGE,
    "refund": BalanceType.REFUND,
    "payment_refund": BalanceType.REFUND,
    "refund_failure": BalanceType.REFUND,
    "payment_failure_refund": BalanceType.RETURN,
    "stripe_fee": BalanceType.FEE,
    "stripe_fx_fee": BalanceType.FEE,
    "tax_fee": BalanceType.FEE,
}
_DISPUTE_CATEGORIES = frozenset({"dispute", "dispute_reversal"})
_CARD_LIKE = frozenset({"card", "amazon_pay", "klarna", "paypal"})  # what a dispute's payment_method_details name
_TRACED = frozenset({BalanceType.CHARGE, BalanceType.REFUND, BalanceType.RETURN, BalanceType.DISPUTE})


def payouts(client: stripe.StripeClient, since: date, until: date) -> list[Payout]:
    params = {"arrival_date": {"gte": _unix(since), "lte": _unix(until + timedelta(days=1)) - 1}, "limit": PAGE}
    with _asked("payouts"):
        found = [p.to_dict() for p in client.v1.payouts.list(cast(Any, params)).auto_paging_iter()]
    kept = [_payout(p) for p in found if p.get("automatic")]
    return sorted(kept, key=lambda p: (p.arrival_date, p.created_at, p.payout_id))


def payout_transactions(client: stripe.StripeClient, payout_id: str) -> list[BalanceTransaction]:
    params = {"payout": payout_id, "limit": PAGE, "expand": ["data.source"]}
    with _asked("a payout's transactions"):
        try:
            page = client.v1.balance_transactions.list(cast(Any, params))
            found = [t.to_dict() for t in page.auto_paging_iter()]
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                raise NotFoundError(f"Stripe has no payout {payout_id}") from exc
            raise DependencyError(f"Stripe refused to list payout {payout_id}: {exc.user_message or exc.code}") from exc
    lines = [_balance_transaction(payout_id, t) for t in found if t.get("type") != "payout"]
    return sorted(lines, key=lambda t: (t.created_at, t.id))


def payout_transactions_page(
    client: stripe.StripeClient, payout_id: str, after: str | None
) -> tuple[list[BalanceTransaction], str | None]:
    """One page of the payout's transactions in Stripe's own order, after the one whose id is ``after``, and the
    cursor of the next (the page's last id, the payout's transfer included; None when Stripe has no more)."""
    params: dict[str, Any] = {"payout": payout_id, "limit": PAGE, "expand": ["data.source"]}
    if after is not None:
        params["starting_after"] = after
    with _asked("a payout's transactions"):
        try:
            page = client.v1.balance_transactions.list(cast(Any, params))
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                raise NotFoundError(f"Stripe has no payout {payout_id}") from exc
            raise DependencyError(f"Stripe refused to list payout {payout_id}: {exc.user_message or exc.code}") from exc
    found = [t.to_dict() for t in page.data]
    lines = [_balance_transaction(payout_id, t) for t in found if t.get("type") != "payout"]
    return lines, (str(found[-1]["id"]) if found and page.has_more else None)


@contextmanager
def _asked(what: str) -> Iterator[None]:
    try:
        yield
    except _UNAVAILABLE as exc:
        raise DependencyError(f"the payment processor could not be asked for {what}; retry") from exc
    except _NOT_ALLOWED as exc:
        raise DependencyError("the payment processor refused our credentials") from exc


def _payout(payout: dict[str, Any]) -> Payout:
    trace = payout.get("trace_id") or {}
    return Payout(
        payout_id=str(payout["id"]),
        processor=PROCESSOR,
        amount=int(payout["amount"]),
        currency=str(payout["currency"]).upper(),
        arrival_date=_day(payout["arrival_date"]),
        status=PayoutStatus(payout["status"]),
        bank_trace_id=trace.get("value") if isinstance(trace, dict) else None,
        created_at=datetime.fromtimestamp(int(payout["created"]), UTC),
    )


def _balance_transaction(payout_id: str, line: dict[str, Any]) -> BalanceTransaction:
    source = line.get("source")
    kind = _type(line, source if isinstance(source, dict) else {})
    return BalanceTransaction(
        id=str(line["id"]),
        payout_id=payout_id,
        type=kind,
        source_transaction_id=_transaction_of(source) if kind in _TRACED else None,
        amount=int(line["amount"]),
        fee=int(line.get("fee") or 0),
        net=int(line["net"]),
        currency=str(line["currency"]).upper(),
        available_on=_day(line["available_on"]),
        created_at=datetime.fromtimestamp(int(line["created"]), UTC),
    )


def _type(line: dict[str, Any], source: dict[str, Any]) -> BalanceType:
    kind = _TYPES.get(str(line.get("type")))
    if kind is not None:
        return kind
    if line.get("reporting_category") in _DISPUTE_CATEGORIES or source.get("object") == "dispute":
        method = (source.get("payment_method_details") or {}).get("type")
        return BalanceType.DISPUTE if method in _CARD_LIKE else BalanceType.RETURN  # a bank debit's dispute
    return BalanceType.ADJUSTMENT


def _transaction_of(source: Any) -> str | None:
    """The PaymentIntent a charge, refund or dispute belongs to (our transaction id), else the charge's id."""
    if not isinstance(source, dict):
        return str(source) if source else None
    intent = source.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    if intent:
        return str(intent)
    if source.get("object") == "charge":
        return str(source.get("id"))
    charge = source.get("charge")
    return str(charge.get("id") if isinstance(charge, dict) else charge) if charge else None


def _unix(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp())


def _day(unix: Any) -> date:
    return datetime.fromtimestamp(int(unix), UTC).date()
