import pytest

from arportal.domain.permissions import Permission, Role, can, roles_from_groups

P = Permission
# The matrix as the agency would read it: who may do what.
MATRIX = {
    P.CUSTOMERS_READ: {Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ADMIN},
    P.PAYMENTS_TAKE: {Role.AGENT, Role.SUPERVISOR},
    P.PAYMENTS_REFUND: {Role.AGENT, Role.SUPERVISOR},
    P.PAYMENTS_VOID: {Role.AGENT, Role.SUPERVISOR},
    P.PAYMENTS_REVERSE: {Role.SUPERVISOR, Role.FINANCE},
    P.EXCEPTIONS_REQUEST: {Role.AGENT, Role.SUPERVISOR, Role.FINANCE},
    P.ADJUSTMENTS_CREATE: {Role.SUPERVISOR, Role.FINANCE},
    P.APPROVALS_DECIDE: {Role.SUPERVISOR, Role.FINANCE},
    P.INTERACTIONS_WRITE: {Role.AGENT, Role.SUPERVISOR},
    P.RECEIPTS_SEND: {Role.AGENT, Role.SUPERVISOR},
    P.AUDIT_READ: {Role.SUPERVISOR, Role.FINANCE, Role.ADMIN},
    P.REPORTS_READ: {Role.SUPERVISOR, Role.FINANCE, Role.ADMIN},
    P.ADMIN_USERS: {Role.ADMIN},
    P.STAFF_INVITE: {Role.ADMIN},
    P.INTEGRATIONS_MANAGE: {Role.ADMIN},
    P.FINANCE_READ: {Role.SUPERVISOR, Role.FINANCE, Role.ADMIN},
    P.FINANCE_MANAGE: {Role.FINANCE, Role.ADMIN},
    P.DRAWER_CLOSE: {Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ADMIN},
}


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(Role))
def test_role_permission_matrix(role, permission):
    assert can(frozenset({role}), permission) is (role in MATRIX[permission])


def test_unknown_groups_grant_nothing():
    assert roles_from_groups(["agent", "superuser", "Admin"]) == frozenset({Role.AGENT})
    assert not can(frozenset(), P.CUSTOMERS_READ)
