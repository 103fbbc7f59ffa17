"""Browser tests of the web front-ends: Debian's Chromium driven by Playwright against a real local runtime.

``portal`` (session)
    ``python -m local --port <free> --seed 42 --customers 5`` in a child process: the whole product with the seeded
    demo agency (the demo customer ``customer@demo.local`` and its invoices are those of the full seed). Five
    customers rather than 300 keep start-up short and, above all, keep moto's ``TransactWriteItems`` quick: moto
    deep-copies every table a transaction touches, so with the full seed each payment takes seconds.
    ``portal.url``, ``portal.api(method, path, token=..., json=...)``, ``portal.login(email) -> id token``.

``browser`` (session)
    One Chromium (``CHROMIUM`` or ``/usr/bin/chromium``) with a fresh user-data directory; ``page`` (function)
    is a new tab in it: sessionStorage, which holds the portal's tokens and checkout, starts empty.

``visit`` (function)
    ``visit(page, name)``: check the page as it stands with axe-core (no serious or critical violation, every
    frame, at phone and desktop width) and write ``tests/browser/screenshots/<name>-<width>.png`` at both widths.

Every test that takes ``portal`` is marked ``browser`` and runs in one xdist group (one runtime, one browser).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
DEMO_PASSWORD = "Demo-pass-1234"
START_TIMEOUT_S = 240  # a loaded 2-core machine has taken 70 s; an idle one takes ~10
BLOCKING = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "portal" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Portal:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self, method: str, path: str, *, token: str | None = None, json_body: Any = None) -> tuple[int, Any]:
        data = json.dumps(json_body).encode() if json_body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310 - our own runtime
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body

    def login(self, email: str = "customer@demo.local") -> str:
        status, body = self.api("POST", "/local/login", json_body={"username": email, "password": DEMO_PASSWORD})
        assert status == 200, body
        return str(body["id_token"])


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="portal-runtime-")) / "local.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(["layers/arportal/python", "functions", "."])}
    command = [sys.executable, "-m", "local", "--port", str(port), "--seed", "42", "--customers", "5"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    portal = Portal(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_ready(portal)
        yield portal
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(portal: Portal) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if portal.process.poll() is not None:
            pytest.fail(f"the local runtime exited ({portal.process.returncode}):\n{portal.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(portal.url + "/v1/health", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"the local runtime did not start in {START_TIMEOUT_S} s:\n{portal.log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser(portal: Portal) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="portal-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]},
            base_url=portal.url,
        )
        context.set_default_timeout(60_000)  # a payment on a loaded CI machine takes seconds
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if "Content Security Policy" in m.text else None)
    yield tab
    tab.close()
    assert not problems, problems


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core findings in every frame of the page, one line each."""
    source = AXE.read_text(encoding="utf-8")
    found = []
    for frame in page.frames:
        if frame.url in ("", "about:blank"):
            continue
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            frame.evaluate(source)  # evaluated, not injected: a frame's own CSP cannot refuse it
        options = {"iframes": False, "runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        result = frame.evaluate("(options) => axe.run(document, options)", options)
        for violation in result["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
                found.append(f"{frame.url}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    return found


@pytest.fixture
def visit() -> Callable[[Any, str], None]:
    SCREENSHOTS.mkdir(exist_ok=True)

    def check(page: Any, name: str) -> None:
        # Pages show "Loading ..." (class "loading") until their data is in; networkidle would also wait for
        # the secure card frame, which is never idle for long enough.
        page.wait_for_load_state("load")
        page.wait_for_function("() => !document.querySelector('.loading')")
        problems = []
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(150)  # let the layout settle at the new width
            problems += [f"[{label}] {p}" for p in axe_violations(page)]
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert not problems, "\n".join(problems)

    return check


def sign_in(page: Any, email: str = "customer@demo.local", password: str = DEMO_PASSWORD) -> None:
    page.goto("/index.html")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/dashboard.html")


def console_sign_in(page: Any, email: str = "agent@demo.local", password: str = DEMO_PASSWORD) -> None:
    """Sign a staff member in to the console (``/console/``); lands on the search page."""
    page.goto("/console/index.html")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/console/search.html")
