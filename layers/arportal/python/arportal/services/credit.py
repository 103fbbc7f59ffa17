"""Applying a customer's held credit to their open invoices (portal: the customer; staff: on their behalf).

Each step is safe to repeat:
1. an application already made under this Idempotency-Key is answered again as it was (a reused key with a
   different request is refused);
2. the plan is made from strongly consistent reads (``domain/credit.py``);
3. it is written in one conditional transaction guarded by the key; if a source or an invoice changed meanwhile
   (a racing application, a payment), the plan is made again from fresh reads, so nothing is ever over-applied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from arportal.domain.credit import CreditPlan, plan_credit_application
from arportal.domain.errors import BusinessRuleError, ConflictError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.ports import CreditApplicationRecord, CreditApplications

ATTEMPTS = 4
# The transaction's other records: the key guard, the CAPP# record, the outbox event, the audit record and head;
# each part also writes the note's entry among its invoice's items (parts < sources + invoices), hence the half.
MAX_SOURCES_AND_INVOICES = (100 - 5) // 2


class IdempotencyKeyReusedError(BusinessRuleError):
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class ApplyCredit:
    customer_id: str
    scope: str  # whose key this is: ``customer:<id>`` or ``staff:<actor>``
    idempotency_key: str
    actor: str
    invoice_ids: tuple[str, ...] | None = None  # None: the agency's rule (oldest due first)
    account_number: str | None = None
    request_id: str | None = None

    def fingerprint(self) -> str:
        body = {"invoice_ids": self.invoice_ids, "account_number": self.account_number, "customer": self.customer_id}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CreditApplied:
    record: CreditApplicationRecord
    replayed: bool = False


def apply_credit(command: ApplyCredit, *, ledger: CreditApplications, currency: str, now: datetime) -> CreditApplied:
    for _ in range(ATTEMPTS):
        done = _already(command, ledger)
        if done is not None:
            return done
        plan = plan_credit_application(
            ledger.credit_sources(command.customer_id),
            ledger.open_invoices(command.customer_id),
            currency=currency,
            now=now,
            invoice_ids=command.invoice_ids,
            account_number=command.account_number,
            max_records=MAX_SOURCES_AND_INVOICES,
        )
        record = _record(command, plan, currency=currency, now=now)
        audit = AuditEvent(
            event_id=new_id("aud"),
            entity_type="credit_application",
            entity_id=record.application_id,
            action="credit.applied",
            actor=command.actor,
            at=now,
            after={"customer_id": command.customer_id, "applied": plan.applied, "parts": list(record.parts)},
            request_id=command.request_id,
        )
        try:
            ledger.apply(plan, record, scope=command.scope, idempotency_key=command.idempotency_key, audit=audit)
        except ConflictError:
            continue  # someone else moved the credit or the invoices: read again and plan again
        return CreditApplied(record)
    raise ConflictError("the credit or the invoices kept changing; retry with the same Idempotency-Key")


def _already(command: ApplyCredit, ledger: CreditApplications) -> CreditApplied | None:
    record = ledger.applied(command.customer_id, command.scope, command.idempotency_key)
    if record is None:
        return None
    if record.fingerprint != command.fingerprint():
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was already used for a different credit application; send a new key",
            details=[{"field": "header.Idempotency-Key", "reason": "used earlier with a different request"}],
        )
    return CreditApplied(record, replayed=True)


def _record(command: ApplyCredit, plan: CreditPlan, *, currency: str, now: datetime) -> CreditApplicationRecord:
    parts = tuple(
        {
            "credit_note_id": p.source_id,
            "credit_note_number": p.source_number,
            "invoice_id": p.invoice_id,
            "invoice_number": p.invoice_number,
            "account_number": p.account_number,
            "amount": p.amount,
        }
        for p in plan.parts
    )
    invoices = tuple(
        {
            "invoice_id": c.after.invoice_id,
            "invoice_number": c.after.invoice_number,
            "account_number": c.after.account_number,
            "amount": c.amount,
            "split": {kind.value: amount for kind, amount in plan.splits[c.after.invoice_id].items()},
            "balance": c.after.balance,
            "status": c.after.status.value,
        }
        for c in plan.invoice_changes
    )
    return CreditApplicationRecord(
        application_id=new_id("capp"),
        customer_id=command.customer_id,
        currency=currency,
        applied=plan.applied,
        credit_left=plan.credit_left,
        parts=parts,
        invoices=invoices,
        actor=command.actor,
        at=now,
        fingerprint=command.fingerprint(),
    )
