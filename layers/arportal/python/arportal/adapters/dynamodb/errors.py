"""Translate DynamoDB client errors into domain errors (the only place that reads AWS error codes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from arportal.domain.errors import ConflictError, DependencyError

_CONFLICT_CODES = {"ConditionalCheckFailedException", "TransactionConflictException"}


@contextmanager
def translated(operation: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _CONFLICT_CODES:
            raise ConflictError(f"{operation}: the record changed; retry", details={"code": code}) from exc
        if code == "TransactionCanceledException":
            reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            if any(r in {"ConditionalCheckFailed", "TransactionConflict"} for r in reasons):
                raise ConflictError(
                    f"{operation}: a condition failed; nothing was written", details={"reasons": reasons}
                ) from exc
        raise DependencyError(f"{operation}: storage error {code}", details={"code": code}) from exc
    except BotoCoreError as exc:
        raise DependencyError(f"{operation}: storage unreachable") from exc
