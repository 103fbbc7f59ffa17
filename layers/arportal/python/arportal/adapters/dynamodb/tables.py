"""The one definition of every DynamoDB table and index.

CDK (``infrastructure/constructs/data.py``) and the local runtime (``local/resources.py``) both build their
tables from ``TABLES``, so the deployed schema and the local one cannot drift. Repositories name indexes
through the constants below, never by string literal.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition_key: str
    sort_key: str | None
    purpose: str


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    partition_key: str
    sort_key: str | None
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    stream: bool = False
    purpose: str = ""
    all_string_keys: bool = field(default=True)

    def key_attributes(self) -> list[str]:
        names = [self.partition_key] + ([self.sort_key] if self.sort_key else [])
        for index in self.indexes:
            names.append(index.partition_key)
            if index.sort_key:
                names.append(index.sort_key)
        return list(dict.fromkeys(names))


BY_EXTERNAL_KEY = "ByExternalKey"
BY_ACTIVITY_DAY = "ByActivityDay"
BY_DUE_DATE = "ByDueDate"
OPEN_ITEMS = "OpenItems"
BY_NAME = "ByName"
BY_PARENT = "ByParent"

LEDGER = TableSpec(
    logical_id="Ledger",
    partition_key="PK",
    sort_key="SK",
    stream=True,  # the outbox relay reads new OUTBOX# items from the stream
    ttl_attribute="expires_at",
    purpose="Single-table ledger: a customer's partition holds everything about that customer",
    indexes=(
        IndexSpec(
            BY_EXTERNAL_KEY,
            "XK",
            "XSK",
            "Invoice no., receipt no., transaction id, account no. -> the owning item (one Query)",
        ),
        IndexSpec(
            BY_ACTIVITY_DAY,
            "DAYPK",
            "DAYSK",
            "Payments by day (filters: department, channel, terminal, status); settlement batches; every outbox "
            "event by id under EVENTS (the event feed); a customer's invoices by issue date under ISSUED#CUST#<id>",
        ),
        IndexSpec(BY_DUE_DATE, "DUEPK", "DUESK", "Open invoices and instalments by due date (reminders, autopay)"),
        IndexSpec(
            OPEN_ITEMS,
            "OPK",
            "OSK",
            "Sparse: a customer's live items (profile, accounts, open invoices, credit, schedules) for the dashboard; "
            "the events about payments by id under EVENTS#payment",
        ),
        IndexSpec(BY_NAME, "NPK", "NSK", "Staff search by name, email or phone prefix"),
        IndexSpec(
            BY_PARENT,
            "PPK",
            "PSK",
            "Items listed under a record: a customer's invoices by due date (a page of the portal's list per Query), "
            "an invoice's allocations and credit entries, a receipt's PDF documents; the payments standing pending "
            "or failed under EXCEPTIONS#<currency>#<status> (the exceptions report's lists)",
        ),
    ),
)

AUDIT = TableSpec(
    logical_id="Audit",
    partition_key="PK",
    sort_key="SK",
    stream=True,  # exported to the Object Lock bucket
    purpose="Append-only, hash-chained audit records of every staff action and money movement",
    indexes=(IndexSpec("ByActor", "ACTOR", "SK", "What one staff member did, in order"),),
)

IDEMPOTENCY = TableSpec(
    logical_id="Idempotency",
    partition_key="id",
    sort_key=None,
    ttl_attribute="expiration",
    purpose="Powertools idempotency records (Idempotency-Key header)",
)

DUE = "Due"
HELD = "Held"

# Not in the ledger: delivery logs are many and short-lived, and the ledger's stream feeds the outbox pipe
# (adapters/dynamodb/webhook_items.py draws the layout).
WEBHOOKS = TableSpec(
    logical_id="Webhooks",
    partition_key="PK",
    sort_key="SK",
    ttl_attribute="expires_at",
    purpose="Webhook endpoints, their deliveries and the attempt log (attempts expire after 30 days)",
    indexes=(
        IndexSpec(DUE, "DPK", "DSK", "Sparse: pending deliveries by their next attempt time (the retry sweep)"),
        IndexSpec(HELD, "HPK", "HSK", "Sparse: held deliveries of each switched-off endpoint (released on enable)"),
    ),
)

TABLES: tuple[TableSpec, ...] = (LEDGER, AUDIT, IDEMPOTENCY, WEBHOOKS)
