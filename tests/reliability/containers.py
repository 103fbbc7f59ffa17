"""Threads as concurrent Lambda containers, for tests that send simultaneous requests through the in-process
gateway: the local runtime's own per-thread request isolation (``local/containers.py``), applied to ``app``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from local.containers import isolate_requests


@contextmanager
def one_container_per_thread(app: Any) -> Iterator[None]:
    isolate_requests(app)
    yield
