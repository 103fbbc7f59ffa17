"""The addresses we no longer write to (SES bounces and complaints), and the marks they leave on customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from arportal.domain.email_feedback import Suppression
from arportal.domain.models import AuditEvent, Interaction


class SuppressionLookup(Protocol):
    def suppression(self, address: str) -> Suppression | None:
        """The address's suppression (``address`` normalised), if it has one: one keyed read."""
        ...


class EmailSuppressionStore(SuppressionLookup, Protocol):
    def customers_with_email(self, address: str) -> list[str]:
        """The ids of the customers whose profile email is ``address`` (normalised), by index, at most 20."""
        ...

    def suppress(self, suppression: Suppression, notes: Sequence[tuple[Interaction, AuditEvent]]) -> bool:
        """Record, in one transaction, the address's suppression and, for each customer it belongs to, a mark on
        their record and an audited note (an ``Interaction`` of kind email) staff see on it. False, with nothing
        written, when the address was suppressed already (a redelivered event, or a second bounce)."""
        ...

    def customer_suppression(self, customer_id: str) -> Suppression | None:
        """The mark on the customer's record, if any (it may name an address they no longer have)."""
        ...
