"""Staff actions: adjustments, the approvals that larger actions wait for, and the guard that applies each once.

    CUST#<id>          ADJ#<adjustment_id>   an adjustment or write-off (mapped in ``staff_actions``)
    APPROVAL#<id>      APPROVAL              an approval request; OPK = APPROVALS#PENDING while it waits for a decision
    ACTKEY#<digest>    ACTKEY                claimed in the transaction of a staff action (no TTL)

ByActivityDay partition APPROVALS, DAYSK = <created_at>#<id>, lists every approval: the queue.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

ADJUSTMENT_PREFIX = "ADJ#"
PENDING_APPROVALS = "APPROVALS#PENDING"  # OPK of approvals while they wait for a decision
APPROVALS_LIST = "APPROVALS"  # ByActivityDay partition of every approval, DAYSK = <created_at>#<id>: the queue


def adjustment_sk(adjustment_id: str) -> str:
    return f"{ADJUSTMENT_PREFIX}{adjustment_id}"


def staff_action_guard_key(scope: str, idempotency_key: str) -> dict[str, str]:
    """Claimed in the transaction of a staff action: one key (or one approval) applies its action once, ever."""
    digest = hashlib.sha256(f"{scope}\n{idempotency_key}".encode()).hexdigest()
    return {"PK": f"ACTKEY#{digest}", "SK": "ACTKEY"}


def approval_key(approval_id: str) -> dict[str, str]:
    return {"PK": f"APPROVAL#{approval_id}", "SK": "APPROVAL"}


def approvals_list_sk(created_at: datetime, approval_id: str) -> str:
    return f"{created_at.isoformat()}#{approval_id}"
