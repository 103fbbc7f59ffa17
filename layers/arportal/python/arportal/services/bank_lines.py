"""The unmatched queue: bank lines the matcher did not apply on its own, and staff's decision on each.

Four decisions, each audited (who, when, what) and taken once: a second decision on a decided line is refused
(409) with the first one.

- ``confirm`` suggestion ``n`` (1 = the best): applied as the matcher would have applied it;
- ``split``: the line's money over invoices staff choose (``[{customer_id, invoice_id, amount}]``, at most the
  line's amount), the rest held as credit of the customer named (``customer_id``);
- ``credit``: all of it held as a customer's unapplied credit;
- ``ignore``: not receivables (a transfer between the agency's own accounts...): recorded, nothing applied.

A matched line the ledger refused to apply (``applied.outcome == "refused"``) may be decided the same way.

The decision is claimed first (one conditional write, with its audit record) and applied after, under the line
key, so two staff deciding at once apply one decision, and a crash between the two is completed by the next
request on the line (applying is idempotent per line key). A confirmed or split decision teaches the matcher the
payer's name (``PayerAliases``): the next line from that name scores higher for those customers.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arportal.domain.bank_accounts import BankAccount
from arportal.domain.bank_matches import Allocation, Candidate, MatchTarget
from arportal.domain.errors import BusinessRuleError, ConflictError, NotFoundError
from arportal.domain.ids import new_id
from arportal.domain.models import AuditEvent
from arportal.ports import BankLinePage, BankLineQueue, BankLineRecord, PayerAliases
from arportal.services.bank_application import AppliedLine, BankApplication, apply_candidate

STATUSES = ("unmatched", "suggested", "matched", "decided")
QUEUED = frozenset({"unmatched", "suggested"})
ACTIONS = ("confirm", "split", "credit", "ignore")


LINE_ID_PREFIX = "bl"


class LineDecidedError(ConflictError):
    code = "bank_line_decided"


def line_id(line_key: str) -> str:
    """The line's id in a URL: its key in lower-case base32. A key is the bank's own reference after the account
    number (``4400123456:FT24-0012/A``): any character, and digit runs the card-number guard would refuse; base32
    has neither, and is reversible, so no lookup is stored."""
    return LINE_ID_PREFIX + base64.b32encode(line_key.encode()).decode().rstrip("=").lower()


def line_key_of_id(value: str) -> str:
    if not value.startswith(LINE_ID_PREFIX):
        raise NotFoundError(f"no bank line {value}")
    body = value.removeprefix(LINE_ID_PREFIX).upper()
    try:
        return base64.b32decode(body + "=" * (-len(body) % 8)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise NotFoundError(f"no bank line {value}") from None


@dataclass(frozen=True)
class Decision:
    action: str  # confirm | split | credit | ignore
    candidate: int | None = None  # confirm: 1-based, as the line's suggestions are numbered
    allocations: tuple[Allocation, ...] = ()  # split
    customer_id: str | None = None  # split: who holds the rest; credit: whose credit
    note: str = ""

    def as_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"action": self.action, "note": self.note}
        if self.candidate is not None:
            record["candidate"] = self.candidate
        if self.allocations:
            record["allocations"] = [
                {"customer_id": a.customer_id, "invoice_id": a.invoice_id, "amount": a.amount} for a in self.allocations
            ]
        if self.customer_id:
            record["customer_id"] = self.customer_id
        return record


@dataclass(frozen=True)
class BankLineServices:
    queue: BankLineQueue
    aliases: PayerAliases
    application: BankApplication
    accounts: tuple[BankAccount, ...]


def lines(queue: BankLineQueue, status: str, *, limit: int, cursor: str | None) -> BankLinePage:
    if status not in STATUSES:
        raise BusinessRuleError(f"status must be one of {', '.join(STATUSES)}")
    return queue.lines(status, limit=limit, cursor=cursor)


def line(queue: BankLineQueue, line_key: str) -> BankLineRecord:
    found = queue.line(line_key)
    if found is None:
        raise NotFoundError(f"no bank line {line_key}")
    return found


def decide(
    line_key: str, decision: Decision, *, actor: str, services: BankLineServices, now: datetime
) -> tuple[BankLineRecord, AppliedLine | None]:
    record = line(services.queue, line_key)
    if record.decision is not None:
        _complete(record, services, now)
        raise LineDecidedError("this bank line has been decided already", details={"decision": record.decision})
    if record.stored.status not in QUEUED and not _refused(record):
        raise LineDecidedError(
            f"this bank line is {record.stored.status}, not in the unmatched queue",
            details={"status": record.stored.status, "applied": record.stored.applied},
        )
    candidate = _candidate(record, decision)  # refuses a bad decision before anything is claimed
    stored_decision = {**decision.as_record(), "by": actor, "at": now.isoformat()}
    audit = AuditEvent(
        event_id=new_id("aud"), entity_type="bank_line", entity_id=line_key, action=f"bank_line.{decision.action}",
        actor=actor, at=now, before={"status": record.stored.status}, after={"status": "decided", **stored_decision},
        reason=decision.note or None,
    )  # fmt: skip
    if not services.queue.decide(line_key, decision=stored_decision, applied=None, audit=audit):
        first = services.queue.line(line_key)
        raise LineDecidedError(
            "this bank line has been decided already", details={"decision": first.decision if first else None}
        )
    applied = _apply(record, candidate, decision, actor=actor, services=services, now=now)
    if candidate is not None and decision.action in {"confirm", "split"}:
        _learn(record, candidate, services, now)
    return line(services.queue, line_key), applied


def _refused(record: BankLineRecord) -> bool:
    """A matched line the ledger refused to apply (a payment gone, an invoice of another currency): staff decide."""
    applied = record.stored.applied or {}
    return record.stored.status == "matched" and applied.get("outcome") == "refused"


def _candidate(record: BankLineRecord, decision: Decision) -> Candidate | None:
    amount = record.stored.line.amount
    if decision.action == "ignore":
        return None
    if decision.action == "confirm":
        suggestions = record.stored.match.suggestions if record.stored.match else ()
        n = decision.candidate or 0
        if not 1 <= n <= len(suggestions):
            raise BusinessRuleError(
                f"candidate must be one of the line's {len(suggestions)} suggestions (1 = the best)",
                details=[{"field": "candidate", "reason": f"1..{len(suggestions)}"}],
            )
        return suggestions[n - 1]
    if amount <= 0:
        raise BusinessRuleError("money going out of the account pays no invoice; confirm a return or ignore it")
    if decision.action == "credit":
        if not decision.customer_id:
            raise BusinessRuleError("name the customer whose credit it is", details=[{"field": "customer_id"}])
        return Candidate(
            MatchTarget.ACCOUNT_CREDIT, 100, ("held as credit by staff",), customer_id=decision.customer_id
        )
    if decision.action == "split":
        total = sum(a.amount for a in decision.allocations)
        if not decision.allocations or total > amount:
            raise BusinessRuleError(
                f"the allocations must add up to at most the line's {amount}",
                details=[{"field": "allocations", "reason": f"sum {total} > {amount}"}],
            )
        if total < amount and not decision.customer_id:
            raise BusinessRuleError(
                f"{amount - total} is left over: name the customer who holds it as credit",
                details=[{"field": "customer_id", "reason": "required when the allocations are less than the line"}],
            )
        return Candidate(
            MatchTarget.INVOICES, 100, ("split by staff",), customer_id=decision.customer_id,
            allocations=decision.allocations,
        )  # fmt: skip
    raise BusinessRuleError(f"action must be one of {', '.join(ACTIONS)}")


def _apply(
    record: BankLineRecord,
    candidate: Candidate | None,
    decision: Decision,
    *,
    actor: str,
    services: BankLineServices,
    now: datetime,
) -> AppliedLine | None:
    if candidate is None:
        services.queue.record_applied(record.line_key, {"outcome": "ignored", "note": decision.note}, at=now)
        return None
    account = next((a for a in services.accounts if a.account_id == record.stored.account_id), None)
    if account is None:
        raise NotFoundError(f"bank account {record.stored.account_id} is not configured any more")
    applied = apply_candidate(
        candidate, record.stored.line, file_id=record.stored.file_id, account=account, now=now,
        services=services.application, actor=actor, credit_customer=decision.customer_id,
    )  # fmt: skip
    services.queue.record_applied(record.line_key, applied.as_record(), at=now)
    return applied


def _complete(record: BankLineRecord, services: BankLineServices, now: datetime) -> None:
    """A decision claimed by a request that stopped before applying it: applied now (idempotent per line key)."""
    if record.stored.applied is not None or record.decision is None:
        return
    decision = decision_of(record.decision)
    by = str(record.decision.get("by", ""))
    _apply(record, _candidate(record, decision), decision, actor=by, services=services, now=now)


def decision_of(raw: Mapping[str, Any]) -> Decision:
    allocations = tuple(
        Allocation(invoice_id=str(a["invoice_id"]), customer_id=str(a["customer_id"]), amount=int(a["amount"]))
        for a in raw.get("allocations") or ()
    )
    candidate = raw.get("candidate")
    return Decision(
        action=str(raw["action"]), candidate=int(candidate) if candidate is not None else None,
        allocations=allocations, customer_id=raw.get("customer_id"), note=str(raw.get("note") or ""),
    )  # fmt: skip


def _learn(record: BankLineRecord, candidate: Candidate, services: BankLineServices, now: datetime) -> None:
    name = record.stored.line.payer_name
    if not name:
        return
    for customer_id in _customers(candidate):
        services.aliases.learn(name, customer_id, at=now)


def _customers(candidate: Candidate) -> Sequence[str]:
    named = [a.customer_id for a in candidate.allocations] + ([candidate.customer_id] if candidate.customer_id else [])
    return list(dict.fromkeys(named))
