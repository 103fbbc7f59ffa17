"""Settlement from the processor's payouts: the steps of ``statemachines/settlement.asl.json``.

1. ``list_payouts`` (``services/payout_listing.py``): on a banking day, the payouts that arrived after the last
   run's cursor (first run: the last ten banking days) through today, each one's balance transactions written to S3
   as chunk objects of ``CHUNK_LINES`` lines, and a manifest of the payouts; over as many invocations as its time
   budget needs. The machine's state carries only the chunks' prefix (and where a listing stopped).
2. ``match_chunk`` (one Distributed Map item per chunk): each line matched to its payment
   (``domain/settlement_matching``); a payment settles in one transaction with its audit record and its
   ``payment.settled`` event; what does not match becomes a reconciliation item. The chunk's counts go into a
   marker written once.
3. ``finish_settlement``: each payout recorded once (also the deposit the agency expects), payments past their
   payout deadline with no payout become ``missing_from_processor`` items (counted as ``MissingPayouts`` too), the
   cursor moves.

Rerunning changes nothing: the same window writes the same chunks, a settled payment is not settleable again,
and every line, item, marker and payout is created only if absent.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from arportal.domain import settlement_chunks as chunks
from arportal.domain.banking_days import NO_CLOSURES, add_banking_days
from arportal.domain.errors import ConflictError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent, Payment, StatusChange
from arportal.domain.payouts import BalanceTransaction
from arportal.domain.settlement_matching import (
    SETTLEMENT_ACTOR,
    LineOutcome,
    ReconciliationReason,
    days_due_for_missing_check,
    is_missing_from_processor,
    match_line,
    reconciliation_id,
)
from arportal.domain.status import PaymentStatus
from arportal.ports import (
    ImportFiles,
    PayoutLine,
    PayoutRecord,
    PayoutSettlementStore,
    ReconciliationItem,
    SettlementMetrics,
)
from arportal.services.payout_listing import CHUNK_LINES, Listing, ListingPosition, list_payouts

__all__ = ["CHUNK_LINES", "Listing", "ListingPosition", "finish_settlement", "list_payouts", "match_chunk", "settled"]


def match_chunk(
    run: str,
    key: str,
    *,
    store: PayoutSettlementStore,
    files: ImportFiles,
    metrics: SettlementMetrics,
    now: datetime,
) -> dict[str, Any]:
    tally = dict.fromkeys(("settled", "recorded", "unmatched", "opened"), 0)
    counts: dict[str, list[int]] = {}
    rows = [json.loads(raw) for raw in files.get(key).decode().splitlines() if raw.strip()]
    lines = [(chunks.line_of(row), date.fromisoformat(row["arrival_date"])) for row in rows]
    known = store.payments_for_transactions(t.source_transaction_id for t, _ in lines if t.source_transaction_id)
    for line, arrival in lines:
        payment = known.get(line.source_transaction_id or "")
        outcome, opened = _match(line, payment, arrival, store=store, now=now)
        tally[outcome] += 1
        tally["opened"] += opened
        per_payout = counts.setdefault(line.payout_id, [0, 0])
        per_payout[1 if outcome == "unmatched" else 0] += 1
    store.put_chunk_marker(run, key, counts, at=now)
    metrics.reconciliation_items_opened(tally["opened"])
    return {"key": key, **tally}


def _match(
    line: BalanceTransaction, payment: Payment | None, arrival: date, *, store: PayoutSettlementStore, now: datetime
) -> tuple[str, int]:
    decided = match_line(line, payment)
    if payment is None or decided.outcome is LineOutcome.UNMATCHED:
        store.record_line(
            PayoutLine(
                line,
                payment.payment_id if payment else None,
                payment.customer_id if payment else None,
                LineOutcome.UNMATCHED.value,
            ),
            at=now,
        )
        assert decided.reason is not None
        item = ReconciliationItem(
            item_id=reconciliation_id(decided.reason, line.id),
            reason=decided.reason.value,
            status="open",
            opened_at=now,
            note=decided.note,
            payout_id=line.payout_id,
            transaction_id=line.id,
            payment_id=payment.payment_id if payment else None,
            amount=line.amount,
            currency=line.currency,
        )
        return "unmatched", int(store.open_item(item))
    recorded = PayoutLine(line, payment.payment_id, payment.customer_id, decided.outcome.value)
    if decided.outcome is LineOutcome.RECORD:
        store.record_line(recorded, at=now)
        return "recorded", 0
    after = settled(payment, line, arrival, now=now)
    if store.settle(payment, after, recorded, _audit(payment, after, now)):
        return "settled", 0
    fresh = store.payment_for_transaction(line.source_transaction_id or "")
    if fresh is not None and fresh.payout_id == line.payout_id:
        return "settled", 0  # a retried chunk: its first attempt settled it
    if fresh is not None and match_line(line, fresh).outcome is LineOutcome.SETTLE:
        raise ConflictError(f"payment {payment.payment_id} changed while it settled; the chunk is retried")
    store.record_line(PayoutLine(line, payment.payment_id, payment.customer_id, LineOutcome.RECORD.value), at=now)
    return "recorded", 0


def settled(payment: Payment, line: BalanceTransaction, arrival: date, *, now: datetime) -> Payment:
    change = StatusChange(status=PaymentStatus.SETTLED, at=now, by=SETTLEMENT_ACTOR, note=f"payout {line.payout_id}")
    return payment.model_copy(
        update={
            "status": PaymentStatus.SETTLED,
            "history": [*payment.history, change],
            "version": payment.version + 1,
            "settled_at": now,
            "payout_id": line.payout_id,
            "paid_out_on": arrival,
            "processor_fee": line.fee,
        }
    )


def finish_settlement(
    run: str,
    *,
    today: date,
    store: PayoutSettlementStore,
    files: ImportFiles,
    metrics: SettlementMetrics,
    now: datetime,
    closures: frozenset[date] = NO_CLOSURES,
) -> dict[str, Any]:
    manifest = json.loads(files.get(chunks.manifest_key(run)))
    since = date.fromisoformat(manifest["since"])
    counts: dict[str, list[int]] = {}
    for marker in store.chunk_markers(run):
        for payout_id, (matched, unmatched) in marker.items():
            total = counts.setdefault(payout_id, [0, 0])
            total[0], total[1] = total[0] + int(matched), total[1] + int(unmatched)
    recorded = 0
    for p in manifest["payouts"]:
        matched, unmatched = counts.get(p["payout_id"], [0, 0])
        recorded += store.record_payout(
            PayoutRecord(
                payout_id=p["payout_id"],
                processor=p["processor"],
                amount=p["amount"],
                currency=p["currency"],
                arrival_date=date.fromisoformat(p["arrival_date"]),
                bank_trace_id=p["bank_trace_id"],
                transactions=p["transactions"],
                matched=matched,
                unmatched=unmatched,
                recorded_at=now,
            )
        )
    # Deadlines already checked by the last run are not checked again; the first run starts a banking day into
    # its window, so a payment paid out just before the window is not taken for missing.
    checked_through = since - timedelta(days=1) if not manifest["first_run"] else add_banking_days(since, 1, closures)
    missing = 0
    for day in days_due_for_missing_check(checked_through, today, closures):
        for payment in store.unsettled_payments(day):
            if is_missing_from_processor(payment, today, closures):
                missing += store.open_item(_missing_item(payment, now))
    metrics.reconciliation_items_opened(missing)
    metrics.missing_payouts(missing)
    store.move_cursor(today, at=now)
    totals: dict[str, int] = {}
    for p in manifest["payouts"]:
        totals[p["currency"]] = totals.get(p["currency"], 0) + p["amount"]
    return {
        "run": run,
        "since": manifest["since"],
        "until": manifest["until"],
        "payouts": len(manifest["payouts"]),
        "payouts_recorded": recorded,
        "matched": sum(c[0] for c in counts.values()),
        "unmatched": sum(c[1] for c in counts.values()),
        "missing_opened": missing,
        "totals": totals,
    }


def _missing_item(payment: Payment, now: datetime) -> ReconciliationItem:
    return ReconciliationItem(
        item_id=reconciliation_id(ReconciliationReason.MISSING_FROM_PROCESSOR, payment.payment_id),
        reason=ReconciliationReason.MISSING_FROM_PROCESSOR.value,
        status="open",
        opened_at=now,
        note=f"{payment.method.type.value} payment {payment.payment_id} of {payment.created_at.date()} "
        f"({payment.transaction_id}) has no payout line past its deadline",
        transaction_id=payment.transaction_id,
        payment_id=payment.payment_id,
        amount=payment.amount + payment.fee_amount,
        currency=payment.currency,
    )


def _audit(before: Payment, after: Payment, now: datetime) -> AuditEvent:
    return AuditEvent(
        event_id=new_id("aud"),
        entity_type="payment",
        entity_id=after.payment_id,
        action="payment.settled",
        actor=SETTLEMENT_ACTOR,
        at=now,
        before={"status": before.status.value},
        after={
            "status": after.status.value,
            "payout_id": after.payout_id,
            "paid_out_on": after.paid_out_on.isoformat() if after.paid_out_on else None,
            "processor_fee": after.processor_fee,
        },
    )
