"""The console's and the shared files, read without a browser, held to what the portal's are
(``test_static.py``): language, title, one h1, a main landmark reached by a skip link, nothing the deployed
Content-Security-Policy would refuse, and every file a page or module names exists (``../shared/`` included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_static import IMPORT, ROOT, parsed

CONSOLE = ROOT / "web" / "console"
SHARED = ROOT / "web" / "shared"
PAGES = sorted(CONSOLE.glob("*.html"))
MODULES = sorted((CONSOLE / "js").rglob("*.js")) + sorted((SHARED / "js").rglob("*.js"))


def test_there_is_a_page_for_every_part_of_the_console() -> None:
    expected = {"index.html", "search.html", "customer.html", "payment.html", "take-payment.html"}
    expected |= {"approvals.html", "dashboard.html", "adjust.html"}
    assert expected <= {p.name for p in PAGES}


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_page_structure_and_policy(path: Path) -> None:
    page = parsed(path)
    assert page.all("html")[0].get("lang") == "en"
    assert len(page.all("title")) == 1
    assert len(page.all("h1")) == 1
    assert [m.get("id") for m in page.all("main")] == ["main-content"]
    assert page.all("a")[0].get("href") == "#main-content"
    assert page.inline_scripts == 0
    assert [name for _, attrs in page.tags for name in attrs if name.startswith("on")] == []
    named = [a.get("src") for a in page.all("script")] + [a.get("href") for a in page.all("link")]
    for reference in filter(None, named):
        if not reference.startswith("data:"):
            assert (path.parent / reference).resolve().is_file(), reference


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(ROOT / "web")) for m in MODULES])
def test_every_module_a_module_imports_exists(module: Path) -> None:
    for found in IMPORT.finditer(module.read_text(encoding="utf-8")):
        target = found.group(1) or found.group(2)
        assert (module.parent / target).resolve().is_file(), f"{module.name} imports {target}"


def test_no_module_is_duplicated_between_the_portal_and_the_console() -> None:
    shared = {m.name for m in (SHARED / "js").glob("*.js")}
    assert {"config.js", "auth.js", "api.js", "ui.js", "money.js", "fields.js", "list.js"} <= shared
    for app in ("portal", "console"):
        assert not shared & {m.name for m in (ROOT / "web" / app / "js").glob("*.js")}, app
