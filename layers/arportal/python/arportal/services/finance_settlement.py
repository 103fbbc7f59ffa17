"""The finance console's settlement use cases: payouts, deposits and reconciliation items to read, a deposit
confirmed by hand (expected -> deposited) and an item resolved with a note. Both changes are idempotent: asked
again, the first answer stands; each is audited on its own hash chain (``payout``, ``reconciliation_item``)."""

from __future__ import annotations

from datetime import date, datetime

from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.settlement_matching import DepositStatus, ReconciliationStatus
from arportal.ports import FinancePage, FinanceStore, PayoutRecord, ReconciliationItem

MAX_RANGE_DAYS = 366


class DateRangeError(BusinessRuleError):
    code = "invalid_date_range"


def _check_range(since: date, until: date) -> None:
    if until < since or (until - since).days > MAX_RANGE_DAYS:
        raise DateRangeError(
            f"from {since} to {until}: the range must run forward and span at most {MAX_RANGE_DAYS} days",
            details={"from": since.isoformat(), "to": until.isoformat()},
        )


def payouts(store: FinanceStore, since: date, until: date, *, limit: int, cursor: str | None) -> FinancePage:
    _check_range(since, until)
    return store.payouts(since, until, limit=limit, cursor=cursor)


def deposits(
    store: FinanceStore, since: date, until: date, *, status: str | None, limit: int, cursor: str | None
) -> FinancePage:
    _check_range(since, until)
    return store.deposits(since, until, status=status, limit=limit, cursor=cursor)


def reconciliation_items(
    store: FinanceStore, status: str, *, reason: str | None, limit: int, cursor: str | None
) -> FinancePage:
    return store.reconciliation_items(status, reason=reason, limit=limit, cursor=cursor)


def confirm_deposit(store: FinanceStore, deposit_id: str, *, actor: str, now: datetime) -> PayoutRecord:
    found = store.payout(deposit_id)
    if found is None:
        raise NotFoundError(f"no deposit {deposit_id}")
    if found.deposit_status == DepositStatus.EXPECTED.value:
        audit = AuditEvent(
            event_id=new_id("aud"), entity_type="payout", entity_id=deposit_id, action="deposit.confirmed",
            actor=actor, at=now, before={"deposit_status": found.deposit_status},
            after={"deposit_status": DepositStatus.DEPOSITED.value, "amount": found.amount,
                   "currency": found.currency, "arrival_date": found.arrival_date.isoformat()},
        )  # fmt: skip
        store.confirm_deposit(deposit_id, by=actor, at=now, audit=audit)
    return store.payout(deposit_id) or found  # confirmed already (by this call or the first): it stands


def resolve_item(store: FinanceStore, item_id: str, *, note: str, actor: str, now: datetime) -> ReconciliationItem:
    found = store.reconciliation_item(item_id)
    if found is None:
        raise NotFoundError(f"no reconciliation item {item_id}")
    if found.status == ReconciliationStatus.OPEN.value:
        audit = AuditEvent(
            event_id=new_id("aud"), entity_type="reconciliation_item", entity_id=item_id,
            action="reconciliation_item.resolved", actor=actor, at=now, before={"status": found.status},
            after={"status": ReconciliationStatus.RESOLVED.value, "reason": found.reason}, reason=note,
        )  # fmt: skip
        store.resolve_item(item_id, note=note, by=actor, at=now, audit=audit)
    return store.reconciliation_item(item_id) or found
