"""Browser tests of the web front-ends: Debian's Chromium driven by Playwright against a real local runtime.

``portal`` (session)
    ``python -m local --port <free> --seed 42 --customers 5 --today <day>`` in a child process: the whole product
    with the seeded demo agency (the demo customer ``customer@demo.local`` and its invoices are those of the full
    seed). Five customers rather than 300 keep start-up short and, above all, keep moto's ``TransactWriteItems``
    quick: moto deep-copies every table a transaction touches, so with the full seed each payment takes seconds.
    ``<day>`` is this process's ``datetime.now(UTC).date()``: the day the test session runs on (``tests/clock.py``
    moves it), so the demo data, and every decision the product makes by the date, are as of that day.
    ``portal.url``, ``portal.today``, ``portal.log`` (the runtime's output, ``portal.log``),
    ``portal.api(method, path, token=..., json_body=...)``, ``portal.login(email) -> id token``.

``browser`` (session)
    One Chromium (``CHROMIUM`` or ``/usr/bin/chromium``) with a fresh user-data directory; ``page`` (function)
    is a new tab in it: sessionStorage, which holds the portal's tokens and checkout, starts empty. Chromium's own
    clock (``Date``, timers) is Playwright's, set at each test's start to the runtime's (``portal.now()``): the
    pages that decide by the browser's day (default statement and search ranges, the first instalment date, a
    guest lookup's expiry) agree with the runtime's day, whatever the machine's date. Sign-in tokens are stamped
    by the machine's clock (Cognito's, not the product's): the front-end measures the browser's skew from them
    (``web/shared/js/auth.js``), as it must for any device whose clock is off.

Data: every test finds or makes, through the API, the records it reads (``tests/browser/data.py``), so each
passes alone and in any order; none relies on what an earlier test left.

``visit`` (function)
    ``visit(page, name)``: check the page as it stands with axe-core (no serious or critical violation, every
    frame, at phone and desktop width) and write ``tests/browser/screenshots/<name>-<width>.png`` at both widths.

Every test that takes ``portal`` is marked ``browser`` and runs in one xdist group (one runtime, one browser).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

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
SEED = 42  # the demo seed the portal runs with (its number block names the seeded accounts)
START_TIMEOUT_S = 240  # a loaded 2-core machine has taken 70 s; an idle one takes ~10
BLOCKING = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_configure(config: pytest.Config) -> None:
    # Without xdist (``-p no:xdist``) its marker is unknown: say what it is rather than warn on every test.
    config.addinivalue_line("markers", "xdist_group(name): run in the named xdist group (pytest-xdist)")


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
    today: date
    ready: threading.Event = field(default_factory=threading.Event)

    def api(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = json.dumps(json_body).encode() if json_body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310 - our own runtime
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
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

    def now(self) -> datetime:
        """The runtime's clock (``GET /local/clock``): the product's now, on ``today`` at the machine's time of
        day. This process's clock when the runtime has no such route."""
        status, body = self.api("GET", "/local/clock")
        return datetime.fromisoformat(body["now"]) if status == 200 else datetime.now(UTC)

    def login(self, email: str = "customer@demo.local") -> str:
        status, body = self.api("POST", "/local/login", json_body={"username": email, "password": DEMO_PASSWORD})
        assert status == 200, body
        return str(body["id_token"])


@functools.cache
def _runtime_options() -> str:
    """``python -m local --help``: which options this checkout's runtime takes (``--today`` is recent)."""
    command = [sys.executable, "-m", "local", "--help"]
    done = subprocess.run(command, check=True, cwd=ROOT, env=_runtime_env(), capture_output=True, timeout=120)  # noqa: S603
    return done.stdout.decode()


def _runtime_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(["layers/arportal/python", "functions", "."])}


def _copy_output(source: IO[bytes], sink: IO[bytes], ready: threading.Event) -> None:
    """The runtime's output into its log, line by line; ``ready`` is set at its "ready in" line, or when it ends."""
    try:
        for line in iter(source.readline, b""):
            sink.write(line)
            sink.flush()
            if line.startswith(b"ready in "):
                ready.set()
    finally:
        ready.set()


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    today = datetime.now(UTC).date()  # the session's day: tests/clock.py travels there before tests are imported
    with running_runtime(today, prefix="portal-runtime-", pass_today="--today" in _runtime_options()) as started:
        yield started


@contextmanager
def running_runtime(
    today: date, *, prefix: str, pass_today: bool = True, module: str = "local", first: tuple[str, ...] = ()
) -> Iterator[Portal]:
    """A local runtime (``python -m local``) of its own on a free port, its output in a log file, until the block
    ends; then stopped (SIGTERM, killed after 30 s). ``module`` and ``first`` (its own arguments, before the
    runtime's): a launcher that adjusts the runtime first (``tests/browser/stripe_runtime.py``)."""
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix=prefix)) / "runtime.log"
    command = [sys.executable, "-m", module, *first, "--port", str(port), "--seed", str(SEED), "--customers", "5"]
    if pass_today:
        command += ["--today", today.isoformat()]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=_runtime_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    started = Portal(f"http://127.0.0.1:{port}", process, log, today)
    sink = log.open("wb")
    assert process.stdout is not None
    copier = threading.Thread(target=_copy_output, args=(process.stdout, sink, started.ready), daemon=True)
    copier.start()
    try:
        _wait_until_ready(started)
        yield started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        copier.join(timeout=10)
        sink.close()


def _wait_until_ready(portal: Portal) -> None:
    """Until the runtime prints "ready in" (it listens by then), or exits; then its health answers 200."""
    if not portal.ready.wait(timeout=START_TIMEOUT_S):
        pytest.fail(f"the local runtime did not start in {START_TIMEOUT_S} s:\n{portal.log.read_text()[-3000:]}")
    if portal.process.poll() is not None:
        pytest.fail(f"the local runtime exited ({portal.process.returncode}):\n{portal.log.read_text()[-3000:]}")
    status, body = portal.api("GET", "/v1/health")
    assert status == 200, body


@pytest.fixture(scope="session")
def browser(portal: Portal) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # as the context's: a loaded 2-core machine is slow, never wrong

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
        context.clock.install(time=portal.now())  # the runtime's clock (see the module)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(portal: Portal, browser: Any) -> Iterator[Any]:
    browser.clock.set_system_time(portal.now())  # in step with the runtime's clock at each test's start
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
            settled(page, width)
            problems += [f"[{label}] {p}" for p in axe_violations(page)]
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert not problems, "\n".join(problems)

    return check


def settled(page: Any, width: int) -> None:
    """The page laid out at ``width``: the viewport has it, and two frames were drawn since."""
    page.wait_for_function("(width) => window.innerWidth === width", arg=width)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def ready_to_send(page: Any) -> None:
    """The sign-in form bound by its script: its button is disabled until then, and Enter does nothing."""
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()


def sign_in(page: Any, email: str = "customer@demo.local", password: str = DEMO_PASSWORD) -> None:
    page.goto("/index.html")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    ready_to_send(page)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/dashboard.html")


def console_sign_in(page: Any, email: str = "agent@demo.local", password: str = DEMO_PASSWORD) -> None:
    """Sign a staff member in to the console (``/console/``); lands on the search page."""
    page.goto("/console/index.html")
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)  # not "New password" (first sign-in)
    ready_to_send(page)
    page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_url("**/console/search.html")
