"""The agency's logo for documents: a JPEG at ``branding/logo.jpg`` in the documents bucket, drawn when present.

Read once per container (a logo changes rarely, and a cold start pays one GetObject at most); a missing or
unreadable logo is not an error, the documents are simply drawn without it.
"""

from __future__ import annotations

import threading

from aws_lambda_powertools import Logger

from arportal.adapters.pdf.writer import JpegInfo
from arportal.adapters.s3 import S3DocumentStore
from arportal.domain.errors import DependencyError

LOGO_KEY = "branding/logo.jpg"
MAX_LOGO_BYTES = 512 * 1024
logger = Logger(service="arportal")
_cache: dict[str, bytes | None] = {}
_lock = threading.Lock()


def agency_logo(store: S3DocumentStore) -> bytes | None:
    """The logo's JPEG bytes, or None when there is none (or it is not a usable JPEG)."""
    with _lock:
        if store.bucket in _cache:
            return _cache[store.bucket]
    try:
        data: bytes | None = store.get(LOGO_KEY)
    except DependencyError:
        data = None  # no logo uploaded: documents go without one
    if data is not None:
        try:
            JpegInfo(data)
        except (ValueError, IndexError):
            logger.warning("the logo at %s is not a JPEG; documents are drawn without it", LOGO_KEY)
            data = None
        else:
            if len(data) > MAX_LOGO_BYTES:
                logger.warning("the logo is over %d bytes; documents are drawn without it", MAX_LOGO_BYTES)
                data = None
    with _lock:
        _cache[store.bucket] = data
    return data


def forget_logo() -> None:
    """Tests and the local runtime's branding upload call this to read the logo again."""
    with _lock:
        _cache.clear()
