"""DynamoDB implementation of ``arportal.services.workflow.WorkflowStore`` (the ledger table).

Approval requests live at ``PK=APPROVAL#<id>, SK=APPROVAL`` with the task token that resumes their execution.
While pending they carry ``OPK=APPROVALS#PENDING`` / ``OSK=<created_at>#<id>`` so the staff console can list
them from the sparse OpenItems index; a decision removes both, and the token.

(This adapter belongs beside the other DynamoDB adapters in ``arportal/adapters/dynamodb``; it lives with its
only caller until the layer's owner moves it.)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, items, keys
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.keys import PENDING_APPROVALS, approval_key
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY
from arportal.domain.errors import ConflictError
from arportal.domain.models import Approval, Payment, StatusChange
from arportal.domain.status import ApprovalStatus, PaymentStatus
from arportal.ports import SettlementCandidate


def _payment_key(candidate: SettlementCandidate) -> dict[str, str]:
    pk = keys.customer_pk(candidate.customer_id) if candidate.customer_id else "GUEST"
    return {"PK": pk, "SK": keys.payment_sk(candidate.payment_id)}


class DynamoWorkflowStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # --- payments -----------------------------------------------------------------------------------------

    def posted_payments(self, day: date, *, limit: int) -> list[Payment]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :day",
            "FilterExpression": "#type = :payment AND #status IN (:posted, :partly)",
            "ExpressionAttributeNames": {"#status": "status", "#type": "type"},
            "ExpressionAttributeValues": {
                ":day": {"S": keys.activity_day_pk(day)},
                ":payment": {"S": "payment"},
                ":posted": {"S": PaymentStatus.POSTED.value},
                ":partly": {"S": PaymentStatus.PARTIALLY_REFUNDED.value},
            },
        }
        found: list[Payment] = []
        while len(found) < limit:
            with translated("payments of the day"):
                response = client("dynamodb").query(**request)
            for raw in response.get("Items", []):
                payment = items.from_item(codec.deserialize(raw), Payment)
                # A payment refunded in part after it settled is partially_refunded too: it settled already.
                if payment.changed_at(PaymentStatus.SETTLED) is None:
                    found.append(payment)
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit]

    def append_status(self, payment: SettlementCandidate, change: StatusChange, *, expected: PaymentStatus) -> bool:
        try:
            with translated("payment status"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(_payment_key(payment)),
                    UpdateExpression="SET #status = :status, #history = list_append(#history, :change), "
                    "#version = #version + :one",
                    ConditionExpression="#status = :expected",
                    ExpressionAttributeNames={"#status": "status", "#history": "history", "#version": "version"},
                    ExpressionAttributeValues={
                        ":status": codec.value(change.status.value),
                        ":change": codec.value([change.model_dump(mode="json", exclude_none=True)]),
                        ":one": codec.value(1),
                        ":expected": codec.value(expected.value),
                    },
                )
        except ConflictError:
            return False
        return True

    def payment_status(self, payment: SettlementCandidate) -> PaymentStatus | None:
        with translated("payment status"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(_payment_key(payment)),
                ProjectionExpression="#status",
                ExpressionAttributeNames={"#status": "status"},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return PaymentStatus(item["status"]["S"]) if item else None

    # --- approvals ----------------------------------------------------------------------------------------

    def save_approval_request(self, approval: Approval, *, task_token: str, expires_at: datetime) -> None:
        fields = {
            **approval.model_dump(mode="json", exclude_none=True),
            "type": "approval",
            "task_token": task_token,
            "expires_on": expires_at.isoformat(),  # not "expires_at": that name is the table's TTL attribute
            "OPK": PENDING_APPROVALS,
            "OSK": f"{approval.created_at.isoformat()}#{approval.approval_id}",
        }
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":f{i}": codec.value(items.plain(value)) for i, value in enumerate(fields.values())}
        values[":pending"] = codec.value(ApprovalStatus.PENDING.value)
        with translated("approval request"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(approval_key(approval.approval_id)),
                UpdateExpression="SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))),
                # A retried request refreshes the token; a decided approval is never reopened.
                ConditionExpression="attribute_not_exists(PK) OR #status = :pending",
                ExpressionAttributeNames={**names, "#status": "status"},
                ExpressionAttributeValues=values,
            )

    def set_approval_status(
        self,
        approval_id: str,
        *,
        expected: ApprovalStatus,
        status: ApprovalStatus,
        at: datetime,
        decided_by: str | None = None,
        note: str | None = None,
    ) -> bool:
        assignments = ["#status = :status", "decided_at = :at"]
        values: dict[str, Any] = {
            ":status": codec.value(status.value),
            ":at": codec.value(at.isoformat()),
            ":expected": codec.value(expected.value),
        }
        if decided_by:
            assignments.append("decided_by = :by")
            values[":by"] = codec.value(decided_by)
        if note:
            assignments.append("decision_note = :note")
            values[":note"] = codec.value(note)
        try:
            with translated("approval decision"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(approval_key(approval_id)),
                    UpdateExpression="SET " + ", ".join(assignments) + " REMOVE task_token, OPK, OSK",
                    ConditionExpression="#status = :expected",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues=values,
                )
        except ConflictError:
            return False
        return True

    def approval_status(self, approval_id: str) -> ApprovalStatus | None:
        with translated("approval"):
            response = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(approval_key(approval_id)), ConsistentRead=True
            )
        item = response.get("Item")
        return ApprovalStatus(item["status"]["S"]) if item else None
