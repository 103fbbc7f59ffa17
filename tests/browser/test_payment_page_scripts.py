"""docs/payment-page-scripts.md is the payment pages' script inventory (PCI DSS 4.0.1, 6.4.3): it must name exactly
the scripts each page loads, following its ``<script>`` tags and every ``import`` from there, and every script a
page adds while it runs; and the USWDS script's SRI hash must be the committed file's. (Static: no browser.)"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "payment-page-scripts.md"
PAGES = {
    "pay": "web/portal/pay.html",
    "guest": "web/portal/guest.html",
    "take-payment": "web/console/take-payment.html",
}
_IMPORT = re.compile(
    r"""(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']"""
    r"""|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)"""
)
_ADDS_SCRIPT = re.compile(r"""createElement\(\s*["']script["']\s*\)|\bh\(\s*["']script["']""")


def modules_of(page: str) -> set[str]:
    html = ROOT / page
    todo = [(html.parent / src).resolve() for src in re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html.read_text())]
    seen: set[Path] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for found in _IMPORT.finditer(module.read_text()):
            todo.append((module.parent / next(g for g in found.groups() if g)).resolve())
    return {str(p.relative_to(ROOT)) for p in seen}


def inventory() -> tuple[dict[str, set[str]], dict[str, str]]:
    """(script -> pages) of the modules table, (script -> adding file) of the table of scripts added at run time."""
    modules: dict[str, set[str]] = {}
    added: dict[str, str] = {}
    for row in re.findall(r"^\| `([^`]+)` \| ([^|]+) \|", DOC.read_text(), flags=re.MULTILINE):
        script, second = row
        if second.strip().startswith("`"):
            added[script] = second.strip().strip("`")
        else:
            modules[script] = {p.strip() for p in second.split(",")}
    return modules, added


def test_the_inventory_names_every_module_each_payment_page_loads() -> None:
    listed, _ = inventory()
    actual: dict[str, set[str]] = {}
    for name, page in PAGES.items():
        for module in modules_of(page):
            actual.setdefault(module, set()).add(name)
    missing = {m: sorted(p) for m, p in actual.items() if m not in listed}
    stale = sorted(set(listed) - set(actual))
    wrong = {m: (sorted(listed[m]), sorted(p)) for m, p in actual.items() if m in listed and listed[m] != p}
    assert not (missing or stale or wrong), (
        f"docs/payment-page-scripts.md is out of date: add {missing}, remove {stale}, fix the pages of {wrong}"
    )


def test_every_script_added_at_run_time_is_listed_with_the_module_that_adds_it() -> None:
    _, added = inventory()
    loaded = set().union(*(modules_of(page) for page in PAGES.values()))
    adders = {m for m in loaded if _ADDS_SCRIPT.search((ROOT / m).read_text())}
    assert adders == set(added.values()), f"scripts are added by {sorted(adders)}; the inventory says {added}"
    for script, adder in added.items():
        source = (ROOT / adder).read_text()
        assert script.rstrip("/").rsplit("/", 1)[-1] in source or script in source, (script, adder)


def test_the_vendored_script_runs_only_as_committed() -> None:
    frame = (ROOT / "web" / "shared" / "js" / "frame.js").read_text()
    digest = hashlib.sha384((ROOT / "web" / "vendor" / "uswds" / "js" / "uswds.min.js").read_bytes()).digest()
    assert f'USWDS_SRI = "sha384-{base64.b64encode(digest).decode()}"' in frame
    assert "integrity: USWDS_SRI" in frame
