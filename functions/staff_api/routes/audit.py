"""Staff routes: follow one entity's audit trail, and see that its hash chain verifies."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.permissions import Permission
from arportal.services import audit
from arportal.wiring import staff
from staff_api.schemas import AuditOut, VerificationOut

router = new_router()
# '<type>:<id>', the id as our ids are written: '#' (our keys' delimiter) or any other character is a 422, never
# a lookup of some other key that answers an empty "verified" trail.
ENTITY_PATTERN = r"^[a-z_]{3,20}:[A-Za-z0-9_-]{3,64}$"


@router.get("/v1/staff/audit", tags=["staff"], summary="One entity's audit trail, oldest first, with its verification")
def get_audit(
    entity: Annotated[
        str,
        Query(min_length=5, max_length=90, pattern=ENTITY_PATTERN, description="e.g. payment:pay_01J..."),
    ],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditOut:
    require_staff(current_caller(router), Permission.AUDIT_READ)
    history = audit.entity_history(staff.audit_trail(), entity, limit=limit)
    v = history.verification
    return AuditOut(
        entity_type=history.entity_type,
        entity_id=history.entity_id,
        records=[{k: val for k, val in r.items() if k not in {"PK", "SK", "ACTOR"}} for r in history.records],
        verification=VerificationOut(ok=v.ok, records=v.records, problems=v.problems),
    )
