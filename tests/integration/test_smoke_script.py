"""scripts/smoke.py against the local runtime over HTTP: what it checks of a deployed stack passes here, including
the sandbox payment, and a wrong URL fails it, naming what was unreachable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.environment import LocalEnvironment
from local.gateway import Gateway, LocalHttpServer
from scripts import smoke
from tests.integration.integration_support import client_credentials


@pytest.fixture(scope="module")
def server(local_env: LocalEnvironment) -> Iterator[LocalHttpServer]:
    started = Gateway(local_env).serve("127.0.0.1", 0).start()
    try:
        yield started
    finally:
        started.stop()


def outputs_file(tmp_path: Path, url: str, stack: str = "ArPortal-springfield-dev") -> Path:
    # As `cdk deploy --outputs-file` writes it: API Gateway's URL ends with a slash, CloudFront's has none.
    path = tmp_path / "outputs.json"
    outputs = {"ApiUrl": f"{url}/", "WebUrl": url, "IntegrationsTokenUrl": f"{url}/oauth2/token"}
    path.write_text(json.dumps({stack: outputs}))
    return path


@pytest.fixture
def demo_client(local_env: LocalEnvironment, monkeypatch: pytest.MonkeyPatch) -> None:
    client_id, secret = client_credentials(local_env)  # the demo connected system: every integration scope
    monkeypatch.setenv("SMOKE_CLIENT_ID", client_id)
    monkeypatch.setenv("SMOKE_CLIENT_SECRET", secret)


def test_the_smoke_test_passes_against_a_running_stack_with_a_sandbox_payment(
    server: LocalHttpServer, tmp_path: Path, demo_client: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke.main([str(outputs_file(tmp_path, server.url))]) == 0
    printed = capsys.readouterr().out
    assert "smoke: 7 passed, 0 failed" in printed
    payment = next(line for line in printed.splitlines() if "sandbox payment" in line)
    assert payment.startswith("PASS") and "paid by" in payment and "receipt" in payment


def test_the_sandbox_payment_needs_a_connected_system_unless_read_only(
    server: LocalHttpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMOKE_CLIENT_ID", raising=False)
    monkeypatch.delenv("SMOKE_CLIENT_SECRET", raising=False)
    outputs = str(outputs_file(tmp_path, server.url))
    assert smoke.main([outputs]) == 1
    assert "FAIL  sandbox payment: the sandbox answers: set SMOKE_CLIENT_ID" in capsys.readouterr().out
    assert smoke.main([outputs, "--read-only"]) == 0
    assert "PASS  sandbox payment: skipped (--read-only)" in capsys.readouterr().out


def test_a_wrong_url_fails_naming_what_was_unreachable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing listens
    assert smoke.main([str(outputs_file(tmp_path, nowhere)), "--read-only"]) == 1
    printed = capsys.readouterr().out
    assert f"FAIL  health: GET {nowhere}/v1/health: unreachable" in printed
    assert "smoke: 0 passed, 7 failed" in printed


def test_the_portal_stack_is_found_beside_its_us_east_1_companion(tmp_path: Path) -> None:
    path = outputs_file(tmp_path, "https://pay.example.gov")
    both = {"ArPortal-springfield-prod-edge": {}, **json.loads(path.read_text())}
    path.write_text(json.dumps(both))
    assert smoke.load_outputs(path)["WebUrl"] == "https://pay.example.gov"


def test_an_outputs_file_without_the_urls_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"ArPortal-springfield-dev": {"ApiUrl": "https://example.invalid/"}}))
    assert smoke.main([str(path)]) == 1
    assert "no WebUrl output" in capsys.readouterr().err
