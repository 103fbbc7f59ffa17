"""Signed webhooks, composed: the webhooks table, the signing secrets, the HTTP sender, the administrators to tell,
and the use cases the integration API (``/v1/integrations/webhooks``), the public signing-key route and the
``webhook_dispatcher`` function call, each acting now, by the product clock.

In the local runtime (``WEBHOOKS_LOCAL``) the sender allows plain http and addresses on this machine, and
``WEBHOOK_RETRY_SCALE`` compresses the retry schedule; a deployed stack has neither.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from arportal import clock
from arportal.config import settings
from arportal.domain.webhooks import ROTATION_OVERLAP, Attempt, Delivery, Endpoint
from arportal.wiring import built_once

if TYPE_CHECKING:
    from arportal.adapters.dynamodb.webhook_store import DynamoWebhookStore
    from arportal.adapters.webhook_http import HttpWebhookSender
    from arportal.adapters.webhook_secrets import SecretsManagerWebhookSecrets
    from arportal.ports.webhooks import AttemptPage
    from arportal.services.webhook_attempts import DeliveryServices
    from arportal.services.webhook_delivery import Dispatch, SweepReport
    from arportal.services.webhook_endpoints import EndpointChanges, EndpointServices
    from arportal.services.webhook_replay import ReplayResult, ReplayServices


@built_once
def store() -> DynamoWebhookStore:
    from arportal.adapters.dynamodb.webhook_store import DynamoWebhookStore

    return DynamoWebhookStore(settings().webhooks_table)


@built_once
def secrets() -> SecretsManagerWebhookSecrets:
    from arportal.adapters.webhook_secrets import SecretsManagerWebhookSecrets

    config = settings()
    return SecretsManagerWebhookSecrets(config.webhook_secret_prefix, kms_key_id=config.webhook_secret_kms_key or None)


@built_once
def sender() -> HttpWebhookSender:
    from arportal.adapters.webhook_http import HttpWebhookSender

    local = settings().webhooks_local
    return HttpWebhookSender(allow_private=local, allow_http=local)


@built_once
def endpoint_services() -> EndpointServices:
    from arportal.services.webhook_endpoints import EndpointServices
    from arportal.wiring.integrations import audit_log

    return EndpointServices(store=store(), secrets=secrets(), sender=sender(), audit=audit_log())


@built_once
def delivery_services() -> DeliveryServices:
    from arportal.adapters.cognito_admins import CognitoGroupEmails
    from arportal.adapters.webhook_metrics import PowertoolsWebhookMetrics
    from arportal.services.webhook_attempts import DeliveryServices
    from arportal.wiring.stores import mailer

    s = settings()
    return DeliveryServices(
        store=store(),
        secrets=secrets(),
        sender=sender(),
        admins=CognitoGroupEmails(s.staff_pool_id),
        mailer=mailer(),
        metrics=PowertoolsWebhookMetrics(),
        clock=clock.now,
        agency_name=s.agency_name,
        retry_scale=s.webhook_retry_scale,
    )


@built_once
def replay_services() -> ReplayServices:
    from arportal.services.webhook_replay import ReplayServices
    from arportal.wiring.integrations import audit_log, event_feed

    return ReplayServices(store=store(), feed=event_feed(), audit=audit_log())


# --- endpoints (the integration API's routes and the console page) ---------------------------------------


def create_endpoint(
    url: str,
    event_types: list[str],
    *,
    description: str = "",
    rate_limit: int | None = None,
    ed25519: bool = False,
    actor: str,
) -> tuple[Endpoint, str]:
    """The new endpoint and its ``whsec_`` secret (shown this once)."""
    from arportal.services import webhook_endpoints

    return webhook_endpoints.create_endpoint(
        endpoint_services(),
        url,
        event_types,
        description=description,
        rate_limit=rate_limit,
        ed25519=ed25519,
        actor=actor,
        now=clock.now(),
    )


def list_endpoints() -> list[Endpoint]:
    from arportal.services import webhook_endpoints

    return webhook_endpoints.list_endpoints(store())


def get_endpoint(endpoint_id: str) -> Endpoint:
    """``NotFoundError`` when there is none."""
    return store().endpoint(endpoint_id)


def update_endpoint(endpoint_id: str, changes: EndpointChanges, *, actor: str) -> Endpoint:
    from arportal.services import webhook_endpoints

    return webhook_endpoints.update_endpoint(endpoint_services(), endpoint_id, changes, actor=actor, now=clock.now())


def delete_endpoint(endpoint_id: str, *, actor: str) -> None:
    from arportal.services import webhook_endpoints

    webhook_endpoints.delete_endpoint(endpoint_services(), endpoint_id, actor=actor, now=clock.now())


def rotate_secret(endpoint_id: str, *, overlap: timedelta = ROTATION_OVERLAP, actor: str) -> tuple[str, datetime]:
    """The new secret, and until when the old one signs too."""
    from arportal.services import webhook_endpoints

    return webhook_endpoints.rotate_secret(
        endpoint_services(), endpoint_id, overlap=overlap, actor=actor, now=clock.now()
    )


def attempts(endpoint_id: str, *, limit: int, cursor: str | None) -> AttemptPage:
    """The endpoint's delivery log, newest first (``NotFoundError`` for an unknown endpoint)."""
    store().endpoint(endpoint_id)
    return store().attempts(endpoint_id, limit=limit, cursor=cursor)


def replay_event(endpoint_id: str, event_id: str, *, actor: str) -> Delivery:
    from arportal.services import webhook_replay

    return webhook_replay.replay_event(replay_services(), endpoint_id, event_id, actor=actor, now=clock.now())


def replay_range(
    endpoint_id: str,
    *,
    since: datetime,
    until: datetime,
    event_types: list[str] | None,
    dry_run: bool,
    actor: str,
) -> ReplayResult:
    from arportal.services import webhook_replay

    return webhook_replay.replay_range(
        replay_services(),
        endpoint_id,
        since=since,
        until=until,
        event_types=event_types,
        dry_run=dry_run,
        actor=actor,
        now=clock.now(),
    )


def send_test(endpoint_id: str, *, actor: str) -> Attempt:
    """A ``webhook.test`` delivery now, once, recorded in the endpoint's log (and who asked, in the audit trail)."""
    from arportal.services import webhook_delivery
    from arportal.services.webhook_endpoints import audit_event
    from arportal.wiring.integrations import audit_log

    endpoint = store().endpoint(endpoint_id)
    attempt = webhook_delivery.send_test(delivery_services(), endpoint)
    audit_log().record(audit_event(endpoint, "test_sent", actor, attempt.at, after={"event_id": attempt.event_id}))
    return attempt


def signing_public_key() -> str | None:
    """The ``whpk_`` public half of the agency's Ed25519 key (``v1a``); None until an endpoint opted into v1a."""
    return secrets().ed25519_public_key()


# --- the dispatcher -------------------------------------------------------------------------------------


def dispatch() -> Dispatch:
    """A new run for one invocation's events: ``take`` each, then ``attempt``."""
    from arportal.services.webhook_delivery import Dispatch

    return Dispatch(delivery_services())


def sweep(time_left: Callable[[], bool] = lambda: True) -> SweepReport:
    from arportal.services import webhook_delivery

    return webhook_delivery.sweep(delivery_services(), time_left=time_left)
