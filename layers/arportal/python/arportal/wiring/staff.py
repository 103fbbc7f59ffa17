"""The staff console's adapters (``functions/staff_api``), each built once per container from the settings.

Only what the console alone reads or writes is built here: its read models of a customer and of a payment, the
activity index, the interactions it logs, the audit trail it shows and the departments' balance connectors. What
it shares with other functions (the staff action store, the approvals, the processor, the receipts, the staff
action services the approval machine also runs) comes from ``stores``; taking a payment from ``wiring.payments``.

The console's list routes bind their cursors to the keys storage describes (``cursors``), so they check a cursor
handed back without knowing what a key looks like.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.cognito_admins import CognitoStaffDirectory
    from arportal.adapters.dynamodb.audit import DynamoAuditTrail
    from arportal.adapters.dynamodb.reports import DynamoActivity
    from arportal.adapters.dynamodb.staff_commands import DynamoInteractionStore
    from arportal.adapters.dynamodb.staff_cursors import StaffListCursors
    from arportal.adapters.dynamodb.staff_queries import DynamoStaffQueries
    from arportal.services.balances import ChooserFactory


@built_once
def queries() -> DynamoStaffQueries:
    """A customer's whole record and its lists, a payment's status and trail, prefix search, pending approvals."""
    from arportal.adapters.dynamodb.staff_queries import DynamoStaffQueries

    s = settings()
    return DynamoStaffQueries(s.ledger_table, s.audit_table)


@built_once
def activity() -> DynamoActivity:
    """The activity index (ByActivityDay): payments by day, and the reports' days."""
    from arportal.adapters.dynamodb.reports import DynamoActivity

    return DynamoActivity(settings().ledger_table)


@built_once
def interaction_store() -> DynamoInteractionStore:
    from arportal.adapters.dynamodb.staff_commands import DynamoInteractionStore

    s = settings()
    return DynamoInteractionStore(s.ledger_table, s.audit_table)


@built_once
def audit_trail() -> DynamoAuditTrail:
    from arportal.adapters.dynamodb.audit import DynamoAuditTrail

    return DynamoAuditTrail(settings().audit_table)


@built_once
def balance_sources() -> ChooserFactory:
    """The connector of each department (``BALANCE_SOURCES``), given its last known answers and open invoices."""
    from arportal.adapters.balances import sources_for

    return sources_for(settings())


@built_once
def cursors() -> StaffListCursors:
    """The keys each of the console's lists can start a page after, so its routes bind and check their cursors."""
    from arportal.adapters.dynamodb.staff_cursors import StaffListCursors

    return StaffListCursors()


@built_once
def staff_directory() -> CognitoStaffDirectory:
    """The staff pool's people, by role group: invitations and the staff list (admins)."""
    from arportal.adapters.cognito_admins import CognitoStaffDirectory
    from arportal.domain.permissions import Role

    return CognitoStaffDirectory(settings().staff_pool_id, [role.value for role in Role])
