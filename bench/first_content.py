"""First useful content of the staff console's finance dashboard and customer 360, in a real browser.

Starts ``python -m local --seed 42`` (the full demo agency), signs in to the console as ``finance@demo.local`` in
Debian's Chromium driven by Playwright (as ``tests/browser`` does), and loads each page ``RUNS`` times after one
warm-up load. Per load, measured in the page from navigation start (``performance.now()``):

- ``first_content_ms``: the first section showing its data (a skeleton or "Loading…" does not count);
- ``all_sections_ms``: every section showing its data, nothing still loading;
- ``layout_shift``: the cumulative layout shift meanwhile (how far shown content jumped as sections came in);
- the API requests (resource timing): how many, and when each started and how long it took, so a waterfall of
  one call after another is told from calls side by side.

A MutationObserver installed before the page's scripts run notes the moment each condition first holds, so the
figures do not depend on how often the benchmark polls. Budget (issue 16, "Speed"): first content under 1 s.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
USER = "finance@demo.local"
DEMO_CUSTOMER = "customer@demo.local"  # the demo customer with the longest history
PASSWORD = "Demo-pass-1234"  # noqa: S105 - the local runtime's demo logins
RUNS = 5
BUDGET_MS = 1000.0
START_TIMEOUT_S = 240.0

# Per page: the sections' containers; "first" holds when one of them shows data, "all" when each does.
# A section shows data when it holds something other than a placeholder (.loading, aria-busy).
PAGES = {
    "finance_dashboard": {
        "path": "/console/dashboard.html",
        "sections": ["#collections", "#metrics", "#exceptions"],
    },
    "customer_360": {
        "path": "/console/customer.html?id={customer}",
        "sections": ["#customer .figures", "#profile", "#accounts", "#invoice-list", "#payment-list",
                     "#interaction-list", "#duplicate-list"],
    },
}  # fmt: skip

OBSERVER = """
(pages) => {
  const sections = pages[location.pathname];
  if (!sections) return;
  const marks = (window.__firstContent = { first: null, all: null, shift: 0 });
  // Layout shift (Chromium's layout-shift entries): how much shown content jumped as the sections came in.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) marks.shift += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  const waiting = '.loading, [aria-busy="true"]';
  const filled = (el) =>
    Boolean(el) && !el.matches(waiting) && !el.querySelector(waiting) && el.textContent.trim() !== "";
  const check = () => {
    const done = sections.map((s) => filled(document.querySelector(s)));
    const now = performance.now();
    if (marks.first === null && done.some(Boolean)) marks.first = now;
    const settled = !document.querySelector('main .loading, main [aria-busy="true"]');
    if (marks.all === null && done.every(Boolean) && settled) {
      marks.all = now;
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_runtime(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_ENDPOINT_URL", "MOTO_PORT"}}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / p) for p in ("layers/arportal/python", "functions", "."))
    sink = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", str(port), "--seed", "42"], cwd=ROOT, env=env, stdout=sink,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    started = time.monotonic()
    while b"ready in " not in log.read_bytes():
        if process.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
            process.kill()
            raise RuntimeError(f"the local runtime did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.5)
    return process


def _demo_customer(base_url: str) -> str:
    """The demo customer's id, as the staff search finds it (through the API: the page is what is measured)."""

    def call(path: str, body: dict[str, str] | None = None, token: str = "") -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base_url + path, data=data, method="POST" if body else "GET")  # noqa: S310
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - our own runtime
            return json.loads(response.read())

    token = call("/local/login", {"username": USER, "password": PASSWORD})["id_token"]
    found = call(f"/v1/staff/search?q={urllib.parse.quote(DEMO_CUSTOMER)}", token=token)
    return str(found["matches"][0]["customer"]["customer_id"])


def _sign_in(page: Any) -> None:
    page.goto("/console/index.html")
    page.locator("#email").fill(USER)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).wait_for(state="visible")
    page.wait_for_function("() => !document.querySelector('#password').form.querySelector('[type=submit]').disabled")
    page.locator("#password").press("Enter")
    page.wait_for_url("**/console/search.html")


def _load(page: Any, path: str) -> dict[str, Any]:
    page.goto(path, wait_until="commit")
    page.wait_for_function("() => window.__firstContent && window.__firstContent.all !== null", timeout=120_000)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    marks = page.evaluate("() => window.__firstContent")
    calls = page.evaluate(
        """() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/v1/')).map((e) => ({
             path: new URL(e.name).pathname, start_ms: Math.round(e.startTime),
             duration_ms: Math.round(e.duration) }))"""
    )
    return {
        "first_content_ms": round(marks["first"]),
        "all_sections_ms": round(marks["all"]),
        "layout_shift": round(marks["shift"], 3),
        "api_requests": len(calls),
        "requests": calls,
    }


def _summary(loads: list[dict[str, Any]]) -> dict[str, Any]:
    first = [x["first_content_ms"] for x in loads]
    every = [x["all_sections_ms"] for x in loads]
    return {
        "first_content_ms": {"median": statistics.median(first), "max": max(first), "runs": first},
        "all_sections_ms": {"median": statistics.median(every), "max": max(every), "runs": every},
        "layout_shift_max": max(x["layout_shift"] for x in loads),
        "api_requests": loads[-1]["api_requests"],
        "within_budget": statistics.median(first) < BUDGET_MS,
        "last_load_requests": loads[-1]["requests"],
    }


def measure(base_url: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, base_url=base_url,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        context.set_default_timeout(120_000)
        try:
            page = context.new_page()
            _sign_in(page)
            customer = _demo_customer(base_url)
            watched = {str(s["path"]).split("?")[0]: s["sections"] for s in PAGES.values()}
            page.add_init_script(f"({OBSERVER})({json.dumps(watched)})")
            results: dict[str, Any] = {}
            for name, spec in PAGES.items():
                path = str(spec["path"]).format(customer=customer)
                _load(page, path)  # warm-up: the handler's import, the browser's cache
                results[name] = _summary([_load(page, path) for _ in range(RUNS)])
            return results
        finally:
            context.close()


def run() -> dict[str, object]:
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-runtime-")) / "runtime.log"
    process = _start_runtime(port, log)
    try:
        pages = measure(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "user": USER,
        "runs_per_page": RUNS,
        "budget_first_content_ms": BUDGET_MS,
        **pages,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
