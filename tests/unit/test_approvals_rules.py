"""The approval rule table, as a matrix: action x role x amount (at, below and above the threshold)."""

from __future__ import annotations

import pytest

from arportal.domain.approvals import StaffAction, may_decide, needs_approval
from arportal.domain.permissions import Role

A, R = StaffAction, Role
THRESHOLD = 50_000
# Who acts without a second person at or below the threshold.
ACTS_DIRECTLY = {
    A.REFUND: {R.AGENT, R.SUPERVISOR},
    A.VOID: {R.AGENT, R.SUPERVISOR},
    A.REVERSAL: {R.SUPERVISOR, R.FINANCE},
    A.ADJUSTMENT: {R.SUPERVISOR, R.FINANCE},
    A.WRITE_OFF: {R.SUPERVISOR, R.FINANCE},
}


@pytest.mark.parametrize("amount", [1, THRESHOLD - 1, THRESHOLD, -THRESHOLD])
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(StaffAction))
def test_at_or_below_the_threshold_only_roles_without_the_permission_need_approval(action, role, amount):
    assert needs_approval(action, amount, frozenset({role}), THRESHOLD) is (role not in ACTS_DIRECTLY[action])


@pytest.mark.parametrize("amount", [THRESHOLD + 1, -(THRESHOLD + 1), 10**9])
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(StaffAction))
def test_above_the_threshold_everyone_needs_approval(action, role, amount):
    assert needs_approval(action, amount, frozenset({role}), THRESHOLD) is True


def test_an_agent_cannot_refund_above_the_threshold_without_approval():
    assert needs_approval(A.REFUND, THRESHOLD, frozenset({R.AGENT}), THRESHOLD) is False
    assert needs_approval(A.REFUND, THRESHOLD + 1, frozenset({R.AGENT}), THRESHOLD) is True


def test_no_role_at_all_always_needs_approval():
    assert all(needs_approval(action, 1, frozenset(), THRESHOLD) for action in StaffAction)


@pytest.mark.parametrize(("roles", "allowed"), [({R.SUPERVISOR}, True), ({R.FINANCE}, True), ({R.AGENT}, False)])
def test_deciders_hold_the_permission_and_never_decide_their_own_request(roles, allowed):
    assert may_decide(frozenset(roles), requested_by="staff:a", decider="staff:b") is allowed
    assert may_decide(frozenset(roles), requested_by="staff:b", decider="staff:b") is False
