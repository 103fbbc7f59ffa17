"""Approval requests: the item the approval machine waits on (``APPROVAL#<id>``), written by two sides.

- ``DynamoApprovalStore`` (``ports.ApprovalStore``), the staff side: the staff API files the item first, with the
  request to carry out, its audit record and the guard of the request's Idempotency-Key, in one transaction;
  then it starts the execution. Deciding claims the decision on it; carrying it out finishes it.
- ``DynamoApprovalWorkflowStore`` (``ports.ApprovalWorkflowStore``), the machine's side: its first Task
  (``save_approval_request``) adds the task token; once resumed or timed out it records approved, rejected or
  expired (``set_approval_status``), which removes the token and the pending-list keys.

The item carries:
- ``OPK = APPROVALS#PENDING`` while pending (the console's pending list, removed by the decision);
- ``DAYPK = APPROVALS`` / ``DAYSK = <created_at>#<id>`` for ever (ByActivityDay): the queue of every status,
  newest first, filtered on ``status`` (and ``requested_by``) by the query itself;
- ``decision`` / ``decision_by`` claimed by the first staff member who decides, before the machine is resumed,
  so two decisions cannot both resume it and a repeated decision is recognised.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, staff_action_items, table_layout
from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.staff_actions import action_guard_item
from arportal.adapters.dynamodb.tables import BY_ACTIVITY_DAY
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain.errors import ConflictError
from arportal.domain.models import Approval, AuditEvent
from arportal.domain.status import ApprovalStatus
from arportal.ports import AppliedAction, Page, StoredApproval

MAX_LIST_READS = 10  # a filtered page stops after this many index reads and hands back a cursor


class DynamoApprovalStore:
    def __init__(self, table_name: str, audit_table_name: str) -> None:
        self.table = table_name
        self.trail = DynamoAuditTrail(audit_table_name)

    def file(
        self,
        approval: Approval,
        request: dict[str, object],
        audit: AuditEvent,
        *,
        guard: tuple[str, str] | None = None,
    ) -> None:
        uow = DynamoUnitOfWork(self.table)
        if guard is not None:
            scope, key = guard
            uow.create(
                action_guard_item(scope, key, approval.approval_id, {AppliedAction.FILED: True, "status": "pending"})
            )
        uow.create(
            {
                **staff_action_items.approval_key(approval.approval_id),
                **approval.model_dump(mode="json", exclude_none=True),
                "type": "approval",
                "request": table_layout.plain(request),
                "OPK": staff_action_items.PENDING_APPROVALS,
                "OSK": f"{approval.created_at.isoformat()}#{approval.approval_id}",
                "DAYPK": staff_action_items.APPROVALS_LIST,
                "DAYSK": staff_action_items.approvals_list_sk(approval.created_at, approval.approval_id),
            }
        )
        self.trail.append(uow, audit, head=None)  # a new approval: its chain starts here
        uow.commit("file approval")

    def get(self, approval_id: str) -> StoredApproval | None:
        with translated("read approval"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(staff_action_items.approval_key(approval_id)),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return stored_approval(codec.deserialize(item)) if item else None

    def claim_decision(
        self, approval_id: str, *, decision: str, decided_by: str, note: str | None, audit: AuditEvent
    ) -> bool:
        uow = DynamoUnitOfWork(self.table)
        values: dict[str, Any] = {":decision": decision, ":by": decided_by, ":pending": ApprovalStatus.PENDING.value}
        sets = "decision = :decision, decision_by = :by"
        if note:
            sets += ", decision_note = :note"
            values[":note"] = note
        uow.update(
            staff_action_items.approval_key(approval_id),
            update_expression=f"SET {sets}",
            condition="#status = :pending AND attribute_not_exists(decision)",
            names={"#status": "status"},
            values=values,
        )
        self.trail.append(uow, audit, head=self.trail.head("approval", approval_id))
        try:
            uow.commit("claim approval decision")
        except ConflictError:
            return False
        return True

    def finish(
        self,
        approval_id: str,
        *,
        status: ApprovalStatus,
        outcome: dict[str, object],
        audit: AuditEvent,
        at: datetime,
    ) -> bool:
        uow = DynamoUnitOfWork(self.table)
        uow.update(
            staff_action_items.approval_key(approval_id),
            update_expression="SET #status = :status, outcome = :outcome, finished_at = :at",
            condition="#status = :approved",
            names={"#status": "status"},
            values={
                ":status": status.value,
                ":outcome": table_layout.plain(outcome),
                ":at": at.isoformat(),
                ":approved": ApprovalStatus.APPROVED.value,
            },
        )
        self.trail.append(uow, audit, head=self.trail.head("approval", approval_id))
        try:
            uow.commit("finish approval")
        except ConflictError:
            return False
        return True

    def listed(
        self, *, status: ApprovalStatus | None, requested_by: str | None, limit: int, start: dict[str, object] | None
    ) -> Page[StoredApproval]:
        """Newest first from the approvals partition of ByActivityDay, filtered by the query itself."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": BY_ACTIVITY_DAY,
            "KeyConditionExpression": "DAYPK = :list",
            "ExpressionAttributeValues": {":list": {"S": staff_action_items.APPROVALS_LIST}},
            "ScanIndexForward": False,
            "Limit": limit + 1,
        }
        filters, names = [], {}
        if status is not None:
            filters.append("#status = :status")
            names["#status"] = "status"
            request["ExpressionAttributeValues"][":status"] = {"S": status.value}
        if requested_by is not None:
            filters.append("requested_by = :me")
            request["ExpressionAttributeValues"][":me"] = {"S": requested_by}
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
        if names:
            request["ExpressionAttributeNames"] = names
        if start:
            request["ExclusiveStartKey"] = start  # a LastEvaluatedKey as DynamoDB gave it
        found: list[dict[str, Any]] = []
        last: dict[str, Any] | None = None
        for _ in range(MAX_LIST_READS):
            with translated("list approvals"):
                response = client("dynamodb").query(**request)
            found.extend(codec.deserialize(i) for i in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if len(found) > limit or last is None:
                break
            request["ExclusiveStartKey"] = last
        page = found[:limit]
        if len(found) > limit:
            tail = page[-1]
            next_key: dict[str, object] | None = codec.serialize({k: tail[k] for k in ("PK", "SK", "DAYPK", "DAYSK")})
        else:
            next_key = last
        return Page([stored_approval(i) for i in page], next_key)


class DynamoApprovalWorkflowStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def save_approval_request(self, approval: Approval, *, task_token: str, expires_at: datetime) -> None:
        fields = {
            **approval.model_dump(mode="json", exclude_none=True),
            "type": "approval",
            "task_token": task_token,
            "expires_on": expires_at.isoformat(),  # not "expires_at": that name is the table's TTL attribute
            "OPK": staff_action_items.PENDING_APPROVALS,
            "OSK": f"{approval.created_at.isoformat()}#{approval.approval_id}",
        }
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":f{i}": codec.value(table_layout.plain(value)) for i, value in enumerate(fields.values())}
        values[":pending"] = codec.value(ApprovalStatus.PENDING.value)
        with translated("approval request"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(staff_action_items.approval_key(approval.approval_id)),
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
                    Key=codec.serialize(staff_action_items.approval_key(approval_id)),
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
                TableName=self.table,
                Key=codec.serialize(staff_action_items.approval_key(approval_id)),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return ApprovalStatus(item["status"]["S"]) if item else None


_APPROVAL_FIELDS = frozenset(Approval.model_fields)


def stored_approval(item: dict[str, Any]) -> StoredApproval:
    body = {k: v for k, v in table_layout.plain(item).items() if k in _APPROVAL_FIELDS}
    request = item.get("request")
    outcome = item.get("outcome")
    return StoredApproval(
        approval=Approval.model_validate(body),
        request=dict(table_layout.plain(request)) if isinstance(request, dict) else None,
        task_token=str(item["task_token"]) if item.get("task_token") else None,
        decision=str(item["decision"]) if item.get("decision") else None,
        decision_by=str(item["decision_by"]) if item.get("decision_by") else None,
        outcome=dict(table_layout.plain(outcome)) if isinstance(outcome, dict) else None,
    )
