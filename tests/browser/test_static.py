"""The front-ends' files, read without a browser: what every page must carry (language, title, one h1, a main
landmark reached by a skip link), nothing the deployed Content-Security-Policy would refuse (inline script or
event handlers), every file a page or module names exists, and the vendored USWDS copy is intact."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORTAL = ROOT / "web" / "portal"
PAGES = sorted(PORTAL.glob("*.html"))
MODULES = sorted((PORTAL / "js").rglob("*.js"))
IMPORT = re.compile(r"""(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)";|import\("(\.[^"]+)"\)""")


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self._in_script = tag == "script" and "src" not in attributes

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def parsed(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_there_is_a_page_for_every_part_of_the_portal() -> None:
    names = {p.name for p in PAGES}
    expected = {"index.html", "signup.html", "link.html", "dashboard.html", "invoices.html", "invoice.html"}
    expected |= {"pay.html", "payments.html", "payment.html", "credit-notes.html", "sales-orders.html"}
    expected |= {"schedules.html", "statements.html", "documents.html", "profile.html", "guest.html"}
    assert expected <= names


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_page_structure(path: Path) -> None:
    page = parsed(path)
    assert page.all("html")[0].get("lang") == "en"
    assert len(page.all("title")) == 1
    assert len(page.all("h1")) == 1
    assert [m.get("id") for m in page.all("main")] == ["main-content"]
    assert page.all("a")[0].get("href") == "#main-content"  # the skip link comes first
    assert any(m.get("name") == "viewport" for m in page.all("meta"))


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_page_obeys_the_deployed_content_security_policy(path: Path) -> None:
    # script-src 'self' without 'unsafe-inline': no inline script, no on* handler attributes
    page = parsed(path)
    assert page.inline_scripts == 0
    handlers = [(t, name) for t, attrs in page.tags for name in attrs if name.startswith("on")]
    assert handlers == []


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_every_file_a_page_names_exists(path: Path) -> None:
    page = parsed(path)
    named = [a.get("src") for a in page.all("script")] + [a.get("href") for a in page.all("link")]
    for reference in filter(None, named):
        if reference.startswith("data:"):
            continue
        assert (path.parent / reference).resolve().is_file(), reference


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(PORTAL)) for m in MODULES])
def test_every_module_a_module_imports_exists(module: Path) -> None:
    for found in IMPORT.finditer(module.read_text(encoding="utf-8")):
        target = found.group(1) or found.group(2)
        assert (module.parent / target).resolve().is_file(), f"{module.name} imports {target}"


def test_the_vendored_uswds_copy_matches_its_manifest_and_node_modules() -> None:
    spec = importlib.util.spec_from_file_location("web_build", ROOT / "web" / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.problems() == []


class Forms(HTMLParser):
    """Each form of a page: its attributes, whether it takes a password, and its submit buttons' attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attributes, "password": False, "submits": []})
        elif self.forms and self.forms[-1].get("open", True):
            form = self.forms[-1]
            if tag == "input" and attributes.get("type") == "password":
                form["password"] = True
            if tag == "button" and attributes.get("type") == "submit":
                form["submits"].append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.forms:
            self.forms[-1]["open"] = False


FRONT_END_PAGES = PAGES + sorted((ROOT / "web" / "console").glob("*.html"))


@pytest.mark.parametrize("path", FRONT_END_PAGES, ids=[str(p.relative_to(ROOT / "web")) for p in FRONT_END_PAGES])
def test_no_form_can_put_what_was_typed_in_a_url(path: Path) -> None:
    # Every form is sent by its page's script over fetch. Should the browser ever submit one itself (Enter before
    # the script has bound it), method="post" keeps the fields out of the URL, the history and access logs; and a
    # form that takes a password keeps its submit button disabled until its script enables it, so that Enter
    # submits nothing at all (web/shared/js/sign-in-form.js; the browser test: test_sign_in_early_enter.py).
    parser = Forms()
    parser.feed(path.read_text(encoding="utf-8"))
    for form in parser.forms:
        name = form["attrs"].get("id")
        assert (form["attrs"].get("method") or "get").lower() == "post", f"form {name} without method=post"
        assert "action" not in form["attrs"], f"form {name} names an action: the page's script sends it"
        if form["password"]:
            assert form["submits"], f"form {name} has no submit button"
            assert all("disabled" in button for button in form["submits"]), f"form {name}: submit not disabled"
