"""Calling a function's Lambda handler in this process, as the Lambda runtime would.

Both paths into our code use it: the HTTP gateway (API Gateway -> Lambda) and moto's Lambda service (Step
Functions ``lambda:invoke`` -> Lambda, via ``moto_patches``). A handler module is imported lazily, on first
call, so the gateway starts even while a function is still being written.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from infrastructure import catalog
from local.containers import isolate_requests

Handler = Callable[[Any, Any], Any]

SOURCE_PATHS = (catalog.FUNCTIONS_DIR, catalog.LAYER_DIR / "python", catalog.ROOT)
_env_lock = threading.Lock()
_cache_invalidators: list[Callable[[], None]] = []


class HandlerUnavailableError(Exception):
    """The function's handler module does not exist (yet) or failed to import."""


def ensure_source_paths() -> None:
    """What the Lambda runtime puts on the path: the function's package root and the layer."""
    for path in SOURCE_PATHS:
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def on_environment_change(invalidate: Callable[[], None]) -> None:
    """Register a cache to clear when a call changes the environment (settings, boto3 clients)."""
    if invalidate not in _cache_invalidators:
        _cache_invalidators.append(invalidate)


@dataclass
class LambdaContext:
    """The attributes and method of the Lambda context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_s: int = 15
    invoked_function_arn: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    identity: Any = None
    client_context: Any = None
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def import_handler(dotted: str) -> Handler:
    """``portal_api.handler.lambda_handler`` -> the function object."""
    ensure_source_paths()
    module_name, _, attribute = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise HandlerUnavailableError(f"no module {module_name!r} ({exc})") from exc
    except Exception as exc:  # a syntax or import-time error in the handler: the function cannot start
        raise HandlerUnavailableError(f"{module_name} failed to import: {exc!r}") from exc
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise HandlerUnavailableError(f"{module_name} has no callable {attribute!r}")
    resolver = getattr(module, "app", None)
    if resolver is not None and hasattr(resolver, "resolve"):
        isolate_requests(resolver)  # many threads, one process: each request keeps its own event
    return handler  # type: ignore[no-any-return]


@contextmanager
def function_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Apply a function's variables for one call. The local runtime sets the same variables process-wide, so
    this is normally a no-op; a difference is applied under a lock and undone afterwards."""
    changed = {k: v for k, v in env.items() if os.environ.get(k) != v}
    if not changed:
        yield
        return
    with _env_lock:
        saved = {k: os.environ.get(k) for k in changed}
        os.environ.update(changed)
        _invalidate()
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            _invalidate()


def _invalidate() -> None:
    for invalidate in _cache_invalidators:
        invalidate()


def invoke(
    function_name: str,
    handler: str | Handler,
    env: Mapping[str, str],
    event: Any,
    *,
    arn: str = "",
) -> Any:
    """Run one invocation; the handler's exceptions propagate to the caller (gateway or moto patch)."""
    spec = next((f for f in catalog.FUNCTIONS if f.name == function_name or function_name.endswith(f.name)), None)
    target = import_handler(handler) if isinstance(handler, str) else handler
    context = LambdaContext(
        function_name=function_name,
        memory_limit_in_mb=spec.memory_mb if spec else 512,
        timeout_s=spec.timeout_s if spec else 15,
        invoked_function_arn=arn,
    )
    with function_environment(env):
        return target(event, context)
