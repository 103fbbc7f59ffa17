"""What the GL journals use (the staff finance routes and the scheduled ``journal`` job): the batches' store, the
audit bucket their files go to, the ledger reads and the processor the day's movements come from, the chart."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.domain.errors import BusinessRuleError
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.journals import DynamoJournalLedgerReads, DynamoJournals
    from arportal.adapters.s3 import S3DocumentStore
    from arportal.domain.chart_of_accounts import ChartOfAccounts
    from arportal.services.journal_batches import JournalBooks
    from arportal.services.journal_day import JournalSources


@built_once
def journal_store() -> DynamoJournals:
    from arportal.adapters.dynamodb.journals import DynamoJournals

    return DynamoJournals(settings().ledger_table)


@built_once
def journal_files() -> S3DocumentStore:
    """The audit bucket (``AUDIT_BUCKET``): its Object Lock retention keeps a batch's files as they were exported."""
    from arportal.adapters.s3 import S3DocumentStore

    return S3DocumentStore(settings().audit_bucket)


@built_once
def ledger_reads() -> DynamoJournalLedgerReads:
    from arportal.adapters.dynamodb.journals import DynamoJournalLedgerReads

    return DynamoJournalLedgerReads(settings().ledger_table)


def agency_code() -> str:
    """The agency in batch ids: its name, lower-cased, runs of anything else than letters and digits as one dash."""
    slug = re.sub(r"[^a-z0-9]+", "-", settings().agency_name.lower()).strip("-")
    return slug[:24].rstrip("-") or "agency"


def books() -> JournalBooks:
    from arportal.services.journal_batches import JournalBooks
    from arportal.wiring import integrations, staff

    return JournalBooks(journal_store(), journal_files(), integrations.audit_log(), agency_code(), staff.audit_trail())


def sources() -> JournalSources:
    from arportal.services.journal_day import JournalSources
    from arportal.wiring import integrations, stores

    return JournalSources(
        integrations.event_feed(),
        integrations.payment_readback(),
        integrations.invoice_balances(),
        ledger_reads(),
        stores.processor(),
    )


def chart() -> ChartOfAccounts:
    """The deployment's chart of accounts; none configured is a clear refusal, never a journal to nowhere."""
    found = settings().chart_of_accounts
    if found is None:
        raise BusinessRuleError("no chart of accounts is configured (chartOfAccounts): no journal can be built")
    return found
