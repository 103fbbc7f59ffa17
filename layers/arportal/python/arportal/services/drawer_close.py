"""Close a drawer at the counter: compare the count with what the drawer took, record any over or short, and
make the deposit batch the counted money goes to the bank in, with its slip (docs/finance.md, "Drawer close-out").

A close is written on the drawer's state version, so two submits of one close cannot both be written: the second
finds the drawer's payments closed and, counted the same, answers with the first close. A count in another
currency changes nothing but a reconciliation item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from arportal.domain import drawer_close as rules
from arportal.domain.drawer_close import DrawerClose, DrawerCount
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.domain.settlement_matching import DepositStatus, ReconciliationStatus
from arportal.ports import (
    DepositSlipRenderer,
    DrawerState,
    DrawerStore,
    PayoutRecord,
    ReconciliationItem,
    SettlementMetrics,
    SlipFiles,
)

FIRST_CLOSE_LOOKBACK = timedelta(days=31)  # how far back a drawer's first close looks for its payments
LATE_COMMIT_GRACE = timedelta(minutes=5)  # a payment stamped before a close but committed after it is still found
_ATTEMPTS = 3
logger = Logger(service="arportal")


@dataclass(frozen=True)
class DrawerServices:
    store: DrawerStore
    files: SlipFiles
    renderer: DepositSlipRenderer
    agency_name: str
    agency_currency: str
    bank_account: str | None = None
    metrics: SettlementMetrics | None = None  # counts a reconciliation item opened (the alarmed metric)


@dataclass(frozen=True)
class ClosedDrawer:
    close: DrawerClose
    replayed: bool  # the drawer's period was closed already by this same count: the first close stands


def slip_key(deposit_id: str) -> str:
    return f"deposits/{deposit_id}/slip.pdf"


def deposit_of(close: DrawerClose) -> PayoutRecord:
    """The deposit a close makes: beside the processors' payouts, expected on the close's business date."""
    return PayoutRecord(
        payout_id=close.deposit_id, processor=rules.COUNTER_PROCESSOR, amount=close.total, currency=close.currency,
        arrival_date=close.business_date, bank_trace_id=None, transactions=len(close.payments),
        matched=len(close.payments), unmatched=0, recorded_at=close.closed_at,
        deposit_status=DepositStatus.EXPECTED.value,
    )  # fmt: skip


def audit_of(close: DrawerClose) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"), entity_type="drawer", entity_id=f"{close.terminal_id}#{close.drawer_id}",
        action="drawer.closed", actor=close.closed_by, at=close.closed_at, reason=close.note,
        after={"deposit_id": close.deposit_id, "currency": close.currency, "expected": close.expected,
               "counted": close.counted, "over_short": close.over_short, "payments": len(close.payments),
               "through": close.through.isoformat()},
    )  # fmt: skip


def close_drawer(
    services: DrawerServices, terminal_id: str, drawer_id: str, count: DrawerCount, *, actor: str, now: datetime
) -> ClosedDrawer:
    store = services.store
    for _ in range(_ATTEMPTS):
        state = _settled_state(store, terminal_id, drawer_id)
        last = state.last_close
        since = (last.through - LATE_COMMIT_GRACE) if last else now - FIRST_CLOSE_LOOKBACK
        found = store.drawer_payments(terminal_id, drawer_id, since, now)
        found = [p for p in found if rules.belongs(p, terminal_id, drawer_id) and p.created_at <= now]
        deposited = store.deposited([p.payment_id for p in found])
        if any(p.payment_id in deposited and (last is None or p.created_at > last.through) for p in found):
            continue  # a close newer than the state read was written meanwhile: start again from it
        fresh = [p for p in found if p.payment_id not in deposited]
        problem = rules.currency_mismatch(count, services.agency_currency, fresh)
        if problem:
            _open_mismatch(
                services, terminal_id=terminal_id, drawer_id=drawer_id, last=last, count=count, problem=problem, now=now
            )
        taken = rules.takes(fresh, terminal_id, drawer_id, through=now, deposited=deposited)
        if last is not None and rules.is_repeat(last, count, taken):
            return ClosedDrawer(last, replayed=True)
        close = _plan(terminal_id, drawer_id, count, taken, last, actor=actor, now=now)
        if store.record_close(close, deposit_of(close), audit_of(close), version=state.version):
            _store_slip(services, close)
            return ClosedDrawer(close, replayed=False)
    raise ConflictError(f"drawer {terminal_id}/{drawer_id} is being closed by someone else: try again")


def _settled_state(store: DrawerStore, terminal_id: str, drawer_id: str) -> DrawerState:
    """The drawer's state with any half-written close finished first, so each close starts from a whole one."""
    state = store.state(terminal_id, drawer_id)
    if state.pending is not None:
        store.complete_close(state.pending, deposit_of(state.pending), audit_of(state.pending))
        state = store.state(terminal_id, drawer_id)
    return state


def _plan(
    terminal_id: str,
    drawer_id: str,
    count: DrawerCount,
    taken: list[rules.TakenPayment],
    last: DrawerClose | None,
    *,
    actor: str,
    now: datetime,
) -> DrawerClose:
    expected = rules.expected(taken)
    differences = rules.over_short(expected, count.by_method())
    rules.check_count(count, taken, differences)
    cheques = rules.counted_cheques(count, taken, expected[rules.CHEQUE])
    deposit_id = new_id("dep")
    return DrawerClose(
        deposit_id=deposit_id, terminal_id=terminal_id, drawer_id=drawer_id, currency=count.currency,
        period_from=last.through if last else None, through=now, business_date=now.date(), expected=expected,
        counted=count.by_method(), over_short=differences, payments=tuple(taken), cheques=cheques,
        note=count.note, closed_by=actor, closed_at=now, slip_key=slip_key(deposit_id),
    )  # fmt: skip


def _open_mismatch(
    services: DrawerServices,
    *,
    terminal_id: str,
    drawer_id: str,
    last: DrawerClose | None,
    count: DrawerCount,
    problem: str,
    now: datetime,
) -> None:
    item = ReconciliationItem(
        item_id=rules.mismatch_item_id(terminal_id, drawer_id, last.deposit_id if last else None, count),
        reason=rules.CURRENCY_MISMATCH, status=ReconciliationStatus.OPEN.value, opened_at=now,
        note=f"drawer {terminal_id}/{drawer_id}: {problem}; counted cash {count.cash}, cheques {count.cheque}",
        amount=count.cash + count.cheque, currency=count.currency,
    )  # fmt: skip
    if services.store.open_item(item) and services.metrics is not None:
        services.metrics.reconciliation_items_opened(1)
    raise rules.DrawerCurrencyError(
        f"the drawer was not closed: {problem}",
        details={"reconciliation_item_id": item.item_id, "reason": rules.CURRENCY_MISMATCH},
    )


def _store_slip(services: DrawerServices, close: DrawerClose) -> None:
    """The slip is drawn from the close, so a slip not stored now is drawn again when it is first asked for."""
    try:
        services.files.put(close.slip_key, _render(services, close), content_type="application/pdf")
    except DependencyError:
        logger.warning("deposit slip %s not stored; it is drawn when first asked for", close.deposit_id)


def _render(services: DrawerServices, close: DrawerClose) -> bytes:
    return services.renderer.render(close, agency_name=services.agency_name, bank_account=services.bank_account)


def deposit_slip(services: DrawerServices, deposit_id: str, *, expires_in: int) -> tuple[DrawerClose, str]:
    """A short-lived link to a counter deposit's slip (PDF), drawn again from its close if it was never stored."""
    close = services.store.close_of_deposit(deposit_id)
    if close is None or close.status != "closed":
        raise NotFoundError(f"no counter deposit {deposit_id}")
    try:
        services.files.get(close.slip_key)
    except DependencyError:
        services.files.put(close.slip_key, _render(services, close), content_type="application/pdf")
    filename = f"deposit-slip-{close.deposit_id}.pdf"
    return close, services.files.url(close.slip_key, filename=filename, expires_in=expires_in)
