"""Seeding the local runtime: the demo agency (``seed_data``), loaded the way an agency's systems load theirs, and
its demo logins.

    summary = seed.load(env, seed=42)        # ~2,000 records through the integration API, the history, five users

    prepared = seed.prepare(seed=42)         # or: generate on a second core while the environment starts
    env.start(); seed.load(env, prepared=prepared)

The agency's own records (customers, accounts, invoices, credit notes, sales orders, and documents: property-tax
annual statements and a notice, real PDFs from ``seed_documents``) go **through the door**: the batch service the
``POST /v1/integrations/*:batch`` routes call (``arportal.wiring.integrations.load_batch``), in requests of at most
500 records and 1 MiB, as the connected system ``system:demo-seed`` on the channel ``integration``. So every
``make dev`` exercises the integration API, and each loaded record has its source state, audit trail and
``<kind>.loaded`` event, as one loaded by a real system has. A rejected record stops the seed (``SeedError``).
Those writes leave no stream records (``moto_patches.streams_paused``), as imported items leave none: the outbox
relay does not put thousands of ``*.loaded`` events on the bus at every start, nor does the audit exporter archive
the seed's audit records (the event feed still lists the events: it reads the outbox items themselves).

The payments of the demo history are the platform's own records, not the source's: departments, payments with
their allocations, receipts (their documents' PDFs rendered on first download, as the product's are) and
transaction pointers, autopay and plans. They are written as before, straight into the table
(``write="import"``, as DynamoDB's import from S3 would: ``moto_patches.import_items``, ~0.1 ms an item) or through
the APIs (``write="api"``: ``DynamoCustomerRecords.put_items`` at ~2 ms an item). They apply to the invoices the
door loaded: an allocation names the id the batch service derived, and once loaded, each invoice and credit note the
history paid or credited is read back and given the platform's figures (``paid``, ``credited``, ``balance``,
status; applications). Last, the demo login is linked to its profile, as the portal links a login.

Through the door, the batch service's adapters reach moto in this process (``seed_door``): the same reads and
transactions, without HTTP, botocore's validation and moto's JSON.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol

from arportal import clock
from arportal.adapters.dynamodb import customer_items, entity_items, source_items
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.api.request_guard import MAX_BODY_BYTES
from arportal.domain.models import CreditNote, Customer, Invoice
from arportal.domain.source_records import MAX_RECORDS, SourceKind
from local import moto_patches, seed_documents
from local.seed_data import DEMO_CUSTOMER_EMAIL, generate
from local.seed_receipts import receipt_documents
from local.seed_source import SEED_ACTOR, SourceBatch

if TYPE_CHECKING:
    from local.environment import LocalEnvironment

DEMO_STAFF: dict[str, tuple[str, ...]] = {
    "agent@demo.local": ("agent",),
    "supervisor@demo.local": ("supervisor",),
    "finance@demo.local": ("finance",),
    "admin@demo.local": ("admin",),
}
DEMO_LOGINS = (DEMO_CUSTOMER_EMAIL, *DEMO_STAFF)


DEFAULT_CUSTOMERS = 150  # loaded through the integration API at ~2 ms a record: see docs/local-runtime.md


class SeedError(RuntimeError):
    """The demo agency did not load: the integration API refused a record (its answer is in the message)."""


@dataclass(frozen=True)
class SeedSummary:
    seed: int
    counts: dict[str, int]  # records by type: what was loaded through the door and the platform's history
    demo_customer_id: str
    seconds: float
    loaded: dict[str, dict[str, int]] = field(default_factory=dict)  # per kind: created, updated, unchanged, ...

    @property
    def items(self) -> int:
        return sum(self.counts.values())

    @property
    def through_the_door(self) -> int:
        return sum(sum(outcomes.values()) for outcomes in self.loaded.values())


@dataclass(frozen=True)
class Prepared:
    """The generated agency, ready to load (picklable, so a worker process can make it)."""

    seed: int
    source: SourceBatch  # what the agency's systems load through the integration API, in load order
    items: list[dict[str, Any]]  # the platform's own records (the history), as items
    settled: list[Invoice | CreditNote]  # loaded records the history applied money to, with its figures
    counts: dict[str, int]
    demo_customer_id: str
    seconds: float


def generate_items(
    seed: int, customers: int, today: date | None, currency: str, agency_name: str | None = None
) -> Prepared:
    started = time.perf_counter()
    today = today or clock.today()
    if agency_name is None:
        from local.environment import deployment_config  # cdk.json's, as the local runtime reads it

        agency_name = deployment_config().agency_name
    with moto_patches.gc_paused():
        data = generate(seed, today=today, customers=customers, currency=currency)
        # Seeded payments have real receipts, as a payment taken through the product does: the record of each,
        # its PDF rendered on first download.
        data.records.extend(receipt_documents(data.records, seed=seed))
        # Tax forms and notices are the agency's: its systems issue them and load them with their PDFs.
        issued = seed_documents.documents(
            data.records, today=today, agency_name=agency_name, demo_customer_id=data.demo_customer_id
        )
        source = data.source() + [(SourceKind.DOCUMENT, document) for document in issued]
        counts = data.counts()  # its "document"s are the receipts'; the agency's are counted by kind
        for document in issued:
            counts[document["kind"]] = counts.get(document["kind"], 0) + 1
        prepared = Prepared(seed, source, data.platform_items(), data.settled(), counts, data.demo_customer_id, 0.0)
    return replace(prepared, seconds=time.perf_counter() - started)


def prepare(
    *,
    seed: int = 42,
    customers: int = DEFAULT_CUSTOMERS,
    today: date | None = None,
    currency: str = "USD",
    agency_name: str | None = None,
) -> Future[Prepared] | Prepared:
    """Start generating in a forked worker (Linux: call it before any thread starts), else generate here."""
    today = today or clock.today()  # read here: the worker is another process and need not share our clock
    if sys.platform != "linux":
        return generate_items(seed, customers, today, currency, agency_name)
    executor = ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=_leave_interrupts_to_the_parent
    )
    future = executor.submit(generate_items, seed, customers, today, currency, agency_name)
    executor.shutdown(wait=False)  # the worker exits once its one job is done
    return future


def _leave_interrupts_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def load(
    env: LocalEnvironment,
    *,
    seed: int = 42,
    customers: int = DEFAULT_CUSTOMERS,
    today: date | None = None,
    write: Literal["import", "api"] = "import",
    prepared: Future[Prepared] | Prepared | None = None,
    demo_email: str = DEMO_CUSTOMER_EMAIL,
    staff_logins: Mapping[str, tuple[str, ...]] = DEMO_STAFF,
) -> SeedSummary:
    """Load the demo agency into ``env``: its systems' records through the integration API, then the platform's
    history (written the ``write`` way), then the demo logins."""
    started = time.perf_counter()
    if prepared is None:
        prepared = generate_items(seed, customers, today or clock.today(), env.config.currency, env.config.agency_name)
    elif isinstance(prepared, Future):
        prepared = prepared.result()
    demo = env.create_user(demo_email, customer_id=prepared.demo_customer_id, name="Jordan Rivera")
    for email, groups in staff_logins.items():
        env.create_user(email, groups=groups, name=email.split("@")[0].title())
    resources = env.resources
    quiet = moto_patches.streams_paused(
        (resources.ledger_table, resources.audit_table), account=resources.account_id, region=resources.region
    )
    with quiet, moto_patches.gc_paused():
        loaded = load_through_the_door(prepared.source, request_prefix=f"demo-seed-{prepared.seed}", env=env)
    writer = _Writer(env, write)
    writer.items(prepared.items)
    writer.items(_with_history(writer.reads, prepared.settled))
    writer.items(_linked_login(writer.reads, prepared.demo_customer_id, demo.sub, demo_email))
    _unmark_months(env, prepared.source)
    seconds = prepared.seconds + time.perf_counter() - started
    return SeedSummary(prepared.seed, prepared.counts, prepared.demo_customer_id, seconds, loaded)


def _unmark_months(env: LocalEnvironment, source: SourceBatch) -> None:
    """The door gave each new customer a balance checkpoint mark and its invoices' months, but the history's
    payments are written straight in, past posting, and add nothing to those months. So the seeded customers lose
    the mark: their statements replay the history (correct), as a customer's do before the ``reindex_customers``
    job reaches them, rather than trust months that leave the payments out."""
    from arportal.adapters.dynamodb import balance_checkpoints

    currency, table = env.config.currency, env.resources.ledger_table
    keys = [
        balance_checkpoints.checkpoint_key(body["customer_id"], currency, balance_checkpoints.READY)
        for kind, body in source
        if kind is SourceKind.CUSTOMER
    ]
    dynamodb = env.client("dynamodb")
    for start in range(0, len(keys), 25):
        requests = [
            {"DeleteRequest": {"Key": {k: {"S": v} for k, v in key.items()}}} for key in keys[start : start + 25]
        ]
        pending: dict[str, Any] = {table: requests}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# --- the agency's records, through the door ---------------------------------------------------------------------


def load_through_the_door(
    records: SourceBatch, *, request_prefix: str, env: LocalEnvironment | None = None
) -> dict[str, dict[str, int]]:
    """Load ``records`` with the service ``POST /v1/integrations/<kind>:batch`` calls, one request per kind and
    500 records or 1 MiB, as ``SEED_ACTOR``; answers the outcomes per kind. Raises ``SeedError`` if a record is
    refused (nothing of a refused record is written; what came before it stays, and loading again completes it).
    With ``env``, the service's adapters reach moto in this process (``seed_door``): the same items, ~3x faster."""
    from arportal.wiring import integrations

    adapters: dict[str, Any] = {}
    if env is not None:
        from local.seed_door import InProcessFiles, InProcessSourceRecords

        r = env.resources
        adapters = {
            "store": InProcessSourceRecords(r.ledger_table, r.audit_table, account=r.account_id, region=r.region),
            "files": InProcessFiles(r.documents_bucket, account=r.account_id),
        }
    outcomes: dict[str, dict[str, int]] = {}
    for number, (kind, bodies) in enumerate(_requests(records)):
        batch = integrations.load_batch(
            kind, list(bodies), actor=SEED_ACTOR, dry_run=False, request_id=f"{request_prefix}-{number}", **adapters
        )
        refused = [result for result in batch.results if result.errors]
        if refused:
            shown = "; ".join(
                f"{r.source_id}: " + ", ".join(f"{e.code} ({e.field}): {e.message}" for e in r.errors)
                for r in refused[:5]
            )
            raise SeedError(f"the integration API refused {len(refused)} {kind.value} record(s): {shown}")
        counts = outcomes.setdefault(kind.value, {})
        for outcome, count in batch.summary.items():
            counts[outcome] = counts.get(outcome, 0) + count
    return outcomes


def _requests(records: SourceBatch) -> Iterator[tuple[SourceKind, list[dict[str, Any]]]]:
    """Consecutive records of one kind, cut where a request would exceed the routes' limits."""
    kind: SourceKind | None = None
    bodies: list[dict[str, Any]] = []
    size = 0
    for record_kind, body in records:
        length = len(json.dumps(body, separators=(",", ":"))) + 1
        full = len(bodies) == MAX_RECORDS or size + length > MAX_BODY_BYTES - 64  # the envelope's own bytes
        if bodies and (record_kind is not kind or full):
            assert kind is not None
            yield kind, bodies
            bodies, size = [], 0
        kind = record_kind
        bodies.append(body)
        size += length
    if bodies:
        assert kind is not None
        yield kind, bodies


# --- the platform's own records ---------------------------------------------------------------------------------


class _Reads(Protocol):
    def get_many(self, keys: Sequence[dict[str, str]]) -> list[dict[str, Any]]: ...


class _Writer:
    """Writes the platform's records the chosen way, and reads back what the door wrote."""

    def __init__(self, env: LocalEnvironment, write: Literal["import", "api"]) -> None:
        self.env, self.write = env, write
        self.records = DynamoCustomerRecords(env.resources.ledger_table)
        self.reads: _Reads = self.records
        if write == "import":  # read back as written: straight from moto's table
            from local.seed_door import InProcessItems

            r = env.resources
            self.reads = InProcessItems(r.ledger_table, account=r.account_id, region=r.region)

    def items(self, items: Sequence[dict[str, Any]]) -> None:
        if not items:
            return
        resources = self.env.resources
        if self.write == "import":
            moto_patches.import_items(resources.ledger_table, items, account=resources.account_id,
                                      region=resources.region)  # fmt: skip
        else:
            self.records.put_items(items)


def _with_history(records: _Reads, settled: Sequence[Invoice | CreditNote]) -> list[dict[str, Any]]:
    """The loaded invoices and credit notes as read back, with the money the history applied to them: what the
    platform's posting and credit application would have written. Records that already say so are left alone."""
    keys = {_loaded_key(record): record for record in settled}
    stored = {(str(i["PK"]), str(i["SK"])): i for i in records.get_many([{"PK": pk, "SK": sk} for pk, sk in keys])}
    missing = sorted(_number(keys[key]) for key in keys if key not in stored)
    if missing:
        raise SeedError(f"not loaded through the integration API: {', '.join(missing[:5])}")
    changed: list[dict[str, Any]] = []
    for key, record in keys.items():
        after = _applied(record, stored[key])
        if after is not None:  # a credit note brings its entries among the items of the invoices it credited
            changed.extend(entity_items.items_of(after))
    return changed


def _loaded_key(record: Invoice | CreditNote) -> tuple[str, str]:
    if isinstance(record, Invoice):
        key = source_items.entity_key(SourceKind.INVOICE, record.customer_id, record.invoice_id)
    else:
        key = source_items.entity_key(SourceKind.CREDIT_NOTE, record.customer_id, record.credit_note_id)
    return key["PK"], key["SK"]


def _number(record: Invoice | CreditNote) -> str:
    return record.invoice_number if isinstance(record, Invoice) else record.number


def _applied(record: Invoice | CreditNote, item: dict[str, Any]) -> Invoice | CreditNote | None:
    """``record``'s platform figures on the loaded entity ``item`` (None when it has them already)."""
    if isinstance(record, Invoice):
        loaded = entity_items.from_item(item, Invoice)
        _same_bill(record, loaded)
        figures = {"paid": record.paid, "credited": record.credited, "balance": record.balance}
        if all(getattr(loaded, name) == value for name, value in figures.items()):
            return None
        # As the posting transaction does: the status follows the balance, the version moves with it; the model
        # checks that the figures agree.
        changes = {**figures, "status": record.status, "version": loaded.version + 1}
        return Invoice.model_validate({**loaded.model_dump(), **changes})
    note = entity_items.from_item(item, CreditNote)
    if note.applications == record.applications:
        return None
    applied = sum(application.amount for application in record.applications)
    changes = {"applications": record.applications, "remaining": note.amount - applied}
    return CreditNote.model_validate({**note.model_dump(), **changes})


def _same_bill(expected: Invoice, loaded: Invoice) -> None:
    if (loaded.invoice_id, loaded.amount, loaded.lines) != (expected.invoice_id, expected.amount, expected.lines):
        raise SeedError(f"invoice {expected.invoice_number} was loaded with other figures than generated")


def _linked_login(records: _Reads, customer_id: str, subject: str, email: str) -> list[dict[str, Any]]:
    """The demo profile linked to its portal login both ways (``custom:customer_id`` in the token,
    ``login_subject`` here) and reached at the login's email, with the search pointers that find it by it."""
    found = records.get_many([customer_items.profile_key(customer_id)])
    if not found:
        raise SeedError(f"the demo customer {customer_id} was not loaded")
    profile = entity_items.from_item(found[0], Customer)
    linked = profile.model_copy(update={"login_subject": subject, "email": email})
    return entity_items.items_of(linked)  # the profile and its search pointers, which carry the email
