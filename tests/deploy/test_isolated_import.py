"""Every function imports and answers in an interpreter that has only what Lambda gives it: CPython 3.12 (``-I -S``:
no site-packages, no environment paths), the function's code asset, its layers' assets extracted as Lambda extracts
them, and the runtime's own boto3 at the version the runtime ships. Each is called once, on a route or event that
answers without AWS: a missing package, a wrong version (no API handler imports on Powertools 3.20), a file
left out of an asset, a wheel for the wrong platform or a layer shadowing another shows up here, before a deploy.

``ARPORTAL_CDK_OUT=<cloud assembly>`` checks the assets of a synthesis (``make deploy-check``); without it the
assets are packaged from this checkout as ``functions.py`` packages them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infrastructure import catalog
from infrastructure.constructs.bytecode import lambda_python
from infrastructure.constructs.vendor_layer import LOCK, canonical_name
from local.apigw import Request, build_event
from tests.deploy import lambda_layout
from tests.deploy.lambda_layout import Function

pytestmark = pytest.mark.xdist_group("deploy")  # one worker builds the layout and starts the interpreters

HELPER = Path(__file__).with_name("isolated_invoke.py")
CALL_TIMEOUT_S = 120

Check = Callable[[dict[str, Any]], None]


def _locked(name: str, lock: Path = LOCK) -> str:
    for line in lock.read_text().splitlines():
        pinned, _, version = line.partition("==")
        if version and canonical_name(pinned) == canonical_name(name):
            return version.split()[0]
    raise KeyError(name)


def _api(method: str, path: str, *, claims: dict[str, str] | None = None, body: str | None = None) -> dict[str, Any]:
    route = catalog.route_for(path.partition("?")[0])
    assert route is not None, path
    headers = [("Host", "api.example.gov"), ("User-Agent", "isolated-import")]
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    request = Request(method, path, headers, (body or "").encode())
    return build_event(request, route, stage="prod", claims=claims)


def _issuer(pool_id: str) -> str:
    return f"https://cognito-idp.{lambda_layout.REGION}.amazonaws.com/{pool_id}"


def _status(expected: int, code: str | None = None) -> Check:
    def check(answer: dict[str, Any]) -> None:
        assert answer["statusCode"] == expected, answer
        if code is not None:
            assert json.loads(answer["body"])["error"]["code"] == code, answer

    return check


def _openapi(answer: dict[str, Any]) -> None:
    assert answer["statusCode"] == 200, answer
    document = json.loads(answer["body"])
    assert document["openapi"].startswith("3.1") and len(document["paths"]) > 10


def _hosted_fields(answer: dict[str, Any]) -> None:
    assert answer["statusCode"] == 200, answer
    assert "javascript" in answer["multiValueHeaders"]["Content-Type"][0] and answer["body"]


def _dropped(answer: dict[str, Any]) -> None:
    assert answer["applied"] == [] and answer["dropped"], answer


def _equals(expected: dict[str, Any]) -> Check:
    def check(answer: dict[str, Any]) -> None:
        assert answer == expected

    return check


def _calls(environment: dict[str, str]) -> dict[str, tuple[dict[str, Any], Check | str]]:
    """Per function: the event, and the check of its answer or the name of the error it must raise."""
    customer = {
        "sub": "isolated-customer",
        "iss": _issuer(environment["CUSTOMER_POOL_ID"]),
        "custom:customer_id": "CUS-ISOLATED",
        "email": "customer@example.org",
    }
    staff = {"sub": "isolated-staff", "iss": _issuer(environment["STAFF_POOL_ID"]), "cognito:groups": "agent"}
    return {
        "public_api": (_api("GET", "/openapi.json"), _openapi),
        # Powertools validates the body against the route's model: the route itself (and AWS) is never reached
        "portal_api": (_api("POST", "/v1/portal/schedules", claims=customer, body="{}"), _status(422)),
        "staff_api": (
            _api("GET", "/v1/staff/customers/CUS-ISOLATED/payments?limit=0", claims=staff),
            _status(422),
        ),
        # without a token: the caller check answers before any lookup of the connected system
        "integration_api": (_api("POST", "/v1/integrations/customers:batch", body="{}"), _status(401, "unauthorized")),
        "sandbox_api": (_api("GET", "/sandbox/v1/hosted-fields.js"), _hosted_fields),
        "workflow_tasks": ({"task": "no-such-task"}, "UnknownTaskError"),
        "audit_exporter": ({"Records": []}, _equals({"exported": 0, "key": None})),
        "aggregate_builder": ({"Records": []}, _equals({"batchItemFailures": []})),
        "webhook_dispatcher": ({"Records": []}, "UnexpectedBatchTypeError"),
        "scheduled_jobs": ({"job": "no-such-job"}, "ValidationError"),
        "email_events": ({"detail-type": "Not an SES event"}, _dropped),
    }


@pytest.fixture(scope="module")
def functions(tmp_path_factory: pytest.TempPathFactory) -> list[Function]:
    cdk_out = os.environ.get("ARPORTAL_CDK_OUT")
    if cdk_out:
        return lambda_layout.from_cdk_out(Path(cdk_out))
    return lambda_layout.from_checkout(tmp_path_factory.mktemp("checkout-assets"))


@pytest.fixture(scope="module")
def results(functions: list[Function], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each function called once, all at the same time, each in its own interpreter (as in its own container)."""
    python, sdk = lambda_python(), lambda_layout.runtime_sdk()
    work = tmp_path_factory.mktemp("isolated")
    opts: dict[tuple[Path, ...], Path] = {}
    running: dict[str, tuple[subprocess.Popen[bytes], Path, Path]] = {}
    for index, function in enumerate(functions):
        if function.layers not in opts:
            opts[function.layers] = lambda_layout.extract_layers(function.layers, work / f"opt{len(opts)}")
        opt = opts[function.layers]
        calls = _calls(lambda_layout.lambda_environment(function, opt))
        spec = {
            "path": lambda_layout.sys_path(function, opt, sdk),
            "handler": function.handler,
            "function_name": function.name,
            "event": calls[function.name][0],
        }
        spec_file, result_file = work / f"{index}.spec.json", work / f"{index}.result.json"
        spec_file.write_text(json.dumps(spec))
        command = [python, "-I", "-S", "-B", str(HELPER), str(spec_file), str(result_file)]
        process = subprocess.Popen(  # noqa: S603 - our interpreter and helper
            command,
            env=lambda_layout.lambda_environment(function, opt),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        running[function.name] = (process, result_file, opt)
    answers: dict[str, dict[str, Any]] = {}
    for name, (process, result_file, opt) in running.items():
        output, _ = process.communicate(timeout=CALL_TIMEOUT_S)
        assert process.returncode == 0 and result_file.exists(), f"{name}: {output.decode(errors='replace')}"
        answers[name] = {**json.loads(result_file.read_text()), "opt": str(opt)}
    return answers


def _expected(name: str) -> Check | str:
    return _calls({"CUSTOMER_POOL_ID": "", "STAFF_POOL_ID": ""})[name][1]


def test_every_function_has_its_call(functions: list[Function]) -> None:
    assert set(_calls({"CUSTOMER_POOL_ID": "", "STAFF_POOL_ID": ""})) == {spec.name for spec in catalog.FUNCTIONS}
    deployed = {f.name for f in functions}
    assert deployed == {
        spec.name for spec in catalog.functions_for("stripe" if "sandbox_api" not in deployed else "sandbox")
    }


@pytest.mark.parametrize("name", [spec.name for spec in catalog.FUNCTIONS])
def test_the_function_imports_and_answers_with_only_its_deployed_files(
    name: str, functions: list[Function], results: dict[str, dict[str, Any]]
) -> None:
    if name not in results:
        # only a function of another processor may be absent (the sandbox's, from a Stripe stack); any other is missing
        spec = next(spec for spec in catalog.FUNCTIONS if spec.name == name)
        assert spec.only_with_processor is not None, f"{name} is not deployed by this assembly"
        pytest.skip(f"{name} is deployed only with processor {spec.only_with_processor}")
    result = results[name]
    expected = _expected(name)
    assert "import_s" in result, result["error"]["traceback"]  # the import succeeded: a failure is the call's
    if isinstance(expected, str):
        assert result.get("error", {}).get("type") == expected, result
    else:
        assert "error" not in result, result["error"]["traceback"]
        expected(result["answer"])


def test_the_handlers_run_the_locked_libraries_from_the_layer_and_the_runtime_s_boto3(
    functions: list[Function], results: dict[str, dict[str, Any]]
) -> None:
    sdk = lambda_layout.runtime_sdk()
    for function in functions:
        result = results[function.name]
        opt = Path(result["opt"])
        modules = result["modules"]
        for module, distribution in (
            ("aws_lambda_powertools", "aws-lambda-powertools"),
            ("pydantic", "pydantic"),
            ("pydantic_core", "pydantic-core"),
        ):
            assert Path(modules[module]["file"]).is_relative_to(opt), (function.name, modules[module])
            assert modules[module]["version"] == _locked(distribution), (function.name, modules[module])
        for module in ("boto3", "botocore"):
            if module in modules:  # imported lazily by most functions: what the call needed
                assert Path(modules[module]["file"]).is_relative_to(sdk), (function.name, modules[module])
                assert modules[module]["version"] == _locked(module, lambda_layout.RUNTIME_LOCK), modules[module]


def _runtime_magic() -> bytes:
    probe = [lambda_python(), "-I", "-S", "-c", "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"]
    return bytes.fromhex(subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip())  # noqa: S603


def test_every_module_of_the_assets_carries_its_bytecode_for_the_runtime(functions: list[Function]) -> None:
    # /var/task and /opt are read-only: a module without its .pyc would be compiled again on every cold start. The
    # runtime's CPython loads an unchecked-hash .pyc (PEP 552: flags 0b01) without reading its source.
    header = _runtime_magic() + (0b01).to_bytes(4, "little")
    checked = 0
    for asset in {functions[0].task, *(layer for function in functions for layer in function.layers)}:
        sources = [  # following links: the checkout's dependencies layer links to the cached build
            Path(folder) / name
            for folder, _, names in os.walk(asset, followlinks=True)
            for name in names
            if name.endswith(".py") and "__pycache__" not in Path(folder).parts
        ]
        checked += bool(sources)
        missing = [
            source
            for source in sources
            if not (pyc := source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc").is_file()
            or pyc.read_bytes()[:8] != header
        ]
        assert missing == [], (asset, len(missing), missing[:10])
    assert checked >= 3  # the function code, our layer, the dependencies layer
