"""The use cases behind the settlement machine's Task states (``statemachines/settlement.asl.json``).

Once a day the machine lists the payments of a day that have not settled yet (``settlement_candidates``), marks
each settled in a Map state (``mark_settled``) and sums what the processor deposits for them
(``settlement_report``). Step Functions retries a Task whose Lambda call failed, so marking a payment settled is
conditional on the status it was listed with, and a repeat that finds it settled already counts it once.

What a day's settlement deposits, per payment: what is left of it after the refunds made before it settled, plus
the convenience fee charged with it (the processor collected amount + fee in one charge, and a refund keeps the
fee). A payment refunded in part before settling settles too (``partially_refunded -> settled``), for what is left
of it; one voided or fully refunded before settling deposits no principal and is not settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from arportal.domain.models import StatusChange
from arportal.domain.status import PaymentStatus, transition_payment
from arportal.ports import SettlementCandidate, SettlementStore

SETTLEMENT_ACTOR = "system:settlement"
MAX_SETTLEMENT_BATCH = 1000  # what one execution's Map carries; a busier day runs again for the rest


@dataclass(frozen=True)
class SettlementOutcome:
    candidate: SettlementCandidate
    settled: bool  # False: it had moved on before it could settle (voided, refunded, reversed)
    status: str | None = None


@dataclass(frozen=True)
class SettlementReport:
    day: str
    settled_count: int
    skipped_count: int
    totals: dict[str, int] = field(default_factory=dict)  # currency -> the deposit: gross - refunded + fees
    payment_ids: list[str] = field(default_factory=list)
    gross: dict[str, int] = field(default_factory=dict)  # currency -> the settled payments' amounts
    fees: dict[str, int] = field(default_factory=dict)  # currency -> their convenience fees
    refunded: dict[str, int] = field(default_factory=dict)  # currency -> refunded of them before they settled


def settlement_candidates(
    store: SettlementStore, day: date, *, limit: int = MAX_SETTLEMENT_BATCH
) -> list[SettlementCandidate]:
    return [
        SettlementCandidate(
            p.payment_id,
            p.customer_id,
            p.amount,
            p.currency,
            fee=p.fee_amount,
            refunded=p.refunded,
            status=p.status.value,
        )
        for p in store.posted_payments(day, limit=limit)
    ]


def mark_settled(
    store: SettlementStore, candidate: SettlementCandidate, *, day: date, now: datetime
) -> SettlementOutcome:
    expected = PaymentStatus(candidate.status)
    transition_payment(expected, PaymentStatus.SETTLED)  # posted or partially_refunded: the rule refuses others
    change = StatusChange(status=PaymentStatus.SETTLED, at=now, by=SETTLEMENT_ACTOR, note=f"settlement {day}")
    if store.append_status(candidate, change, expected=expected):
        return SettlementOutcome(candidate, settled=True, status=PaymentStatus.SETTLED.value)
    # Already settled: this Task is being retried after its write went through, so it counts once, here.
    current = store.payment_status(candidate)
    settled = current is PaymentStatus.SETTLED
    return SettlementOutcome(candidate, settled=settled, status=current.value if current else None)


def settlement_report(day: date, outcomes: list[SettlementOutcome]) -> SettlementReport:
    gross: dict[str, int] = {}
    fees: dict[str, int] = {}
    refunded: dict[str, int] = {}
    settled = [o for o in outcomes if o.settled]
    for outcome in settled:
        c = outcome.candidate
        gross[c.currency] = gross.get(c.currency, 0) + c.amount
        fees[c.currency] = fees.get(c.currency, 0) + c.fee
        refunded[c.currency] = refunded.get(c.currency, 0) + c.refunded
    return SettlementReport(
        day=day.isoformat(),
        settled_count=len(settled),
        skipped_count=len(outcomes) - len(settled),
        totals={cur: gross[cur] - refunded[cur] + fees[cur] for cur in gross},
        payment_ids=[o.candidate.payment_id for o in settled],
        gross=gross,
        fees=fees,
        refunded=refunded,
    )
