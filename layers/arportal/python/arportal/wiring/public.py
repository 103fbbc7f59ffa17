"""The public API's adapters (``functions/public_api``), each built once per container from the settings.

Only what the public routes alone use is built here: the guest lookup's store and the status changes a
processor's webhook applies. The rate counter, the processor, the receipts and the idempotency records come from
``stores``; a guest payment from ``wiring.checkout``, the guest-token key from ``wiring.guest_token_key``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arportal.config import settings
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.portal_commands import DynamoGuestStore
    from arportal.adapters.dynamodb.status_changes import DynamoStatusChanges


@built_once
def guest_store() -> DynamoGuestStore:
    """One invoice by its number, and its owner (whose postal code is a proof), for a guest's lookup."""
    from arportal.adapters.dynamodb.portal_commands import DynamoGuestStore

    return DynamoGuestStore(settings().ledger_table)


@built_once
def status_changes() -> DynamoStatusChanges:
    """A payment's status as its processor reports it, each event applied once."""
    from arportal.adapters.dynamodb.status_changes import DynamoStatusChanges

    s = settings()
    return DynamoStatusChanges(s.ledger_table, s.audit_table)
