"""One botocore data loader for every session in the process.

Each ``boto3.session.Session`` parses botocore's JSON again: its endpoints (~1 MB) and the model of every service
it makes a client for. The local runtime makes sessions of its own (its clients, the resources it creates, the
demo external system) and moto makes more (its region lists), so start-up parsed the same files over and over
(~20% of ``python -m local``'s start). They share one loader per data path here; what it caches is what one
session already shares between its own clients. (moto's own loader, which adds its extras to the models it reads
to answer requests, is left alone.)
"""

from __future__ import annotations

import threading

from botocore import loaders, session

_create_loader = loaders.create_loader
_loaders: dict[str | None, loaders.Loader] = {}
_lock = threading.Lock()


def _shared_loader(search_path_string: str | None = None) -> loaders.Loader:
    with _lock:
        loader = _loaders.get(search_path_string)
        if loader is None:
            loader = _loaders[search_path_string] = _create_loader(search_path_string)
        return loader


def install() -> None:
    """Idempotent; sessions created before it keep their own loader."""
    session.create_loader = _shared_loader  # type: ignore[attr-defined]
