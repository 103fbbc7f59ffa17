"""An audit record of its own: a change made outside the ledger table (in Cognito, say) appended to its entity's
hash chain in the audit table (``adapters/dynamodb/audit.py``).

Changes to the ledger put their audit record in their own transaction; a change elsewhere cannot, so its record
is one transaction of its own: the record and the chain head, conditioned on the head read. A concurrent append
to the same entity makes it read the head again and retry.
"""

from __future__ import annotations

from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import ConflictError
from arportal.domain.models import AuditEvent

ATTEMPTS = 5


class ChainedAuditLog:
    def __init__(self, audit_table: str) -> None:
        self.table = audit_table
        self.trail = DynamoAuditTrail(audit_table)

    def record(self, event: AuditEvent) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            uow = DynamoUnitOfWork(self.table)
            self.trail.append(uow, event, head=self.trail.head(event.entity_type, event.entity_id))
            try:
                uow.commit(f"record {event.action}")
                return
            except ConflictError:
                if attempt == ATTEMPTS:
                    raise
