"""Connected systems, without AWS: the scope catalogue, the caller a machine token proves, the one permission that
manages clients, rotating and retiring secrets (with the audit record before or with each change), and the local
token endpoint's claims and verification."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from arportal.api.errors import ApiError
from arportal.api.identity import caller_from_claims, require_customer, require_machine, require_scope, require_staff
from arportal.domain import integration_scopes
from arportal.domain.errors import ConflictError, DependencyError, NotFoundError
from arportal.domain.identity import Audience
from arportal.domain.models import AuditEvent, Channel
from arportal.domain.permissions import ROLE_PERMISSIONS, Permission, Role
from arportal.ports.integrations import ClientSecret, IntegrationClient, NewSecret
from arportal.services import integration_clients
from local.auth import Pool, TokenError, TokenVerifier, issuer_of
from local.oauth import access_token_claims
from tests.unit.test_identity import ISS, SETTINGS

MACHINE_SETTINGS = SETTINGS.model_copy(update={"integrations_pool_id": "us-east-1_Machines"})
MACHINE_ISS = ISS + "us-east-1_Machines"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


# --- the scope catalogue ------------------------------------------------------------------------------------------


def test_the_catalogue_is_the_decided_scopes_of_one_resource_server() -> None:
    assert [s.name for s in integration_scopes.SCOPES] == [
        "customers.write",
        "invoices.write",
        "documents.write",
        "imports.write",
        "events.read",
        "payments.read",
        "balances.read",
        "webhooks.manage",
        "bank_files.write",
    ]
    assert all(s.description for s in integration_scopes.SCOPES)
    assert integration_scopes.full_name("events.read") == "integrations/events.read"
    assert integration_scopes.all_full_names() == [s.full_name for s in integration_scopes.SCOPES]


def test_a_scope_claim_grants_only_catalogue_scopes_of_the_integrations_server() -> None:
    claim = "integrations/events.read other/events.read integrations/nope aws.cognito.signin.user.admin"
    assert integration_scopes.granted(claim) == {"events.read"}
    assert integration_scopes.granted(None) == frozenset()
    assert integration_scopes.unknown(["events.read", "event.read", "integrations/events.read"]) == [
        "event.read",
        "integrations/events.read",
    ]


def test_a_full_scope_name_is_described_only_when_it_is_the_catalogues() -> None:
    assert integration_scopes.description_of("integrations/events.read") == integration_scopes.SCOPES[4].description
    for other in ("events.read", "other/events.read", "integrations/nope", ""):
        assert integration_scopes.description_of(other) is None, other


def test_the_documented_scopes_are_the_catalogue() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "integrations.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `integrations/([a-z_.]+)` \| (.+?) \|$", doc, flags=re.MULTILINE)
    assert rows == [(s.name, s.description) for s in integration_scopes.SCOPES]


def test_only_admins_manage_integration_clients() -> None:
    holders = {role for role, granted in ROLE_PERMISSIONS.items() if Permission.INTEGRATIONS_MANAGE in granted}
    assert holders == {Role.ADMIN}


# --- the caller ---------------------------------------------------------------------------------------------------


def _machine_claims(**overrides: Any) -> dict[str, Any]:
    claims = {
        "sub": "client1",
        "client_id": "client1",
        "iss": MACHINE_ISS,
        "token_use": "access",
        "scope": "integrations/invoices.write integrations/events.read",
    }
    return {**claims, **overrides}


def test_a_machine_token_is_a_connected_system_named_by_its_app_client() -> None:
    caller = caller_from_claims(_machine_claims(), MACHINE_SETTINGS, client_names={"client1": "tax-system"}.get)
    assert caller.audience is Audience.MACHINE and caller.subject == "client1"
    assert caller.scopes == {"invoices.write", "events.read"}
    assert caller.actor == "system:tax-system"
    assert caller.channel is Channel.INTEGRATION
    assert require_scope(caller, "invoices.write") is caller
    assert require_machine(caller) is caller


def test_a_machine_token_needs_the_routes_own_scope() -> None:
    caller = caller_from_claims(_machine_claims(), MACHINE_SETTINGS)
    assert caller.client_name is None and caller.actor == "system:client1"  # no lookup: named by its id
    with pytest.raises(ApiError) as refused:
        require_scope(caller, "payments.read")
    assert (refused.value.status, refused.value.code) == (HTTPStatus.FORBIDDEN, "insufficient_scope")
    assert refused.value.details == {"needs": "integrations/payments.read"}


@pytest.mark.parametrize(
    "claims",
    [
        _machine_claims(token_use="id"),
        _machine_claims(client_id=""),
        {k: v for k, v in _machine_claims().items() if k != "client_id"},
    ],
)
def test_anything_but_an_access_token_of_a_client_is_401(claims: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as refused:
        caller_from_claims(claims, MACHINE_SETTINGS)
    assert refused.value.status is HTTPStatus.UNAUTHORIZED


def test_a_deleted_client_and_an_unconfigured_pool_are_401() -> None:
    with pytest.raises(ApiError) as refused:
        caller_from_claims(_machine_claims(), MACHINE_SETTINGS, client_names=lambda _: None)
    assert refused.value.status is HTTPStatus.UNAUTHORIZED
    with pytest.raises(ApiError) as refused:  # INTEGRATIONS_POOL_ID unset: no pool is the machines'
        caller_from_claims(_machine_claims(), SETTINGS)
    assert refused.value.status is HTTPStatus.UNAUTHORIZED


def test_machines_and_people_keep_to_their_own_routes() -> None:
    machine = caller_from_claims(_machine_claims(), MACHINE_SETTINGS)
    staff = caller_from_claims({"sub": "s", "iss": ISS + "us-east-1_Staff", "cognito:groups": "admin"}, SETTINGS)
    customer = caller_from_claims({"sub": "c", "iss": ISS + "us-east-1_Cust", "custom:customer_id": "CUS-1"}, SETTINGS)
    for refuse in (
        lambda: require_staff(machine, Permission.CUSTOMERS_READ),
        lambda: require_customer(machine),
        lambda: require_machine(staff),
        lambda: require_scope(customer, "events.read"),
    ):
        with pytest.raises(ApiError) as refused:
            refuse()
        assert refused.value.status is HTTPStatus.FORBIDDEN
    assert not machine.can(Permission.CUSTOMERS_READ) and not staff.has_scope("events.read")
    assert staff.channel is None and customer.channel is Channel.PORTAL


# --- rotating and retiring secrets --------------------------------------------------------------------------------


class FakeClients:
    def __init__(self, *secret_ids: str) -> None:
        self.current = IntegrationClient(
            "client1",
            "tax-system",
            ("integrations/events.read",),
            tuple(ClientSecret(s, NOW) for s in secret_ids),
        )
        self.deleted: list[str] = []

    def list_clients(self) -> list[IntegrationClient]:
        return [self.current]

    def client(self, client_id: str) -> IntegrationClient:
        if client_id != self.current.client_id:
            raise NotFoundError("no such client")
        return self.current

    def add_secret(self, client_id: str) -> NewSecret:
        added = NewSecret(f"{client_id}--2", "value-2", NOW + timedelta(seconds=1))
        self.current = replace(self.current, secrets=(*self.current.secrets, ClientSecret(added.secret_id, NOW)))
        return added

    def delete_secret(self, client_id: str, secret_id: str) -> None:
        self.deleted.append(secret_id)
        self.current = replace(self.current, secrets=tuple(s for s in self.current.secrets if s.secret_id != secret_id))

    def name_of(self, client_id: str) -> str | None:
        return self.current.client_name


class FakeAudit:
    def __init__(self, *, fail: bool = False) -> None:
        self.events: list[AuditEvent] = []
        self.fail = fail

    def record(self, event: AuditEvent) -> None:
        if self.fail:
            raise DependencyError("audit table unavailable")
        self.events.append(event)


def test_a_rotation_adds_a_secret_and_audits_it_without_its_value() -> None:
    clients, audit = FakeClients("client1--1"), FakeAudit()
    added = integration_clients.rotate_secret(clients, audit, "client1", actor="staff:a@b.org", now=NOW)
    assert added.value == "value-2"
    (event,) = audit.events
    assert (event.entity_type, event.entity_id, event.action, event.actor) == (
        "integration_client",
        "client1",
        "integration_client.secret_added",
        "staff:a@b.org",
    )
    assert event.after == {"client_name": "tax-system", "secret_id": "client1--2"}
    assert "value-2" not in event.model_dump_json()


def test_a_third_secret_is_a_conflict_and_an_unaudited_secret_is_taken_back() -> None:
    with pytest.raises(ConflictError):
        integration_clients.rotate_secret(FakeClients("a", "b"), FakeAudit(), "client1", actor="staff:x", now=NOW)
    clients = FakeClients("client1--1")
    with pytest.raises(DependencyError):
        integration_clients.rotate_secret(clients, FakeAudit(fail=True), "client1", actor="staff:x", now=NOW)
    assert clients.deleted == ["client1--2"]
    assert [s.secret_id for s in clients.current.secrets] == ["client1--1"]


def test_retiring_audits_first_and_refuses_the_last_or_an_unknown_secret() -> None:
    clients, audit = FakeClients("client1--1", "client1--2"), FakeAudit()
    integration_clients.retire_secret(clients, audit, "client1", "client1--1", actor="staff:x", now=NOW)
    assert clients.deleted == ["client1--1"] and audit.events[0].action == "integration_client.secret_deleted"
    with pytest.raises(ConflictError):
        integration_clients.retire_secret(clients, audit, "client1", "client1--2", actor="staff:x", now=NOW)
    with pytest.raises(NotFoundError):
        integration_clients.retire_secret(clients, audit, "client1", "client1--9", actor="staff:x", now=NOW)
    failing = FakeClients("client1--1", "client1--2")
    with pytest.raises(DependencyError):  # no record, no deletion
        integration_clients.retire_secret(failing, FakeAudit(fail=True), "client1", "client1--1", actor="x", now=NOW)
    assert failing.deleted == []


# --- the local token endpoint's tokens ----------------------------------------------------------------------------

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
POOL = "us-east-1_Machines"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(claims: dict[str, Any]) -> str:
    head = _b64(json.dumps({"kid": "k1", "alg": "RS256"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = KEY.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(signature)}"


def _jwks(_: str) -> dict[str, Any]:
    numbers = KEY.public_key().public_numbers()
    as_b64 = {
        name: _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))
        for name, value in (("n", numbers.n), ("e", numbers.e))
    }
    return {"keys": [{"kty": "RSA", "kid": "k1", **as_b64}]}


def test_access_token_claims_are_cognitos_for_client_credentials() -> None:
    claims = access_token_claims(
        client_id="client1", scopes=["integrations/events.read"], issuer=issuer_of("us-east-1", POOL), now=1000, jti="j"
    )
    assert claims == {
        "sub": "client1",
        "token_use": "access",
        "scope": "integrations/events.read",
        "auth_time": 1000,
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}",
        "exp": 4600,
        "iat": 1000,
        "version": 2,
        "jti": "j",
        "client_id": "client1",
    }


def test_the_machine_pool_takes_access_tokens_and_the_people_pools_id_tokens() -> None:
    machines = Pool(POOL, "", issuer_of("us-east-1", POOL), "jwks", "machine")
    people = Pool("us-east-1_Staff", "web", issuer_of("us-east-1", "us-east-1_Staff"), "jwks")
    verifier = TokenVerifier([machines, people], fetch=_jwks, clock=lambda: 2000)
    access = access_token_claims(client_id="c", scopes=[], issuer=machines.issuer, now=1000, jti="j")
    assert verifier.kind(verifier.verify(_sign(access))) == "machine"
    with pytest.raises(TokenError, match="access token"):
        verifier.verify(_sign({**access, "token_use": "id"}))
    with pytest.raises(TokenError, match="expired"):
        TokenVerifier([machines], fetch=_jwks, clock=lambda: 5000).verify(_sign(access))
    person = {"iss": people.issuer, "token_use": "id", "aud": "web", "exp": 3000, "sub": "s"}
    assert verifier.kind(verifier.verify(_sign(person))) == "user"
    with pytest.raises(TokenError, match="ID token"):
        verifier.verify(_sign({**person, "token_use": "access"}))
