"""What the webhook services need from the outside: where endpoints and deliveries are kept, where the signing
secrets live, and how a delivery is sent over HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from arportal.domain.webhooks import Attempt, Delivery, Endpoint, SendResult


@dataclass(frozen=True)
class AttemptPage:
    attempts: list[Attempt]  # newest first
    cursor: str | None  # where the next page starts; None on the last


@dataclass(frozen=True)
class DeliveryPage:
    deliveries: list[Delivery]
    cursor: str | None


class WebhookStore(Protocol):
    """Endpoints, deliveries and the attempt log. Every write is conditional, so a retried or doubled dispatch
    neither opens a delivery twice nor records one attempt twice."""

    def create_endpoint(self, endpoint: Endpoint) -> None: ...

    def endpoint(self, endpoint_id: str) -> Endpoint:
        """``NotFoundError`` when there is none."""
        ...

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, enabled or not (an agency has a handful: one read)."""
        ...

    def update_endpoint(self, endpoint: Endpoint) -> Endpoint:
        """Writes ``endpoint`` if the stored one is still at ``endpoint.version``; ``ConflictError`` otherwise.
        Returns it at its new version."""
        ...

    def delete_endpoint(self, endpoint_id: str) -> None: ...

    def open_delivery(self, delivery: Delivery) -> bool:
        """Creates the delivery unless one exists for (endpoint, event): False then (the bus repeated the event)."""
        ...

    def delivery(self, endpoint_id: str, event_id: str) -> Delivery | None: ...

    def deliveries(self, endpoint_id: str, event_ids: list[str]) -> dict[str, Delivery]:
        """The deliveries of ``event_ids`` to the endpoint that exist, by event id (a range replay reads them in
        batches rather than one by one)."""
        ...

    def record_attempt(self, before: Delivery, after: Delivery, attempt: Attempt) -> bool:
        """Moves the delivery from ``before`` to ``after`` and logs ``attempt``, in one transaction, if it is still
        as ``before`` (same round and attempts); False when another worker recorded this attempt first."""
        ...

    def put_delivery(self, before: Delivery, after: Delivery) -> bool:
        """Moves the delivery from ``before`` to ``after`` (held, replayed, released) if it is still ``before``."""
        ...

    def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        """Pending deliveries whose next attempt is at or before ``now``, oldest first."""
        ...

    def held(self, endpoint_id: str, *, limit: int, cursor: str | None = None) -> DeliveryPage: ...

    def attempts(self, endpoint_id: str, *, limit: int, cursor: str | None = None) -> AttemptPage: ...


@dataclass(frozen=True)
class SigningSecrets:
    """What signs one endpoint's deliveries: its current ``whsec_`` secret, and the previous one until it expires."""

    current: str
    previous: str | None = None
    previous_expires_at: datetime | None = None


class WebhookSecrets(Protocol):
    """Signing secrets, kept in Secrets Manager; never logged, never returned after creation or rotation."""

    def create(self, endpoint_id: str) -> str:
        """A new ``whsec_`` secret for a new endpoint; returns it (shown once)."""
        ...

    def rotate(self, endpoint_id: str, *, overlap_until: datetime) -> str:
        """A new current secret; the old one keeps signing until ``overlap_until``. Returns the new one."""
        ...

    def secrets_of(self, endpoint_id: str) -> SigningSecrets: ...

    def delete(self, endpoint_id: str) -> None: ...

    def ed25519_private_key(self) -> str:
        """The agency's ``whsk_`` Ed25519 signing key (one for every endpoint that opts into v1a), made the first time
        it is asked for, with its public half stored where ``ed25519_public_key`` reads it."""
        ...

    def ed25519_public_key(self) -> str | None:
        """The ``whpk_`` public half of that key, None before any endpoint opted into v1a. Reads nothing private."""
        ...


class WebhookSender(Protocol):
    def check_destination(self, url: str) -> None:
        """``InvalidEndpointError`` (422) for a URL that may not be used: not https (plain http only in the local
        runtime), over ``MAX_URL_LENGTH``, or whose host resolves to a private, loopback, link-local or reserved
        address (in a deployed stack). Checked when an endpoint is registered or its URL changed."""
        ...

    def send(self, url: str, headers: Mapping[str, str], body: bytes) -> SendResult:
        """POST once: ``ATTEMPT_TIMEOUT_S``, no redirects followed, at most ``RESPONSE_EXCERPT_BYTES`` of the answer
        kept, and (in a deployed stack) never to a private, loopback or link-local address, checked on the address
        actually connected to. Never raises for the receiver's failures: they are the result."""
        ...


class AgencyAdmins(Protocol):
    def emails(self) -> list[str]:
        """The addresses of the agency's administrators (the staff pool's ``admin`` group): who is told when an
        endpoint is switched off."""
        ...


class WebhookMetrics(Protocol):
    def endpoint_disabled(self, endpoint: Endpoint) -> None:
        """Count one endpoint the dispatcher switched off (``ArPortal``/``WebhookEndpointsDisabled``, alarmed on)."""
        ...
