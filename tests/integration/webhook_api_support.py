"""What the webhook endpoints' integration tests share: the callers' tokens, a receiver on this machine, the sender's
local or deployed rules, and creating an endpoint through the gateway."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from local.environment import LocalEnvironment
from tests.integration.conftest import GatewayClient, new_customer_id
from tests.integration.integration_support import machine_token
from tests.webhook_receiver import WebhookReceiver

BASE = "/v1/integrations/webhooks"
WEBHOOKS_SCOPE = "integrations/webhooks.manage"
# Every webhook route, with a body that gets it past validation ({endpoint}: an endpoint's path)
ROUTE_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", BASE, None),
    ("POST", BASE, {"url": "http://127.0.0.1:9/role-check", "event_types": ["*"]}),
    ("GET", "{endpoint}", None),
    ("PATCH", "{endpoint}", {"description": "role check"}),
    ("DELETE", "{endpoint}", None),
    ("GET", "{endpoint}/attempts", None),
    ("POST", "{endpoint}/replay", {"event_id": "evt_role_check"}),
    ("POST", "{endpoint}/rotate", None),
    ("POST", "{endpoint}/test", None),
]


@dataclass(frozen=True)
class Tokens:
    admin: str  # an administrator's access token (what the console sends)
    admin_id: str  # ... and their ID token
    admin_sub: str
    agent: str
    customer: str  # a customer's ID token
    customer_access: str
    system: str  # the demo client, only webhooks.manage
    system_without_scope: str  # the demo client, only events.read


def make_tokens(local_env: LocalEnvironment) -> Tokens:
    tag = uuid.uuid4().hex[:8]
    admin = local_env.create_user(f"webhooks-admin-{tag}@example.org", groups=("admin",))
    agent = local_env.create_user(f"webhooks-agent-{tag}@example.org", groups=("agent",))
    customer = local_env.create_user(f"webhooks-customer-{tag}@example.org", customer_id=new_customer_id())
    admin_login, customer_login = local_env.login(admin.username), local_env.login(customer.username)
    return Tokens(
        admin=admin_login.access_token,
        admin_id=admin_login.id_token,
        admin_sub=admin.sub,
        agent=local_env.login(agent.username).access_token,
        customer=customer_login.id_token,
        customer_access=customer_login.access_token,
        system=machine_token(local_env, scope=WEBHOOKS_SCOPE),
        system_without_scope=machine_token(local_env, scope="integrations/events.read"),
    )


def webhooks_local(env: LocalEnvironment, value: str) -> Iterator[None]:
    """For a fixture: the sender's local rules (plain http, this machine's addresses) on ("true", as ``make dev``
    runs) or off ("false", as a deployed stack checks a URL), and back as they were."""
    before = env.function_env.get("WEBHOOKS_LOCAL", "false")
    if before != value:
        env.configure(WEBHOOKS_LOCAL=value)
    try:
        yield
    finally:
        if before != value:
            env.configure(WEBHOOKS_LOCAL=before)


def running_receiver() -> Iterator[WebhookReceiver]:
    served = WebhookReceiver()
    yield served
    served.close()


def create(gateway: GatewayClient, token: str, url: str, **fields: Any) -> Any:
    body = {"url": url, "event_types": ["payment.*"], **fields}
    return gateway.request("POST", BASE, token=token, json=body)


def hook_url(receiver: WebhookReceiver) -> str:
    return f"http://{receiver.host}/hooks/{uuid.uuid4().hex[:8]}"
