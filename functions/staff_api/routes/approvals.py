"""Staff routes: the approvals queue and a second staff member's decision on a request."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from arportal import clock
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.api.pagination import DEFAULT_PAGE, MAX_PAGE, encode_cursor
from arportal.domain.permissions import Permission
from arportal.domain.status import ApprovalStatus
from arportal.services import approvals
from arportal.wiring import staff, stores
from staff_api.schemas_actions import ApprovalOut, ApprovalsPageOut, DecisionIn
from staff_api.schemas_common import list_start

router = new_router()
Status = Literal["pending", "approved", "rejected", "expired", "executed", "failed"]


@router.get(
    "/v1/staff/approvals",
    tags=["staff"],
    summary="The approvals queue, newest first (deciders see all; a requester sees their own)",
)
def list_approvals(
    status: Annotated[Status | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> ApprovalsPageOut:
    # Anyone who may file a request may list; what they see depends on approvals.decide.
    caller = require_staff(current_caller(router), Permission.CUSTOMERS_READ)
    start = list_start(cursor, staff.cursors().approvals_queue())
    page = approvals.queue(
        stores.approval_store(),
        status=ApprovalStatus(status) if status else None,
        actor=caller.actor,
        roles=caller.roles,
        limit=limit,
        start=start,
    )
    return ApprovalsPageOut(approvals=[ApprovalOut.of(a) for a in page.items], next_cursor=encode_cursor(page.next_key))


@router.post(
    "/v1/staff/approvals/<approvalId>/decision",
    tags=["staff"],
    summary="Approve or reject a pending request (not your own); the same decision again is answered again",
    responses={
        200: {
            "description": "Decided: the approval as it stands",
            "content": {"application/json": {"model": ApprovalOut}},
        },
        403: {"description": "`forbidden` (no approvals.decide) or `self_approval`"},
        404: {"description": "No such approval"},
        409: {"description": "`approval_not_pending`: it was decided, expired or carried out already"},
    },
)
def decide(
    approvalId: Annotated[str, Path(pattern=r"^apr_[0-9A-Za-z]{10,40}$")],
    body: Annotated[DecisionIn, Body()],
) -> ApprovalOut:
    caller = require_staff(current_caller(router), Permission.APPROVALS_DECIDE)
    decided = approvals.decide(
        approvalId,
        approvals.Decision(body.decision),
        note=body.note,
        actor=caller.actor,
        roles=caller.roles,
        store=stores.approval_store(),
        workflow=stores.approval_workflow(),
        now=clock.now(),
    )
    return ApprovalOut.of(decided.approval)
