"""Seeding the local runtime: the demo agency's ledger (``seed_data``) and its demo logins.

    summary = seed.load(env, seed=42)        # ~17,000 items, ~2,700 receipt PDFs and five users in a few seconds

    prepared = seed.prepare(seed=42)         # or: generate on a second core while the environment starts
    env.start(); seed.load(env, prepared=prepared)

Two ways to write, same items: ``"import"`` (the default) puts them straight into moto's table, as DynamoDB's
import from S3 would (``moto_patches.import_items``: ~0.1 ms an item); ``"api"`` batch-writes them through
``DynamoCustomerRecords.put_items`` over HTTP, which moto answers at ~2 ms an item: 30 s for the full agency, too slow
for ``make dev``, fine for a few customers in a test. Every seeded receipt is a real document (``seed_receipts``):
its PDF is rendered with the rest and put into the documents bucket the same two ways (straight into moto's
bucket, or through S3's API).
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from arportal import clock
from arportal.adapters.dynamodb import keys
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.adapters.dynamodb.items import from_item, search_pointers
from arportal.adapters.s3 import S3DocumentStore
from arportal.domain.models import Customer
from local import moto_patches
from local.seed_data import DEMO_CUSTOMER_EMAIL, generate
from local.seed_receipts import StoredFile, receipt_documents

if TYPE_CHECKING:
    from local.environment import LocalEnvironment

DEMO_STAFF: dict[str, tuple[str, ...]] = {
    "agent@demo.local": ("agent",),
    "supervisor@demo.local": ("supervisor",),
    "finance@demo.local": ("finance",),
    "admin@demo.local": ("admin",),
}
DEMO_LOGINS = (DEMO_CUSTOMER_EMAIL, *DEMO_STAFF)


@dataclass(frozen=True)
class SeedSummary:
    seed: int
    counts: dict[str, int]
    demo_customer_id: str
    seconds: float

    @property
    def items(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Prepared:
    """Generated items and files, ready to write (picklable, so a worker process can make them)."""

    seed: int
    items: list[dict[str, Any]]
    counts: dict[str, int]
    demo_customer_id: str
    seconds: float
    files: list[StoredFile] = field(default_factory=list)  # the receipts' PDFs, for the documents bucket


def generate_items(
    seed: int, customers: int, today: date | None, currency: str, agency_name: str | None = None
) -> Prepared:
    started = time.perf_counter()
    if agency_name is None:
        from local.environment import deployment_config  # cdk.json's, as the local runtime reads it

        agency_name = deployment_config().agency_name
    with moto_patches.gc_paused():
        data = generate(seed, today=today, customers=customers, currency=currency)
        # Seeded payments have real receipts, as a payment taken through the product does: a PDF and its record.
        documents, files = receipt_documents(data.records, seed=seed, agency_name=agency_name)
        data.records.extend(documents)
        # The generator writes records, not the derived email/phone pointers staff search by: add them here.
        items = data.to_items() + [p for r in data.records if isinstance(r, Customer) for p in search_pointers(r)]
    return Prepared(seed, items, data.counts(), data.demo_customer_id, time.perf_counter() - started, files)


def prepare(
    *,
    seed: int = 42,
    customers: int = 300,
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
    customers: int = 300,
    today: date | None = None,
    write: Literal["import", "api"] = "import",
    prepared: Future[Prepared] | Prepared | None = None,
    demo_email: str = DEMO_CUSTOMER_EMAIL,
    staff_logins: Mapping[str, tuple[str, ...]] = DEMO_STAFF,
) -> SeedSummary:
    started = time.perf_counter()
    if prepared is None:
        prepared = generate_items(seed, customers, today or clock.today(), env.config.currency, env.config.agency_name)
    elif isinstance(prepared, Future):
        prepared = prepared.result()
    demo = env.create_user(demo_email, customer_id=prepared.demo_customer_id, name="Jordan Rivera")
    for email, groups in staff_logins.items():
        env.create_user(email, groups=groups, name=email.split("@")[0].title())
    # The portal login is linked to the profile both ways: custom:customer_id in the token, login_subject here.
    profile = keys.profile_key(prepared.demo_customer_id)
    pointers: list[dict[str, Any]] = []
    for item in prepared.items:
        if item["PK"] == profile["PK"] and item["SK"] == profile["SK"]:
            item.update(login_subject=demo.sub, email=demo_email)
            # Its search pointers carry the email too: generated with the old one, staff would not find it.
            pointers = search_pointers(from_item(item, Customer))
    prepared.items[:] = [
        i for i in prepared.items if not (i["PK"] == profile["PK"] and i["SK"] in keys.SEARCH_POINTERS)
    ] + pointers
    table = env.resources.ledger_table
    if write == "import":
        moto_patches.import_items(table, prepared.items, account=env.resources.account_id, region=env.resources.region)
        _import_files(env.resources.documents_bucket, prepared.files, account=env.resources.account_id)
    else:
        DynamoCustomerRecords(table).put_items(prepared.items)
        store = S3DocumentStore(env.resources.documents_bucket)
        for file in prepared.files:
            store.put(file.key, file.body, content_type=file.content_type)
    seconds = prepared.seconds + time.perf_counter() - started
    return SeedSummary(prepared.seed, prepared.counts, prepared.demo_customer_id, seconds)


def _import_files(bucket: str, files: list[StoredFile], *, account: str) -> None:
    """Put the files straight into moto's bucket, as ``import_items`` does for the table: ~0.02 ms a file instead
    of ~5 ms through S3's API (the bucket's default encryption applies as it does to a PUT)."""
    from moto.s3.models import s3_backends

    backend = s3_backends[account]["aws"]
    for file in files:
        stored = backend.put_object(bucket, file.key, file.body)
        stored.set_metadata({"Content-Type": file.content_type})
