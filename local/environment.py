"""One local AWS environment for ``make dev`` and for the integration tests: moto's server in this process,
the patches, every resource, and the process environment every function reads.

    with LocalEnvironment(max_wait_seconds=0) as env:    # tests: Wait states are instant
        env.create_user("pat@example.com", customer_id="CUS-0001ABCD")
        tokens = env.login("pat@example.com")
        env.relay_once(); env.drain_events()

While it runs, ``os.environ`` holds ``catalog.runtime_environment(...)`` plus ``AWS_ENDPOINT_URL`` pointing at
moto, so boto3 anywhere in the process (handlers, services, tests) talks to it. ``stop`` restores the
environment it found.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal

import boto3

from arportal import clock
from arportal.adapters import aws
from infrastructure import catalog
from infrastructure.deployment_config import DeploymentConfig, load
from local import external_system, invoke, moto_patches
from local.aggregate_poller import AggregateStreamPoller
from local.audit_export import AuditStreamExporter
from local.bank_file_drop import BankFileDrop
from local.relay import OutboxRelay
from local.resources import Resources, create_all
from local.webhook_dispatch import LocalWebhookDispatch

logger = logging.getLogger("local.lambda")
DEMO_PASSWORD = "Demo-pass-1234"  # noqa: S105 - the documented password of the local demo logins
REGION = "us-east-1"
Audience = Literal["customer", "staff"]


class LoginError(Exception):
    """Wrong username or password (or no such user) in either pool; ``locked``: Cognito's lockout after repeated
    failures ("Password attempts exceeded")."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class Challenge:
    """The next step Cognito asks for instead of tokens (NEW_PASSWORD_REQUIRED, MFA_SETUP, SOFTWARE_TOKEN_MFA): the
    page answers it with RespondToAuthChallenge on the pool's own app client."""

    name: str
    session: str
    audience: Audience


@dataclass(frozen=True)
class LocalUser:
    username: str
    audience: Audience
    sub: str
    customer_id: str | None = None
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str
    audience: Audience


def deployment_config(overrides: dict[str, Any] | None = None) -> DeploymentConfig:
    """``cdk.json``'s context through the same validation CDK uses, so local and deployed config agree."""
    context = json.loads((catalog.ROOT / "cdk.json").read_text())["context"]
    return load({**context, **(overrides or {})})


@dataclass
class LocalEnvironment:
    config: DeploymentConfig = field(default_factory=deployment_config)
    max_wait_seconds: float | None = 0  # Wait states / Retry intervals: 0 instant, N capped, None real
    relay_interval_s: float | None = None  # run the outbox relay in the background (dev); tests call relay_once
    host: str = "127.0.0.1"
    webhook_retry_scale: float = 1.0  # the webhook retry schedule times this (dev: hours become seconds)
    resources: Resources = field(init=False)
    function_env: dict[str, str] = field(default_factory=dict, init=False)  # what every function's Lambda sees
    _server: moto_patches.LocalMotoServer | None = field(default=None, init=False)
    _saved_env: dict[str, str] | None = field(default=None, init=False)
    _relay: OutboxRelay | None = field(default=None, init=False)
    _audit_export: AuditStreamExporter | None = field(default=None, init=False)
    _aggregates: AggregateStreamPoller | None = field(default=None, init=False)
    _bank_file_drop: BankFileDrop | None = field(default=None, init=False)
    _webhooks: LocalWebhookDispatch | None = field(default=None, init=False)

    def __enter__(self) -> LocalEnvironment:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        return self.resources.endpoint_url

    def start(self) -> None:
        invoke.ensure_source_paths()
        invoke.on_environment_change(_clear_caches)
        moto_patches.install(self._invoke)
        moto_patches.set_max_wait(self.max_wait_seconds)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request access log
        self._server = moto_patches.LocalMotoServer(ip_address=self.host, port=0, verbose=False)
        self._server.start()
        port = self._server.get_host_and_port()[1]
        self._saved_env = dict(os.environ)
        endpoint = f"http://{self.host}:{port}"
        os.environ.update(
            {
                "MOTO_PORT": str(port),  # moto's own clients (Step Functions' integrations) read it
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                aws.READ_TIMEOUT_ENV: "60",  # see arportal.adapters.aws: moto under load is slower than DynamoDB
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        _clear_caches()
        external_system.start_demo(self.host)  # before the functions exist: their BALANCE_SOURCES name it
        self.resources = create_all(
            self.config, endpoint_url=endpoint, region=REGION, webhook_retry_scale=self.webhook_retry_scale
        )
        self.function_env = self.resources.runtime_environment(self.config)
        os.environ.update(self.function_env)
        _clear_caches()
        self._relay = OutboxRelay(
            dynamodb=self.client("dynamodb"),
            streams=self.client("dynamodbstreams"),
            events=self.client("events"),
            table=self.resources.ledger_table,
            bus=self.resources.event_bus,
        )
        if self.relay_interval_s:
            self._relay.start(self.relay_interval_s)
        self._audit_export = AuditStreamExporter(
            dynamodb=self.client("dynamodb"),
            streams=self.client("dynamodbstreams"),
            table=self.resources.audit_table,
            deliver=lambda event: self._invoke(
                "audit_exporter", "audit_exporter.handler.lambda_handler", self.function_env, event
            ),
        )
        if self.relay_interval_s:
            self._audit_export.start(max(self.relay_interval_s, 2.0))
        self._aggregates = AggregateStreamPoller(
            dynamodb=self.client("dynamodb"),
            streams=self.client("dynamodbstreams"),
            table=self.resources.ledger_table,
            deliver=lambda event: self._invoke(
                "aggregate_builder", "aggregate_builder.handler.lambda_handler", self.function_env, event
            ),
        )
        if self.relay_interval_s:
            self._aggregates.start(max(self.relay_interval_s, 2.0))
        self._bank_file_drop = BankFileDrop(
            s3=self.client("s3"),
            bucket=self.resources.import_bucket,
            region=REGION,
            deliver=lambda event: self._invoke(
                "workflow_tasks", "workflow_tasks.handler.lambda_handler", self.function_env, event
            ),
        )
        if self.relay_interval_s:
            self._bank_file_drop.start(max(self.relay_interval_s, 2.0))
        self._webhooks = LocalWebhookDispatch(
            sqs=self.client("sqs"),
            queue_url=self.resources.webhooks_queue_url,
            queue_arn=self.resources.webhooks_queue_arn,
            region=REGION,
            invoke=lambda event: self._invoke(
                "webhook_dispatcher", "webhook_dispatcher.handler.lambda_handler", self.function_env, event
            ),
        )
        if self.relay_interval_s:
            self._webhooks.start(sweep_every_s=1.0)

    def stop(self) -> None:
        if self._relay is not None:
            self._relay.stop()
        external_system.stop_demo()
        if self._webhooks is not None:
            self._webhooks.stop()
        if self._audit_export is not None:
            self._audit_export.stop()
        if self._aggregates is not None:
            self._aggregates.stop()
        if self._bank_file_drop is not None:
            self._bank_file_drop.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()  # moto's state lives in module globals: leave none behind
        if self._saved_env is not None:
            os.environ.clear()
            os.environ.update(self._saved_env)
            self._saved_env = None
        _clear_caches()

    def configure(self, **variables: str) -> None:
        """Change the functions' environment (e.g. ``APPROVAL_THRESHOLD_MINOR="100"``) everywhere it lives: the
        Lambda configurations, this process, and the cached settings. (A plain ``os.environ`` change is undone
        for the length of each invocation, which runs with its function's configured environment.)"""
        self.function_env.update(variables)
        lambda_ = self.client("lambda")
        for arn in self.resources.functions.values():
            lambda_.update_function_configuration(FunctionName=arn, Environment={"Variables": self.function_env})
        os.environ.update(variables)
        _clear_caches()

    def _invoke(self, function_name: str, handler: str, env: dict[str, str], event: Any) -> Any:
        """A Lambda invocation through moto (Step Functions' Task states): run here, log what fails."""
        arn = next((a for a in self.resources.functions.values() if a.endswith(":" + function_name)), "")
        try:
            return invoke.invoke(function_name, handler, env, event, arn=arn)
        except Exception:
            logger.warning("%s failed (the caller sees the error)", function_name, exc_info=True)
            raise

    # --- clients ------------------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        return _client(service, self.resources.endpoint_url)

    # --- users --------------------------------------------------------------------------------------------

    def create_user(
        self,
        email: str,
        *,
        customer_id: str | None = None,
        groups: tuple[str, ...] | list[str] = (),
        name: str | None = None,
        password: str = DEMO_PASSWORD,
    ) -> LocalUser:
        """A confirmed user with a permanent password: a staff user when ``groups`` is given, else a customer
        (linked to ``customer_id`` through the ``custom:customer_id`` attribute)."""
        audience: Audience = "staff" if groups else "customer"
        pool = self.resources.staff_pool_id if groups else self.resources.customer_pool_id
        cognito = self.client("cognito-idp")
        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        if name:
            attributes.append({"Name": "name", "Value": name})
        if customer_id:
            attributes.append({"Name": "custom:customer_id", "Value": customer_id})
        user = cognito.admin_create_user(
            UserPoolId=pool, Username=email, UserAttributes=attributes, MessageAction="SUPPRESS"
        )["User"]
        cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
        for group in groups:
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
        sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
        return LocalUser(email, audience, sub, customer_id, tuple(groups))

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Tokens:
        """USER_PASSWORD_AUTH against the staff pool, then the customer pool; ``LoginError`` if a challenge comes."""
        result = self.sign_in(username, password)
        if isinstance(result, Challenge):
            raise LoginError(f"{username} must answer {result.name} first (sign in in a browser)")
        return result

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> Tokens | Challenge:
        """USER_PASSWORD_AUTH against the staff pool, then the customer pool: tokens, or the challenge to answer."""
        cognito = self.client("cognito-idp")
        pools: list[tuple[Audience, str]] = [
            ("staff", self.resources.staff_client_id),
            ("customer", self.resources.customer_client_id),
        ]
        for audience, client_id in pools:
            try:
                answer = cognito.initiate_auth(
                    ClientId=client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username, "PASSWORD": password},
                )
            except cognito.exceptions.NotAuthorizedException as exc:
                if "attempts exceeded" in str(exc):
                    raise LoginError("too many failed attempts: wait, then try again", locked=True) from exc
                continue
            except cognito.exceptions.UserNotFoundException:
                continue
            if "ChallengeName" in answer:
                return Challenge(answer["ChallengeName"], answer["Session"], audience)
            result = answer["AuthenticationResult"]
            return Tokens(result["IdToken"], result["AccessToken"], result["RefreshToken"], audience)
        raise LoginError("incorrect username or password")

    # --- events -------------------------------------------------------------------------------------------

    def relay_once(self) -> int:
        assert self._relay is not None, "start() first"
        return self._relay.relay_once()

    def export_audit_once(self) -> int:
        """Copy new audit records to the Object Lock bucket through the real exporter (dev does it every 2 s)."""
        assert self._audit_export is not None, "start() first"
        return self._audit_export.export_once()

    def aggregate_once(self) -> int:
        """Fold new outbox events into the daily totals through the real aggregate builder (dev: every 2 s)."""
        assert self._aggregates is not None, "start() first"
        return self._aggregates.aggregate_once()

    def rebuild_daily_totals(self, start: object, end: object) -> dict[str, Any]:
        """Fold every payment taken from ``start`` to ``end`` (dates) into the daily totals, as the deployed
        function's direct invocation does: for records written without events (tests' and the seed's bulk loads)."""
        event = {"rebuild": {"from": str(start), "to": str(end)}}
        answer: dict[str, Any] = self._invoke(
            "aggregate_builder", "aggregate_builder.handler.lambda_handler", self.function_env, event
        )
        return answer

    def drop_bank_files_once(self) -> list[Any]:
        """The import bucket's notification of bank files put under bank-files/inbox/ since the last call."""
        assert self._bank_file_drop is not None
        return self._bank_file_drop.deliver_once()

    def deliver_webhooks_once(self) -> int:
        """Hand what the bus put on the webhooks queue to the dispatcher (dev long-polls it); how many events."""
        assert self._webhooks is not None, "start() first"
        return self._webhooks.deliver_once()

    def sweep_webhooks(self, now: datetime | None = None) -> dict[str, Any]:
        """Run the dispatcher's sweep (dev runs it every second), at ``now`` if given (on a frozen clock meanwhile)."""
        assert self._webhooks is not None, "start() first"
        if now is None:
            return self._webhooks.sweep_once()
        with clock.using(clock.FrozenClock(now)):
            return self._webhooks.sweep_once()

    def drain_events(self) -> list[dict[str, Any]]:
        """Every event that reached the bus since the last drain (EventBridge envelopes, oldest first)."""
        sqs = self.client("sqs")
        events: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(
                QueueUrl=self.resources.events_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                break
            events.extend(json.loads(m["Body"]) for m in messages)
            sqs.delete_message_batch(
                QueueUrl=self.resources.events_queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
        return sorted(events, key=lambda e: e.get("time", ""))


def _clear_caches() -> None:
    from arportal.adapters.aws import client
    from arportal.config import settings

    settings.cache_clear()
    client.cache_clear()
    _client.cache_clear()


@cache
def _client(service: str, endpoint_url: str) -> Any:
    return boto3.session.Session(region_name=REGION).client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]
