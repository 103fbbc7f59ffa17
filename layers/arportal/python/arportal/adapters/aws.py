"""boto3 clients, created once per container with timeouts and retries suited to an API behind a gateway.

Only the low-level clients are used (resources cost import time and hide the wire format).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


@cache
def client(service: str) -> Any:
    """A shared client; tests that swap endpoints call ``client.cache_clear()``."""
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]
