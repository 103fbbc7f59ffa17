"""Which IAM actions each function's code really needs: recorded while its handlers run in the local runtime.

``recording()`` wraps ``local.invoke.invoke`` (every way into a handler: the gateway, Step Functions' Task states
through moto, the stream pollers, the schedules) so that the function being run is known, and records every AWS
request the code signs while it runs: an API call (``BaseClient._make_api_call``) or a presigned URL or POST
(``RequestSigner.sign``, which the browser or a connected system later uses with the function's credentials).
Each is turned into the IAM action(s) it needs (``iam_actions``). Worker threads a handler starts
(``ThreadPoolExecutor``) inherit the function. Calls made outside any handler (test set-up, the local runtime's
own pollers, moto's Step Functions integrations) are nobody's and are not recorded.

As a pytest plugin (``pytest -p tests.iam_calls tests/integration``, with or without xdist) it records a whole run,
writes what each function called to ``build/iam-calls.json`` (or ``$ARPORTAL_IAM_CALLS_REPORT``) and fails the
session when a function made a call its row of ``infrastructure/permissions.py`` does not declare.
``tests/infrastructure/test_least_privilege.py`` runs a set of integration journeys that way.
"""

from __future__ import annotations

import contextvars
import json
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.signers import RequestSigner

from infrastructure import catalog, permissions

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("iam_calls_function", default=None)

# IAM's service prefix where it differs from the service's signing name.
_PREFIXES = {"monitoring": "cloudwatch"}
# API operations authorized by other action names (the IAM service authorization reference of each service).
_S3_ACTIONS = {
    "HeadObject": ("GetObject",),
    "ListObjectsV2": ("ListBucket",),
    "ListObjects": ("ListBucket",),
    "HeadBucket": ("ListBucket",),
    "CopyObject": ("GetObject", "PutObject"),
    "DeleteObjects": ("DeleteObject",),
    "PutObjectRetention": ("PutObjectRetention",),
}
_DYNAMODB_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_OTHER_ACTIONS = {("lambda", "Invoke"): ("InvokeFunction",)}
# Asked of moto by our clients but needing no permission at all.
_UNAUTHORIZED = {("sts", "GetCallerIdentity")}


def iam_actions(prefix: str, operation: str, params: Mapping[str, Any] | None = None) -> set[str]:
    """The IAM actions an AWS request needs: ``dynamodb:TransactWriteItems`` is each item's own action."""
    prefix = _PREFIXES.get(prefix, prefix)
    if (prefix, operation) in _UNAUTHORIZED:
        return set()
    if prefix == "dynamodb" and operation == "TransactWriteItems":
        items = (params or {}).get("TransactItems", [])
        return {f"dynamodb:{_DYNAMODB_TRANSACT[kind]}" for item in items for kind in item}
    if prefix == "dynamodb" and operation == "TransactGetItems":
        return {"dynamodb:GetItem"}
    names = (_S3_ACTIONS.get(operation) if prefix == "s3" else None) or _OTHER_ACTIONS.get((prefix, operation))
    return {f"{prefix}:{name}" for name in (names or (operation,))}


def undeclared_calls(calls: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """Per function, the actions it used that its row of ``infrastructure.permissions`` does not declare."""
    gaps = {fn: used - permissions.function_calls(fn) for fn, used in calls.items()}
    return {fn: missing for fn, missing in gaps.items() if missing}


def function_of(local_name: str) -> str:
    """The catalog name of a local function (``arportal-local-portal_api`` or ``portal_api``)."""
    spec = next((f for f in catalog.FUNCTIONS if local_name == f.name or local_name.endswith(f.name)), None)
    return spec.name if spec is not None else local_name


class Recorder:
    def __init__(self) -> None:
        self.calls: dict[str, set[str]] = defaultdict(set)

    def record(self, prefix: str, operation: str, params: Mapping[str, Any] | None = None) -> None:
        function = _current.get()
        if function is not None:
            self.calls[function] |= iam_actions(prefix, operation, params)

    def as_json(self) -> str:
        return json.dumps({fn: sorted(actions) for fn, actions in sorted(self.calls.items())}, indent=1)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record, per function, the IAM actions its handlers' AWS requests need, for the length of the block."""
    from local import invoke as local_invoke  # the local runtime; imported late, it starts nothing

    recorder = Recorder()
    original_call = BaseClient._make_api_call
    original_sign = RequestSigner.sign
    original_invoke = local_invoke.invoke
    original_submit = ThreadPoolExecutor.submit

    def make_api_call(client: BaseClient, operation: str, params: Mapping[str, Any]) -> Any:
        recorder.record(client.meta.service_model.signing_name, operation, params)
        return original_call(client, operation, params)

    def sign(signer: RequestSigner, operation: str, request: Any, *args: Any, **kwargs: Any) -> Any:
        signing_type = kwargs.get("signing_type", args[1] if len(args) > 1 else "standard")
        if signing_type != "standard":  # a presigned URL or POST: no API call of ours will follow
            recorder.record(signer.signing_name, operation)
        return original_sign(signer, operation, request, *args, **kwargs)

    def invoke(function_name: str, *args: Any, **kwargs: Any) -> Any:
        token = _current.set(function_of(function_name))
        try:
            return original_invoke(function_name, *args, **kwargs)
        finally:
            _current.reset(token)

    def submit(pool: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return original_submit(pool, contextvars.copy_context().run, fn, *args, **kwargs)

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    RequestSigner.sign = sign  # type: ignore[method-assign]
    local_invoke.invoke = invoke
    ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]
    try:
        yield recorder
    finally:
        BaseClient._make_api_call = original_call  # type: ignore[method-assign]
        RequestSigner.sign = original_sign  # type: ignore[method-assign]
        local_invoke.invoke = original_invoke
        ThreadPoolExecutor.submit = original_submit  # type: ignore[method-assign]


# --- as a pytest plugin: ``pytest -p tests.iam_calls tests/integration`` ---------------------------------------
# Each process that runs tests (the only one, or each xdist worker) records and writes its own file next to the
# report; the process that ends the session (the only one, or xdist's controller) merges them into the report and
# fails the session if a function made a call its row does not declare.

REPORT_VARIABLE = "ARPORTAL_IAM_CALLS_REPORT"
DEFAULT_REPORT = Path("build") / "iam-calls.json"
_session: list[Any] = []


def _report() -> Path:
    return Path(os.environ.get(REPORT_VARIABLE) or DEFAULT_REPORT)


def _parts() -> Path:
    return _report().with_suffix(".parts")


def pytest_configure(config: pytest.Config) -> None:
    worker = getattr(config, "workerinput", None)
    if worker is None:
        shutil.rmtree(_parts(), ignore_errors=True)
        _report().unlink(missing_ok=True)
    manager = recording()
    _session.append((manager, manager.__enter__(), (worker or {}).get("workerid", "main")))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    manager, recorder, name = _session.pop()
    manager.__exit__(None, None, None)
    _parts().mkdir(parents=True, exist_ok=True)
    (_parts() / f"{name}.json").write_text(recorder.as_json())
    if hasattr(session.config, "workerinput"):
        return
    merged: dict[str, set[str]] = defaultdict(set)
    for part in sorted(_parts().glob("*.json")):
        for fn, actions in json.loads(part.read_text()).items():
            merged[fn] |= set(actions)
    shutil.rmtree(_parts(), ignore_errors=True)
    _report().write_text(json.dumps({fn: sorted(a) for fn, a in sorted(merged.items())}, indent=1) + "\n")
    undeclared = undeclared_calls(merged)
    if undeclared:
        lines = [f"  {fn}: {', '.join(sorted(actions))}" for fn, actions in sorted(undeclared.items())]
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "Calls infrastructure/permissions.py does not declare (the deployed function would be refused):\n"
                + "\n".join(lines),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
