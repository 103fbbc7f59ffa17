"""boto3 clients, created once per container with timeouts and retries suited to an API behind a gateway.

Only the low-level clients are used (resources cost import time and hide the wire format).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

READ_TIMEOUT_ENV = "ARPORTAL_AWS_READ_TIMEOUT_S"
_READ_TIMEOUT_S = 5.0  # well inside API Gateway's 29 s, with room for the retries below


def _config(service: str) -> Config:
    # The local runtime raises the read timeout: moto, in one process on a busy laptop, can take longer than
    # DynamoDB ever does, and a timed-out write that had committed would come back as a replay, not a first answer.
    # S3 URLs are presigned with Signature Version 4: botocore still presigns them with version 2 unless told,
    # which S3 refuses for objects under a KMS key (every bucket of ours).
    return Config(
        connect_timeout=2,
        read_timeout=float(os.environ.get(READ_TIMEOUT_ENV) or _READ_TIMEOUT_S),
        retries={"mode": "standard", "total_max_attempts": 3},
        signature_version="s3v4" if service == "s3" else None,
    )


@cache
def client(service: str) -> Any:
    """A shared client; tests that swap endpoints call ``client.cache_clear()``."""
    return boto3.client(service, config=_config(service))  # type: ignore[call-overload]
