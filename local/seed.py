"""Seeding the local runtime: the demo agency's ledger (``seed_data``) and its demo logins.

    summary = seed.load(env, seed=42)        # ~14,000 items and five users in a few seconds

    prepared = seed.prepare(seed=42)         # or: generate on a second core while the environment starts
    env.start(); seed.load(env, prepared=prepared)

Two ways to write, same items: ``"import"`` (the default) puts them straight into moto's table, as DynamoDB's
import from S3 would (``moto_patches.import_items``: ~0.1 ms an item); ``"api"`` batch-writes them through
``DynamoLedger.put_items`` over HTTP, which moto answers at ~2 ms an item: 30 s for the full agency, too slow
for ``make dev``, fine for a few customers in a test.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from arportal import clock
from arportal.adapters.dynamodb import keys
from arportal.adapters.dynamodb.items import from_item, search_pointers
from arportal.adapters.dynamodb.repository import DynamoLedger
from arportal.domain.models import Customer
from local import moto_patches
from local.seed_data import DEMO_CUSTOMER_EMAIL, generate

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
    """Generated items, ready to write (picklable, so a worker process can make them)."""

    seed: int
    items: list[dict[str, Any]]
    counts: dict[str, int]
    demo_customer_id: str
    seconds: float


def generate_items(seed: int, customers: int, today: date | None, currency: str) -> Prepared:
    started = time.perf_counter()
    with moto_patches.gc_paused():
        data = generate(seed, today=today, customers=customers, currency=currency)
        # The generator writes records, not the derived email/phone pointers staff search by: add them here.
        items = data.to_items() + [p for r in data.records if isinstance(r, Customer) for p in search_pointers(r)]
    return Prepared(seed, items, data.counts(), data.demo_customer_id, time.perf_counter() - started)


def prepare(
    *, seed: int = 42, customers: int = 300, today: date | None = None, currency: str = "USD"
) -> Future[Prepared] | Prepared:
    """Start generating in a forked worker (Linux: call it before any thread starts), else generate here."""
    today = today or clock.today()  # read here: the worker is another process and need not share our clock
    if sys.platform != "linux":
        return generate_items(seed, customers, today, currency)
    executor = ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("fork"), initializer=_leave_interrupts_to_the_parent
    )
    future = executor.submit(generate_items, seed, customers, today, currency)
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
        prepared = generate_items(seed, customers, today or clock.today(), env.config.currency)
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
    else:
        DynamoLedger(table).put_items(prepared.items)
    seconds = prepared.seconds + time.perf_counter() - started
    return SeedSummary(prepared.seed, prepared.counts, prepared.demo_customer_id, seconds)
