"""Reading the audit trail: one entity's history, with the chain's verification beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from arportal.domain.audit_chain import Verification
from arportal.domain.errors import BusinessRuleError
from arportal.ports import AuditReader

AUDITED_ENTITIES = frozenset(
    {"payment", "invoice", "customer", "approval", "refund", "adjustment", "interaction", "integration_client"}
    # webhook endpoints: created, changed, rotated, replayed, test-sent (services/webhook_endpoints.py)
    | {"webhook_endpoint"}
    # what connected systems load (services/source_loads.py): each record's own chain
    | {"account", "credit_note", "sales_order", "document"}
    # GL journal batches (services/journal_batches.py): each batch's file hashes and control totals
    | {"journal"}
    # the money trail's hand-made steps: a drawer's closes (services/drawer_close.py), a day's close
    # (services/daily_close.py), deposits confirmed and reconciliation items resolved (services/finance_settlement.py)
    | {"drawer", "daily_close", "payout", "reconciliation_item"}
    # staff invitations (services/staff_members.py), by the person's Cognito sub
    | {"staff_member"}
)
_ENTITY = re.compile(r"^(?P<type>[a-z_]{3,20}):(?P<id>[A-Za-z0-9_#-]{3,64})$")


@dataclass(frozen=True)
class EntityHistory:
    entity_type: str
    entity_id: str
    records: list[dict[str, Any]]
    verification: Verification


def parse_entity(text: str) -> tuple[str, str]:
    """``payment:pay_01J...`` -> ("payment", "pay_01J..."); anything else is a clear 422."""
    match = _ENTITY.fullmatch(text.strip())
    if not match or match["type"] not in AUDITED_ENTITIES:
        raise BusinessRuleError(
            "entity must look like 'payment:<id>'",
            details=[{"field": "entity", "reason": f"one of {sorted(AUDITED_ENTITIES)} ':' id"}],
        )
    return match["type"], match["id"]


def entity_history(reader: AuditReader, entity: str, *, limit: int = 100) -> EntityHistory:
    entity_type, entity_id = parse_entity(entity)
    return EntityHistory(
        entity_type,
        entity_id,
        reader.history(entity_type, entity_id, limit=limit),
        reader.verify(entity_type, entity_id),
    )
