"""Errors of the customer portal's own rules, each with the code a client acts on.

They subclass the domain errors the HTTP edge already maps (422 for rules, 409 for conflicts, 404); only
``RateLimitedError`` needs its own answer (429 with Retry-After), given by the routes that can raise it.
"""

from __future__ import annotations

from typing import Any

from arportal.domain.errors import BusinessRuleError, ConflictError, DomainError


class RateLimitedError(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class CodedRuleError(BusinessRuleError):
    """A 422 whose code names exactly what went wrong (``wrong_code``, ``code_expired``, ...)."""

    def __init__(self, code: str, message: str, *, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.code = code


class CodedConflictError(ConflictError):
    """A 409 whose code names the state that refuses the request (``linked_to_another_customer``, ...)."""

    def __init__(self, code: str, message: str, *, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.code = code
