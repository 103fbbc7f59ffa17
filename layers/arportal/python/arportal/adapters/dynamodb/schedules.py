"""Autopay enrolments and payment plans in the ledger table, the scheduled jobs' reads, and the notice log.

A schedule's item (``SCH#<id>``) is written with everything that guards or indexes it, in one transaction:
  autopay  ``AUTOPAY#<account>``   (create: one autopay per account; ByDueDate DUEPK=AUTOPAY#ENROLLED)
  plan     ``PLANINV#<invoice>``   (create: an invoice is in one active plan at most)
           ``INST#<id>#<nn>``      (ByDueDate DUEPK=DUE#<instalment date>, beside the invoices due that day)
  both     ``REQKEY#schedule#...`` (the Idempotency-Key claim) and a check that the payment method exists
Closing a schedule (cancelled, or a plan paid off) removes them again in one transaction.

The jobs read only by key or through the ByDueDate index: never a Scan.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    document_items,
    entity_items,
    invoice_items,
    payment_method_items,
    schedule_items,
    table_layout,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.payment_methods import Transaction, claim_key_condition, read_claim, request_token
from arportal.adapters.dynamodb.tables import BY_DUE_DATE
from arportal.domain.errors import ConflictError
from arportal.domain.models import Customer, Instalment, Invoice, SavedPaymentMethod, Schedule, ScheduleKind
from arportal.ports import AutopayEnrolment, DueItems, InstalmentDue, RequestClaim

_BATCH_GET = 100


class DynamoSchedules:
    """``ScheduleStore`` and ``DueItemsReader`` over the ledger table."""

    def __init__(self, table_name: str) -> None:
        self.table = table_name

    # --- one customer's schedules ------------------------------------------------------------------------------

    def schedule(self, customer_id: str, schedule_id: str) -> Schedule | None:
        with translated("read schedule"):
            response = client("dynamodb").get_item(
                TableName=self.table,
                Key=codec.serialize(
                    {"PK": customer_items.customer_pk(customer_id), "SK": schedule_items.schedule_sk(schedule_id)}
                ),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return entity_items.from_item(codec.deserialize(item), Schedule) if item else None

    def active_schedules(self, customer_id: str) -> list[Schedule]:
        request = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sch)",
            "FilterExpression": "active = :yes",
            "ExpressionAttributeValues": {
                ":pk": {"S": customer_items.customer_pk(customer_id)},
                ":sch": {"S": "SCH#"},
                ":yes": {"BOOL": True},
            },
            "ConsistentRead": True,
        }
        return [entity_items.from_item(i, Schedule) for i in self._query(request, "active schedules")]

    def claim(self, customer_id: str, scope: str, key: str) -> RequestClaim | None:
        return read_claim(self.table, customer_id, scope, key)

    def create(self, schedule: Schedule, *, claim: RequestClaim) -> None:
        pk = customer_items.customer_pk(schedule.customer_id)
        uow = Transaction(self.table, client_token=request_token())
        uow.create(entity_items.to_item(schedule))
        claim_key_condition(uow, claim, at=schedule.created_at)
        if schedule.payment_method_id:
            uow.require_present({"PK": pk, "SK": payment_method_items.payment_method_sk(schedule.payment_method_id)})
        if schedule.kind is ScheduleKind.AUTOPAY:
            uow.create(schedule_items.autopay_enrolment_item(schedule))
        for entry in schedule_items.instalment_due_items(schedule) if schedule.kind is ScheduleKind.PLAN else []:
            uow.create(entry)
        for invoice_id in schedule.invoice_ids:
            uow.create(schedule_items.plan_invoice_guard_item(schedule, invoice_id))
        uow.commit("create schedule")

    def close(self, schedule: Schedule, *, at: datetime) -> bool:
        pk = customer_items.customer_pk(schedule.customer_id)
        uow = Transaction(self.table, client_token=request_token())
        uow.update(
            {"PK": pk, "SK": schedule_items.schedule_sk(schedule.schedule_id)},
            update_expression="SET active = :no, closed_at = :at REMOVE OPK, OSK",
            condition="active = :yes",
            values={":no": False, ":yes": True, ":at": at.isoformat()},
        )
        # Deletes that need not find anything: schedules loaded by the seed or written before issue 4 have no such
        # items. An account's enrolment guard goes only if it is this schedule's (the seed's enrolments have
        # none, and the account may have been enrolled again since).
        if schedule.kind is ScheduleKind.AUTOPAY and self._guards_enrolment(schedule):
            uow.delete(
                {"PK": pk, "SK": schedule_items.autopay_enrolment_sk(schedule.account_number)},
                only_if=("schedule_id = :sid", {":sid": schedule.schedule_id}),
            )
        for number in range(1, len(schedule.instalments) + 1) if schedule.kind is ScheduleKind.PLAN else []:
            uow.delete({"PK": pk, "SK": schedule_items.instalment_sk(schedule.schedule_id, number)}, must_exist=False)
        for invoice_id in schedule.invoice_ids:
            uow.delete({"PK": pk, "SK": schedule_items.plan_invoice_sk(invoice_id)}, must_exist=False)
        try:
            uow.commit("close schedule")
        except ConflictError:
            return False
        return True

    def _guards_enrolment(self, schedule: Schedule) -> bool:
        key = {
            "PK": customer_items.customer_pk(schedule.customer_id),
            "SK": schedule_items.autopay_enrolment_sk(schedule.account_number),
        }
        with translated("read autopay enrolment"):
            found = client("dynamodb").get_item(TableName=self.table, Key=codec.serialize(key), ConsistentRead=True)
        return bool(found.get("Item", {}).get("schedule_id", {}).get("S") == schedule.schedule_id)

    def save_instalments(self, schedule: Schedule, instalments: Sequence[Instalment]) -> None:
        with translated("save instalments"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(
                    {
                        "PK": customer_items.customer_pk(schedule.customer_id),
                        "SK": schedule_items.schedule_sk(schedule.schedule_id),
                    }
                ),
                UpdateExpression="SET instalments = :instalments",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={
                    ":instalments": codec.value([i.model_dump(mode="json", exclude_none=True) for i in instalments])
                },
            )

    # --- the scheduled jobs' reads -----------------------------------------------------------------------------

    def autopay_enrolments(self) -> list[AutopayEnrolment]:
        request = {
            "TableName": self.table,
            "IndexName": BY_DUE_DATE,
            "KeyConditionExpression": "DUEPK = :enrolled",
            "ExpressionAttributeValues": {":enrolled": {"S": schedule_items.AUTOPAY_ENROLLED}},
        }
        return [
            AutopayEnrolment(
                schedule_id=str(i["schedule_id"]),
                customer_id=str(i["customer_id"]),
                account_number=str(i["account_number"]),
                days_before_due=int(i["days_before_due"]),
            )
            for i in self._query(request, "autopay enrolments")
        ]

    def due_on(self, day: date) -> DueItems:
        request = {
            "TableName": self.table,
            "IndexName": BY_DUE_DATE,
            "KeyConditionExpression": "DUEPK = :day",
            "ExpressionAttributeValues": {":day": {"S": table_layout.due_pk(day)}},
        }
        invoices: list[Invoice] = []
        instalments: list[InstalmentDue] = []
        for item in self._query(request, "due on a day"):
            if item.get("type") == "invoice":
                invoices.append(entity_items.from_item(item, Invoice))
            elif item.get("type") == "instalment_due":
                instalments.append(
                    InstalmentDue(
                        schedule_id=str(item["schedule_id"]),
                        customer_id=str(item["customer_id"]),
                        account_number=str(item["account_number"]),
                        number=int(item["number"]),
                        due_date=date.fromisoformat(str(item["due_date"])),
                        amount=int(item["amount"]),
                        currency=str(item["currency"]),
                    )
                )
        return DueItems(invoices, instalments)

    def plan_covered(self, invoices: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        wanted = [{"PK": customer_items.customer_pk(c), "SK": schedule_items.plan_invoice_sk(i)} for c, i in invoices]
        return {
            (str(customer_items.customer_id_from_pk(str(found["PK"]))), str(found["invoice_id"]))
            for found in self._get_many(wanted)
        }

    def schedules_by_key(self, keys_: Sequence[tuple[str, str]]) -> dict[str, Schedule]:
        wanted = [{"PK": customer_items.customer_pk(c), "SK": schedule_items.schedule_sk(s)} for c, s in keys_]
        found = (entity_items.from_item(i, Schedule) for i in self._get_many(wanted, consistent=True))
        return {s.schedule_id: s for s in found}

    def methods_by_key(self, keys_: Sequence[tuple[str, str]]) -> dict[str, SavedPaymentMethod]:
        wanted = [
            {"PK": customer_items.customer_pk(c), "SK": payment_method_items.payment_method_sk(m)} for c, m in keys_
        ]
        found = (entity_items.from_item(i, SavedPaymentMethod) for i in self._get_many(wanted))
        return {m.method_id: m for m in found}

    def invoices_by_key(self, keys_: Sequence[tuple[str, str]]) -> dict[str, Invoice]:
        wanted = [{"PK": customer_items.customer_pk(c), "SK": invoice_items.invoice_sk(i)} for c, i in keys_]
        found = (entity_items.from_item(i, Invoice) for i in self._get_many(wanted, consistent=True))
        return {i.invoice_id: i for i in found}

    def profiles(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        found = (
            entity_items.from_item(i, Customer)
            for i in self._get_many([customer_items.profile_key(c) for c in customer_ids])
        )
        return {c.customer_id: c for c in found}

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _query(self, request: dict[str, Any], operation: str) -> Iterator[dict[str, Any]]:
        while True:
            with translated(operation):
                response = client("dynamodb").query(**request)
            yield from (codec.deserialize(i) for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}

    def _get_many(self, wanted: Sequence[dict[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
        unique = list({(k["PK"], k["SK"]): k for k in wanted}.values())
        found: list[dict[str, Any]] = []
        for start in range(0, len(unique), _BATCH_GET):
            batch = [codec.serialize(k) for k in unique[start : start + _BATCH_GET]]
            pending: dict[str, Any] = {self.table: {"Keys": batch, "ConsistentRead": consistent}}
            while pending:
                with translated("batch read"):
                    response = client("dynamodb").batch_get_item(RequestItems=pending)
                found.extend(codec.deserialize(i) for i in response.get("Responses", {}).get(self.table, []))
                pending = response.get("UnprocessedKeys") or {}
        return found


class DynamoNoticeLog:
    """``NOTICE#<kind>#<subject>#<date>`` markers in the customer's partition, expiring after ``keep_until``."""

    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def claim(self, customer_id: str, kind: str, subject: str, due: date, *, at: datetime, keep_until: date) -> bool:
        expires = int(datetime.combine(keep_until, datetime.min.time(), tzinfo=at.tzinfo).timestamp())
        # The claim carries its own id: when the SDK retries a put whose answer was lost, the "already exists" it
        # then gets is our own claim, and the notice must still go out.
        claim_id = uuid.uuid4().hex
        item = {
            **document_items.notice_item(customer_id, kind, subject, due, sent_at=at, expires_at=expires),
            "claim_id": claim_id,
        }
        try:
            with translated("claim notice"):
                client("dynamodb").put_item(
                    TableName=self.table,
                    Item=codec.serialize(item),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except ConflictError:
            with translated("read notice claim"):
                found = (
                    client("dynamodb")
                    .get_item(
                        TableName=self.table,
                        Key=codec.serialize({"PK": item["PK"], "SK": item["SK"]}),
                        ConsistentRead=True,
                    )
                    .get("Item", {})
                )
            return bool(found.get("claim_id", {}).get("S") == claim_id)
        return True

    def release(self, customer_id: str, kind: str, subject: str, due: date) -> None:
        with translated("release notice"):
            client("dynamodb").delete_item(
                TableName=self.table,
                Key=codec.serialize(
                    {"PK": customer_items.customer_pk(customer_id), "SK": document_items.notice_sk(kind, subject, due)}
                ),
            )
