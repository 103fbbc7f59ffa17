"""Trying deliveries: sign, send, record, and switch off an endpoint that is gone or has failed for days.

Many deliveries are tried at once on a thread pool, but never more than ``per_endpoint_limit`` at a time to one
endpoint (at most ``MAX_PER_ENDPOINT``, fewer when its rate limit is lower), and, for an endpoint with a rate limit,
never more sends starting in a second than that limit: a receiver sees a bounded load however many events arrive.

One attempt, in order:

1. Claimed, unless the delivery was just opened by this worker: its next attempt time is moved ``LEASE`` ahead,
   conditioned on the state it was read in, so a sweep and a dispatcher (or two sweeps) never both send it.
2. Signed now (``webhook-timestamp`` is the attempt's own time: a queued send must not go out with a stale one) with
   the endpoint's current secret, the previous one while its rotation overlap lasts, and ``v1a`` when it opted in.
3. Sent (the sender never raises for the receiver's failures), then the endpoint moved by the result
   (``after_attempt``: a 410 or ``DISABLE_AFTER`` of failures switches it off; the administrators are told once).
4. Recorded with the delivery's next state in one conditional write: losing it means another worker recorded this
   attempt, and nothing more is done. A delivery whose endpoint is now off is held, not retried.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.domain.webhook_signing import signed_headers
from arportal.domain.webhooks import (
    ATTEMPT_TIMEOUT_S,
    Attempt,
    Delivery,
    DeliveryStatus,
    DisabledReason,
    Endpoint,
    SendResult,
    after_attempt,
    after_send,
    held,
)
from arportal.ports import Email, Mailer
from arportal.ports.webhooks import (
    AgencyAdmins,
    SigningSecrets,
    WebhookMetrics,
    WebhookSecrets,
    WebhookSender,
    WebhookStore,
)

MAX_PER_ENDPOINT = 4
MAX_WORKERS = 16
# A claimed delivery is left to its claimer this long; then the sweep may take it again (the claimer died).
LEASE = timedelta(seconds=6 * ATTEMPT_TIMEOUT_S)
# An opened or claimed delivery is claimed again before sending if less than this is left of its lease.
_CLAIM_MARGIN = timedelta(seconds=2 * ATTEMPT_TIMEOUT_S)
_ENDPOINT_WRITES = 3


@dataclass(frozen=True)
class DeliveryServices:
    """What trying deliveries needs. ``clock`` rather than one ``now``: a run lasts minutes (paced sends), and each
    attempt is stamped and signed at its own time."""

    store: WebhookStore
    secrets: WebhookSecrets
    sender: WebhookSender
    admins: AgencyAdmins
    mailer: Mailer
    metrics: WebhookMetrics
    clock: Callable[[], datetime]
    agency_name: str = ""
    retry_scale: float = 1.0


@dataclass
class AttemptReport:
    attempted: int = 0
    delivered: int = 0
    failed: int = 0  # tried, not delivered (retried later, or failed for good)
    held: int = 0  # its endpoint was off
    skipped: int = 0  # another worker had it
    errors: int = 0  # could not be tried or recorded (storage, secrets): left as it was, for the sweep
    disabled: list[str] = field(default_factory=list)  # endpoints switched off by this run

    def add(self, other: AttemptReport) -> None:
        self.attempted += other.attempted
        self.delivered += other.delivered
        self.failed += other.failed
        self.held += other.held
        self.skipped += other.skipped
        self.errors += other.errors
        self.disabled += other.disabled

    def as_dict(self) -> dict[str, object]:
        return {
            "attempted": self.attempted,
            "delivered": self.delivered,
            "failed": self.failed,
            "held": self.held,
            "skipped": self.skipped,
            "errors": self.errors,
            "disabled": list(self.disabled),
        }


def per_endpoint_limit(endpoint: Endpoint) -> int:
    return max(1, min(endpoint.rate_limit or MAX_PER_ENDPOINT, MAX_PER_ENDPOINT))


def attempt_all(
    services: DeliveryServices,
    work: Iterable[tuple[Endpoint, Delivery]],
    *,
    time_left: Callable[[], bool] = lambda: True,
) -> AttemptReport:
    """Try every delivery once, at most ``per_endpoint_limit`` at a time per endpoint. No new attempt starts once
    ``time_left()`` is false (the function is near its timeout): what is left stays due, for the next sweep."""
    run = _Run(services, time_left)
    queues: dict[str, deque[Delivery]] = defaultdict(deque)
    for endpoint, delivery in work:
        run.endpoints.setdefault(endpoint.endpoint_id, endpoint)
        run.endpoint_locks.setdefault(endpoint.endpoint_id, threading.Lock())
        queues[endpoint.endpoint_id].append(delivery)
    lanes = [(eid, min(per_endpoint_limit(run.endpoints[eid]), len(q))) for eid, q in queues.items()]
    if not lanes:
        return run.report
    with ThreadPoolExecutor(
        max_workers=min(MAX_WORKERS, sum(n for _, n in lanes)), thread_name_prefix="webhook"
    ) as pool:
        futures = [pool.submit(run.drain, eid, queues[eid]) for eid, n in lanes for _ in range(n)]
        for future in futures:
            future.result()
    return run.report


def sign(
    services: DeliveryServices, endpoint: Endpoint, delivery: Delivery, now: datetime, secrets: SigningSecrets
) -> dict[str, str]:
    keys = [secrets.current]
    if secrets.previous and (secrets.previous_expires_at is None or secrets.previous_expires_at > now):
        keys.append(secrets.previous)
    ed25519 = services.secrets.ed25519_private_key() if endpoint.ed25519 else None
    return signed_headers(delivery.event_id, int(now.timestamp()), delivery.body.encode(), keys, ed25519)


def attempt_record(delivery: Delivery, after: Delivery, result: SendResult, at: datetime) -> Attempt:
    return Attempt(
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        round=after.round,
        attempt=after.attempts,
        at=at,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        delivered=result.delivered,
        response_excerpt=result.response_excerpt,
        error=result.error,
        next_attempt_at=after.next_attempt_at,
    )


class _Pacer:
    """At most ``per_second`` sends start in any second: each takes the next slot, 1/per_second after the last."""

    def __init__(self, per_second: int) -> None:
        self.interval = 1.0 / per_second
        self.next_slot = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_slot)
            self.next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class _Run:
    """One batch of attempts: the endpoints as this run last saw them, their secrets read once, the report."""

    def __init__(self, services: DeliveryServices, time_left: Callable[[], bool]) -> None:
        self.services = services
        self.time_left = time_left
        self.endpoints: dict[str, Endpoint] = {}
        self.report = AttemptReport()
        self._secrets: dict[str, SigningSecrets] = {}
        self._pacers: dict[str, _Pacer] = {}
        self._lock = threading.Lock()
        self.endpoint_locks: dict[str, threading.Lock] = {}  # made before the workers start

    def drain(self, endpoint_id: str, queue: deque[Delivery]) -> None:
        while self.time_left():
            try:
                delivery = queue.popleft()
            except IndexError:
                return
            try:
                outcome = self.attempt(endpoint_id, delivery)
            except (DependencyError, NotFoundError):
                # Storage or Secrets Manager failed for this one: it stays as it was (due, or leased until the lease
                # runs out) and the sweep tries it again; the other deliveries go on.
                outcome = AttemptReport(errors=1)
            with self._lock:
                self.report.add(outcome)

    def attempt(self, endpoint_id: str, delivery: Delivery) -> AttemptReport:
        store, clock = self.services.store, self.services.clock
        endpoint = self.endpoints[endpoint_id]
        if endpoint.rate_limit:
            self._pacer(endpoint).wait()
        now = clock()
        endpoint = self.endpoints[endpoint_id]  # another worker may have switched it off meanwhile
        if not endpoint.enabled:
            return (
                AttemptReport(held=1) if store.put_delivery(delivery, held(delivery, now)) else AttemptReport(skipped=1)
            )
        if delivery.next_attempt_at is None or delivery.next_attempt_at - now < _CLAIM_MARGIN:
            claimed = replace(delivery, next_attempt_at=now + LEASE, updated_at=now)
            if not store.put_delivery(delivery, claimed):
                return AttemptReport(skipped=1)
            delivery = claimed
        headers = sign(self.services, endpoint, delivery, now, self._secrets_of(endpoint_id))
        result = self.services.sender.send(endpoint.url, headers, delivery.body.encode())
        done = clock()
        endpoint, switched_off = self._after_attempt(endpoint_id, result, done)
        after = after_send(delivery, result, done, scale=self.services.retry_scale)
        if not endpoint.enabled and after.status is not DeliveryStatus.DELIVERED:
            after = held(after, done)  # nothing is dropped while the endpoint is off
        if not store.record_attempt(delivery, after, attempt_record(delivery, after, result, done)):
            return AttemptReport(skipped=1)
        if switched_off:
            tell_admins(self.services, endpoint)
        return AttemptReport(
            attempted=1,
            delivered=int(result.delivered),
            failed=int(not result.delivered),
            held=int(after.status is DeliveryStatus.HELD),
            disabled=[endpoint_id] if switched_off else [],
        )

    def _after_attempt(self, endpoint_id: str, result: SendResult, now: datetime) -> tuple[Endpoint, bool]:
        """The endpoint after this result, written if it changed; True when this write switched it off."""
        store = self.services.store
        with self.endpoint_locks[endpoint_id]:
            current = self.endpoints[endpoint_id]
            for _ in range(_ENDPOINT_WRITES):
                if not current.enabled:
                    break
                moved = after_attempt(current, result, now)
                if moved == current:
                    break
                try:
                    current = store.update_endpoint(moved)
                except ConflictError:
                    current = store.endpoint(endpoint_id)  # changed elsewhere (an admin, another container)
                    continue
                self.endpoints[endpoint_id] = current
                return current, not current.enabled
            self.endpoints[endpoint_id] = current
            return current, False

    def _secrets_of(self, endpoint_id: str) -> SigningSecrets:
        with self._lock:
            found = self._secrets.get(endpoint_id)
        if found is None:
            found = self.services.secrets.secrets_of(endpoint_id)
            with self._lock:
                self._secrets[endpoint_id] = found
        return found

    def _pacer(self, endpoint: Endpoint) -> _Pacer:
        with self._lock:
            return self._pacers.setdefault(endpoint.endpoint_id, _Pacer(endpoint.rate_limit or MAX_PER_ENDPOINT))


_REASONS = {
    DisabledReason.GONE: "it answered 410 Gone, which asks senders to stop",
    DisabledReason.FAILING: "every delivery to it has failed for five days",
    DisabledReason.BY_ADMIN: "an administrator switched it off",
}


def tell_admins(services: DeliveryServices, endpoint: Endpoint) -> None:
    """The metric (alarmed on) and an email to every administrator; a failed email does not undo the switch."""
    services.metrics.endpoint_disabled(endpoint)
    try:
        recipients = tuple(services.admins.emails())
        if not recipients:
            return
        reason = _REASONS.get(endpoint.disabled_reason or DisabledReason.FAILING, "")
        services.mailer.send(
            Email(
                to=recipients,
                subject=" ".join(filter(None, (services.agency_name, "webhook endpoint switched off:", endpoint.url))),
                text=(
                    f"The webhook endpoint {endpoint.url} ({endpoint.endpoint_id}) was switched off because "
                    f"{reason}.\n\n"
                    "Its events are kept, not dropped: once the receiving system is fixed, switch the endpoint on "
                    "again in the console (Integrations, Webhooks) and everything it missed is sent.\n"
                ),
            )
        )
    except DependencyError:
        pass  # the alarm on the metric still fires; the log of attempts shows why
