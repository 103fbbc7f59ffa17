"""What a connected system may do: the OAuth 2.0 scopes of the ``integrations`` resource server.

One catalogue, read by CDK (the resource server and each app client's allowed scopes), by the local runtime (the
same, in moto, and its token endpoint) and by the handlers (each integration route names the scope it needs). A
token carries full names, ``integrations/<scope>``; code and configuration use the short name.

Standard library only: CDK imports it at synth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RESOURCE_SERVER = "integrations"


@dataclass(frozen=True)
class IntegrationScope:
    name: str  # short: "invoices.write"
    description: str

    @property
    def full_name(self) -> str:
        return full_name(self.name)


SCOPES: tuple[IntegrationScope, ...] = (
    IntegrationScope("customers.write", "Create and update customers and their accounts"),
    IntegrationScope("invoices.write", "Create, update and void invoices, credit notes and sales orders"),
    IntegrationScope("documents.write", "Upload documents for customers: tax forms and notices"),
    IntegrationScope("imports.write", "Start bulk file imports and read their progress and error reports"),
    IntegrationScope("events.read", "Read the feed of every event the platform published"),
    IntegrationScope("payments.read", "Read payments and their allocations to the source system's invoices"),
    IntegrationScope("balances.read", "Compare the source system's invoice balances with the platform's"),
    IntegrationScope(
        "webhooks.manage",
        "Manage webhook endpoints: register, change and remove them, read their delivery log, replay, rotate secrets",
    ),
    IntegrationScope("bank_files.write", "Send the agency's bank statements (BAI2, camt.053/054, lockbox)"),
)
SCOPE_NAMES: frozenset[str] = frozenset(scope.name for scope in SCOPES)


def full_name(name: str) -> str:
    """``invoices.write`` -> ``integrations/invoices.write`` (what a token's ``scope`` claim carries)."""
    return f"{RESOURCE_SERVER}/{name}"


def all_full_names() -> list[str]:
    return [scope.full_name for scope in SCOPES]


def description_of(name: str) -> str | None:
    """What a full scope name grants, in words (for people choosing or reviewing a client's scopes); None when it
    is not one of the catalogue's (such a scope grants nothing here)."""
    prefix = f"{RESOURCE_SERVER}/"
    short = name.removeprefix(prefix) if name.startswith(prefix) else None
    return next((scope.description for scope in SCOPES if scope.name == short), None)


def granted(scope_claim: str | None) -> frozenset[str]:
    """The catalogue's short names a token's ``scope`` claim (space separated full names) grants; anything else
    in it (another resource server's scope, a scope no longer in the catalogue) grants nothing here."""
    prefix = f"{RESOURCE_SERVER}/"
    return frozenset(
        short
        for word in (scope_claim or "").split()
        if word.startswith(prefix) and (short := word.removeprefix(prefix)) in SCOPE_NAMES
    )


def unknown(names: Iterable[str]) -> list[str]:
    """The names that are not in the catalogue, in the order given (for an error message that names each)."""
    return [name for name in names if name not in SCOPE_NAMES]
