"""Which staff actions need a second person's approval: one rule table, pure.

The rule (``needs_approval``):
- money leaving above the agency's threshold (``amount > threshold``) always needs a supervisor's or finance's
  approval, whatever the requester's role: four eyes on every large refund, void, reversal, adjustment or
  write-off;
- at or below it, a requester who holds the action's own permission acts directly; one who does not (an agent
  asking for a reversal, an adjustment or a write-off) files a request that someone holding the permission
  ``approvals.decide`` decides.
The amount compared is the size of the change, so a credit adjustment of -500 weighs like a debit of 500.
"""

from __future__ import annotations

from enum import StrEnum

from arportal.domain.permissions import Permission, Role, permissions_of


class StaffAction(StrEnum):
    REFUND = "refund"
    VOID = "void"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"


ACTION_PERMISSION: dict[StaffAction, Permission] = {
    StaffAction.REFUND: Permission.PAYMENTS_REFUND,
    StaffAction.VOID: Permission.PAYMENTS_VOID,
    StaffAction.REVERSAL: Permission.PAYMENTS_REVERSE,
    StaffAction.ADJUSTMENT: Permission.ADJUSTMENTS_CREATE,
    StaffAction.WRITE_OFF: Permission.ADJUSTMENTS_CREATE,
}


def needs_approval(action: StaffAction, amount: int, roles: frozenset[Role], threshold: int) -> bool:
    """True when the action must wait for a second staff member's decision (see the module's rule)."""
    if abs(amount) > threshold:
        return True
    return ACTION_PERMISSION[action] not in permissions_of(roles)


def may_decide(roles: frozenset[Role], *, requested_by: str, decider: str) -> bool:
    """Whether ``decider`` may approve or reject a request: the permission, and never their own request."""
    return Permission.APPROVALS_DECIDE in permissions_of(roles) and requested_by != decider
