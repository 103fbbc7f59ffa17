"""Who may do what. Staff roles come from Cognito groups; each route names the permission it needs.

A customer is not a role here: customers reach only their own records, which the portal services enforce
by taking the customer id from the verified token and never from the request.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    CUSTOMERS_READ = "customers.read"
    PAYMENTS_TAKE = "payments.take"
    PAYMENTS_REFUND = "payments.refund"
    PAYMENTS_VOID = "payments.void"
    PAYMENTS_REVERSE = "payments.reverse"
    # Ask for any refund, void, reversal, adjustment or write-off: done at once by a role holding the action's own
    # permission (within the threshold), otherwise filed for approval (domain/approvals.py).
    EXCEPTIONS_REQUEST = "exceptions.request"
    ADJUSTMENTS_CREATE = "adjustments.create"
    APPROVALS_DECIDE = "approvals.decide"
    INTERACTIONS_WRITE = "interactions.write"
    RECEIPTS_SEND = "receipts.send"
    AUDIT_READ = "audit.read"
    REPORTS_READ = "reports.read"
    ADMIN_USERS = "admin.users"
    # Invite a person to the staff console in a role (Cognito emails them a temporary password).
    STAFF_INVITE = "staff.invite"
    # List the connected systems' app clients and rotate their secrets (domain/integration_scopes.py).
    INTEGRATIONS_MANAGE = "integrations.manage"
    # The money trail (issue 14): read payouts, deposits, journals, the close and reconciliation items; manage them
    # (confirm a deposit, close a drawer or a day, mark a journal imported, work a reconciliation item).
    FINANCE_READ = "finance.read"
    FINANCE_MANAGE = "finance.manage"
    # Close a counter drawer (count it, make its deposit) and print the deposit slip: the cashier closes their own
    # drawer at the end of a shift, so every role that works or oversees a counter has it.
    DRAWER_CLOSE = "drawer.close"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FINANCE = "finance"
    ADMIN = "admin"


P = Permission
_AGENT = frozenset(
    {
        P.CUSTOMERS_READ,
        P.PAYMENTS_TAKE,
        P.PAYMENTS_REFUND,
        P.PAYMENTS_VOID,
        P.EXCEPTIONS_REQUEST,
        P.INTERACTIONS_WRITE,
        P.RECEIPTS_SEND,
        P.DRAWER_CLOSE,
    }
)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: _AGENT,
    Role.SUPERVISOR: _AGENT
    | {P.PAYMENTS_REVERSE, P.ADJUSTMENTS_CREATE, P.APPROVALS_DECIDE, P.AUDIT_READ, P.REPORTS_READ, P.FINANCE_READ},
    Role.FINANCE: frozenset(
        {
            P.CUSTOMERS_READ,
            P.EXCEPTIONS_REQUEST,
            P.PAYMENTS_REVERSE,
            P.ADJUSTMENTS_CREATE,
            P.APPROVALS_DECIDE,
            P.AUDIT_READ,
            P.REPORTS_READ,
            P.FINANCE_READ,
            P.FINANCE_MANAGE,
            P.DRAWER_CLOSE,
        }
    ),
    Role.ADMIN: frozenset(
        {
            P.CUSTOMERS_READ,
            P.AUDIT_READ,
            P.REPORTS_READ,
            P.ADMIN_USERS,
            P.STAFF_INVITE,
            P.INTEGRATIONS_MANAGE,
            P.FINANCE_READ,
            P.FINANCE_MANAGE,
            P.DRAWER_CLOSE,
        }
    ),
}


def roles_from_groups(groups: list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Known Cognito group names become roles; unknown groups grant nothing."""
    return frozenset(Role(g) for g in groups if g in Role._value2member_map_)


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted = granted | ROLE_PERMISSIONS[role]
    return granted


def can(roles: frozenset[Role], permission: Permission) -> bool:
    return permission in permissions_of(roles)
