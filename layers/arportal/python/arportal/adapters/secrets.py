"""Secrets Manager: a secret's value, read once per container (a secret read costs a round trip and money)."""

from __future__ import annotations

from functools import cache

from arportal.adapters.aws import client
from arportal.domain.errors import DependencyError


@cache
def secret_string(arn: str) -> str:
    """The secret's current string value; ``DependencyError`` when it cannot be read or is not configured.

    Cached for the container's life: rotating a secret reaches warm containers when they are recycled, which
    for the short-lived tokens signed with these keys is the intended behaviour (no token outlives 15 minutes).
    """
    if not arn:
        raise DependencyError("a secret this function needs is not configured")
    try:
        value = client("secretsmanager").get_secret_value(SecretId=arn).get("SecretString")
    except Exception as exc:  # any botocore failure: the secret could not be read
        raise DependencyError("a secret could not be read") from exc
    if not value:
        raise DependencyError("a secret this function needs is empty")
    return str(value)
