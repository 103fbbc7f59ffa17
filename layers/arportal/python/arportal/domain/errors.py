"""Domain errors. The API layer maps each to one HTTP status (``arportal.api.errors``)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(DomainError):
    code = "not_found"


class UnauthorizedError(DomainError):
    """The credential presented (a token) is missing, expired, altered or not this agency's; never says which."""

    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


class ConflictError(DomainError):
    """A conditional write lost a race or found the state it expected changed; safe to retry."""

    code = "conflict"


class BusinessRuleError(DomainError):
    """The request is well-formed but the ledger's rules refuse it (e.g. a void after settlement)."""

    code = "rule_violation"


class DependencyError(DomainError):
    """A storage or upstream service failed; the caller may retry."""

    code = "dependency_failure"


class ActionRequiredError(DomainError):
    """The payer must act in their browser (3-D Secure) before the charge is decided: nothing is posted. The
    details carry what their browser needs (the processor's client secret); the same request sent again with the
    same Idempotency-Key once they have acted completes the payment."""

    code = "action_required"
