"""The customer portal's writes and key lookups: profile and email change, account linking, guest lookup, support.

Every write is conditional: a profile update needs the profile to exist, a login is recorded on a profile only
if no other login holds it, an email change is applied once and only with the code it was issued with, and a
support request is created once per Idempotency-Key (a guard item in the same transaction).
"""

from __future__ import annotations

from typing import Any

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import (
    codec,
    customer_items,
    entity_items,
    interaction_items,
    invoice_items,
    payment_items,
    request_items,
    table_layout,
)
from arportal.adapters.dynamodb.errors import translated
from arportal.adapters.dynamodb.outbox import outbox_item
from arportal.adapters.dynamodb.search_pointers import pointer_actions, sync_search_pointers
from arportal.adapters.dynamodb.tables import BY_EXTERNAL_KEY
from arportal.adapters.dynamodb.unit_of_work import DynamoUnitOfWork
from arportal.domain import event_entities
from arportal.domain.email_change import MAX_ATTEMPTS, PendingEmailChange
from arportal.domain.errors import ConflictError, NotFoundError
from arportal.domain.models import Account, Customer, Interaction, Invoice
from arportal.domain.search import SearchKind


class _Base:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    def get(self, customer_id: str) -> Customer | None:
        item = self._get_item(customer_items.profile_key(customer_id), "read profile")
        return entity_items.from_item(item, Customer) if item else None

    def _get_item(self, key: dict[str, str], operation: str, *, consistent: bool = False) -> dict[str, Any] | None:
        with translated(operation):
            response = client("dynamodb").get_item(
                TableName=self.table, Key=codec.serialize(key), ConsistentRead=consistent
            )
        item = response.get("Item")
        return codec.deserialize(item) if item else None

    def _by_external_key(self, kind: SearchKind, value: str) -> list[dict[str, Any]]:
        with translated("find by key"):
            response = client("dynamodb").query(
                TableName=self.table,
                IndexName=BY_EXTERNAL_KEY,
                KeyConditionExpression="XK = :xk AND XSK = :kind",
                ExpressionAttributeValues=codec.serialize(
                    {":xk": table_layout.external_key(value), ":kind": kind.value}
                ),
                Limit=2,  # one is the answer; two means the number is ambiguous, which no one may rely on
            )
        return [codec.deserialize(raw) for raw in response.get("Items", [])]


class DynamoProfileStore(_Base):
    def update_contact(self, customer_id: str, changes: dict[str, object]) -> Customer:
        sets = [f"#{name} = :{name}" for name, value in changes.items() if value is not None]
        removes = [f"#{name}" for name, value in changes.items() if value is None]
        expression = " ".join(
            [f"SET {', '.join(sets)}"] * bool(sets) + [f"REMOVE {', '.join(removes)}"] * bool(removes)
        )
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": codec.serialize(customer_items.profile_key(customer_id)),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeNames": {f"#{name}": name for name in changes},
            "ReturnValues": "ALL_NEW",
        }
        values = {f":{name}": value for name, value in changes.items() if value is not None}
        if values:
            request["ExpressionAttributeValues"] = codec.serialize(values)
        try:
            with translated("update profile"):
                response = client("dynamodb").update_item(**request)
        except ConflictError as exc:  # the only condition: there is no profile to update
            raise NotFoundError("no customer record is linked to this sign-in") from exc
        customer = entity_items.from_item(codec.deserialize(response["Attributes"]), Customer)
        # Right after, not in one transaction: UpdateItem returns the whole new profile the pointers are built
        # from, which a transaction would not; the sync is idempotent, so repeating the update repairs a failure.
        sync_search_pointers(self.table, customer)
        return customer

    def pending_email(self, customer_id: str) -> PendingEmailChange | None:
        item = self._get_item(customer_items.email_change_key(customer_id), "read email change", consistent=True)
        return customer_items.email_change_from_item(item) if item else None

    def save_pending_email(self, pending: PendingEmailChange) -> None:
        with translated("save email change"):
            client("dynamodb").put_item(
                TableName=self.table, Item=codec.serialize(customer_items.email_change_item(pending))
            )

    def count_wrong_code(self, pending: PendingEmailChange) -> None:
        try:
            with translated("count wrong code"):
                client("dynamodb").update_item(
                    TableName=self.table,
                    Key=codec.serialize(customer_items.email_change_key(pending.customer_id)),
                    UpdateExpression="ADD attempts :one",
                    ConditionExpression="code_hash = :hash",
                    ExpressionAttributeValues=codec.serialize({":one": 1, ":hash": pending.code_hash}),
                )
        except ConflictError:
            pass  # a newer change replaced this one meanwhile: its attempts are its own

    def confirm_email(self, pending: PendingEmailChange) -> None:
        # Deleting the pending change in the same transaction, conditioned on the code it was confirmed with,
        # makes a code single-use even when two confirmations race; the search pointers for the new email ride
        # in it too, built from the profile as read (the brief they carry is name, email, phone).
        profile = self._get_item(customer_items.profile_key(pending.customer_id), "read profile", consistent=True)
        if profile is None:
            raise NotFoundError("no customer record is linked to this sign-in")
        confirmed = entity_items.from_item(profile, Customer).model_copy(update={"email": pending.new_email})
        actions = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": codec.serialize(customer_items.profile_key(pending.customer_id)),
                    "UpdateExpression": "SET email = :email",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": codec.serialize({":email": pending.new_email}),
                }
            },
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": codec.serialize(customer_items.email_change_key(pending.customer_id)),
                    "ConditionExpression": "code_hash = :hash AND attempts < :max",
                    "ExpressionAttributeValues": codec.serialize({":hash": pending.code_hash, ":max": MAX_ATTEMPTS}),
                }
            },
            *pointer_actions(self.table, confirmed),
        ]
        with translated("confirm email"):
            client("dynamodb").transact_write_items(TransactItems=actions)


class DynamoLinkingStore(_Base):
    def account_by_number(self, account_number: str) -> Account | None:
        found = self._by_external_key(SearchKind.ACCOUNT_NUMBER, account_number)
        return entity_items.from_item(found[0], Account) if len(found) == 1 else None

    def invoice_by_number(self, invoice_number: str) -> Invoice | None:
        found = self._by_external_key(SearchKind.INVOICE_NUMBER, invoice_number)
        return entity_items.from_item(found[0], Invoice) if len(found) == 1 else None

    def claim_login(self, customer_id: str, login_subject: str) -> None:
        with translated("link login"):
            client("dynamodb").update_item(
                TableName=self.table,
                Key=codec.serialize(customer_items.profile_key(customer_id)),
                UpdateExpression="SET login_subject = :subject",
                ConditionExpression=(
                    "attribute_exists(PK) AND (attribute_not_exists(login_subject) OR login_subject = :subject)"
                ),
                ExpressionAttributeValues=codec.serialize({":subject": login_subject}),
            )


class DynamoGuestStore(_Base):
    def invoice_and_owner(self, invoice_number: str) -> tuple[Invoice | None, Customer | None]:
        found = self._by_external_key(SearchKind.INVOICE_NUMBER, invoice_number)
        invoice = entity_items.from_item(found[0], Invoice) if len(found) == 1 else None
        # The same second read either way: an unknown number must not answer faster than a wrong proof.
        key = customer_items.profile_key(invoice.customer_id) if invoice else customer_items.guest_decoy_key()
        item = self._get_item(key, "read payee")
        return invoice, entity_items.from_item(item, Customer) if item and invoice else None


class DynamoSupportStore(_Base):
    def owns(self, customer_id: str, *, invoice_id: str | None, payment_id: str | None) -> tuple[bool, bool]:
        pk = customer_items.customer_pk(customer_id)
        wanted = {
            name: {"PK": pk, "SK": sk}
            for name, sk in (
                ("invoice", invoice_items.invoice_sk(invoice_id) if invoice_id else None),
                ("payment", payment_items.payment_sk(payment_id) if payment_id else None),
            )
            if sk
        }
        if not wanted:
            return True, True
        request: dict[str, Any] = {
            self.table: {
                "Keys": [codec.serialize(k) for k in wanted.values()],
                "ProjectionExpression": "PK, SK",
            }
        }
        found: set[str] = set()
        while request:
            with translated("check ownership"):
                response = client("dynamodb").batch_get_item(RequestItems=request)
            found |= {raw["SK"]["S"] for raw in response.get("Responses", {}).get(self.table, [])}
            request = response.get("UnprocessedKeys") or {}
        return (
            "invoice" not in wanted or wanted["invoice"]["SK"] in found,
            "payment" not in wanted or wanted["payment"]["SK"] in found,
        )

    def record(self, interaction: Interaction, *, idempotency_key: str, fingerprint: str) -> None:
        uow = DynamoUnitOfWork(self.table)
        uow.create(
            {
                **request_items.support_guard_key(interaction.customer_id, idempotency_key),
                "type": "support_request_key",
                "customer_id": interaction.customer_id,
                "interaction_id": interaction.interaction_id,
                "fingerprint": fingerprint,
            }
        )
        uow.add_interaction(interaction)
        uow.create(
            outbox_item(
                "support_request.created",
                {
                    "customer_id": interaction.customer_id,
                    "interaction_id": interaction.interaction_id,
                    "invoice_id": interaction.invoice_id,
                    "payment_id": interaction.payment_id,
                },
                at=interaction.at,
                entity=event_entities.created("interaction", interaction.interaction_id),
            )
        )
        uow.commit("record support request")

    def recorded(self, customer_id: str, idempotency_key: str) -> tuple[str, Interaction] | None:
        guard = self._get_item(
            request_items.support_guard_key(customer_id, idempotency_key), "read key", consistent=True
        )
        if guard is None:
            return None
        sk = interaction_items.interaction_sk(str(guard["interaction_id"]))
        item = self._get_item(
            {"PK": customer_items.customer_pk(customer_id), "SK": sk}, "read request", consistent=True
        )
        return (str(guard["fingerprint"]), entity_items.from_item(item, Interaction)) if item else None
