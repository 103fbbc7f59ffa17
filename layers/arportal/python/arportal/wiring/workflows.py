"""What the Task states of the payment_retry, approval and settlement machines use (``functions/workflow_tasks``),
each built once per container from the settings.

Only what the machines alone use is built here: the settlement store, the approval machine's own writes on an
approval and the carrying out of an approved request. What they share with other functions comes from ``stores``:
the processor a charge attempt uses, the schedules and the ledger a scheduled charge posts to, its receipt, and
the staff action services an approved refund, void or reversal runs on (the console runs the same ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.approvals import DynamoApprovalWorkflowStore
    from arportal.adapters.dynamodb.payout_settlement import DynamoPayoutSettlement
    from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore
    from arportal.adapters.settlement_metrics import PowertoolsSettlementMetrics
    from arportal.services.approvals import ApprovedExecutor


@built_once
def settlement_store() -> DynamoSettlementStore:
    """A day's payments that have not settled yet, and the conditional write that settles each."""
    from arportal.adapters.dynamodb.settlement_store import DynamoSettlementStore

    return DynamoSettlementStore(settings().ledger_table)


@built_once
def approval_workflow_store() -> DynamoApprovalWorkflowStore:
    """The approval machine's writes on an approval: its task token, then approved, rejected or expired."""
    from arportal.adapters.dynamodb.approvals import DynamoApprovalWorkflowStore

    return DynamoApprovalWorkflowStore(settings().ledger_table)


@built_once
def approved_actions() -> ApprovedExecutor:
    """Carries out an approved refund, void, reversal, adjustment or write-off, as the console does one at once."""
    from arportal.services.approvals import ApprovedExecutor
    from arportal.wiring import stores

    return ApprovedExecutor(stores.approval_store(), stores.staff_action_services())


@built_once
def payout_settlement() -> DynamoPayoutSettlement:
    """Settlement from the processor's payouts: cursor, payment lookups, the settling transaction, payout lines,
    reconciliation items and payouts."""
    from arportal.adapters.dynamodb.payout_settlement import DynamoPayoutSettlement

    return DynamoPayoutSettlement(settings().ledger_table, settings().audit_table)


@built_once
def settlement_metrics() -> PowertoolsSettlementMetrics:
    from arportal.adapters.settlement_metrics import PowertoolsSettlementMetrics

    return PowertoolsSettlementMetrics()
