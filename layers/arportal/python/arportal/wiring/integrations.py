"""What the connected systems' side needs: their app clients (the integrations user pool) and the audit log that
records an administrator's changes to them, the stores their batches load into, and what they read back (the event
feed, payments, invoices by key), each built once per container from the settings.

``client_name`` is what ``arportal.api.identity.caller_from_claims`` is handed to name a connected system: an
access token carries its app client's id, not its name, and the audit trail names it ``system:<name>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.audit_log import ChainedAuditLog
    from arportal.adapters.cognito_clients import CognitoIntegrationClients
    from arportal.adapters.dynamodb.event_feed import DynamoEventFeed
    from arportal.adapters.dynamodb.readback import DynamoInvoiceBalances, DynamoPaymentReadback
    from arportal.adapters.dynamodb.source_loads import DynamoSourceRecords
    from arportal.domain.source_records import SourceKind
    from arportal.ports import DocumentStore, SourceRecordStore
    from arportal.services.source_loads import BatchResult


@built_once
def clients() -> CognitoIntegrationClients:
    from arportal.adapters.cognito_clients import CognitoIntegrationClients

    return CognitoIntegrationClients(settings().integrations_pool_id)


@built_once
def audit_log() -> ChainedAuditLog:
    from arportal.adapters.audit_log import ChainedAuditLog

    return ChainedAuditLog(settings().audit_table)


def client_name(client_id: str) -> str | None:
    """The app client's name (looked up once per container), or None when the pool has no such client."""
    return clients().name_of(client_id)


@built_once
def source_records() -> DynamoSourceRecords:
    """Where batch upserts read and write: the ledger table, and the audit table for each record's chain."""
    from arportal.adapters.dynamodb.source_loads import DynamoSourceRecords

    s = settings()
    return DynamoSourceRecords(s.ledger_table, s.audit_table)


def load_batch(
    kind: SourceKind,
    records: list[object],
    *,
    actor: str,
    dry_run: bool,
    request_id: str | None,
    store: SourceRecordStore | None = None,
    files: DocumentStore | None = None,
) -> BatchResult:
    """Upsert one batch of a connected system's records now (``services/source_loads.load_batch``). ``store`` and
    ``files``: other adapters for the same tables and bucket (the local seed's in-process ones)."""
    from arportal import clock
    from arportal.domain.upserts import LoweredAmount
    from arportal.services.source_loads import LoadSettings
    from arportal.services.source_loads import load_batch as load
    from arportal.wiring import stores

    s = settings()
    return load(
        kind,
        records,
        store=store or source_records(),
        files=files or stores.document_files(),
        settings=LoadSettings(s.currency, LoweredAmount(s.integration_lowered_amount)),
        actor=actor,
        now=clock.now(),
        dry_run=dry_run,
        request_id=request_id,
    )


@built_once
def event_feed() -> DynamoEventFeed:
    """The outbox's events in order: the event feed, and the payments that changed."""
    from arportal.adapters.dynamodb.event_feed import DynamoEventFeed

    return DynamoEventFeed(settings().ledger_table)


@built_once
def payment_readback() -> DynamoPaymentReadback:
    from arportal.adapters.dynamodb.readback import DynamoPaymentReadback

    return DynamoPaymentReadback(settings().ledger_table)


@built_once
def invoice_balances() -> DynamoInvoiceBalances:
    from arportal.adapters.dynamodb.readback import DynamoInvoiceBalances

    return DynamoInvoiceBalances(settings().ledger_table)
