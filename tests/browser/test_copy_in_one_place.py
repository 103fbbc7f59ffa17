"""Copy lives in one place per front-end (issue 16, "Plain words"): the pages listed here take every word a person
reads (headings, labels, messages, empty states, captions, column names, aria-labels) from their front-end's
``copy.js``, so the words can be reviewed and translated together. Read without a browser: each string literal of a
listed module (template literals too, each ``${...}`` read as ``{}``) that reads as words fails the test, unless it
is the value of an attribute that is never read (a class, an id, a ``for``) or a key's name.

The helpers both front-ends share (web/shared/js) keep theirs in ``shared-copy.js``.

A new page joins the list once its words are in ``copy.js``; a new string on a listed page belongs there too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_static import ROOT

PORTAL = ROOT / "web" / "portal" / "js"
CONSOLE = ROOT / "web" / "console" / "js"
SHARED = ROOT / "web" / "shared" / "js"

COVERED = [
    *(PORTAL / "pages" / f"{name}.js" for name in ("dashboard", "credit-notes", "documents", "invoice", "link")),
    *(PORTAL / "pages" / f"{name}.js" for name in ("payment", "payments", "sales-orders", "schedules")),
    *(PORTAL / "pages" / f"{name}.js" for name in ("guest", "invoices", "pay", "profile", "profile-totp")),
    *(PORTAL / "pages" / f"{name}.js" for name in ("sign-in", "sign-up", "forgot-password", "statements")),
    *(PORTAL / f"{name}.js" for name in ("bank-transfer", "checkout", "layout")),
    *(CONSOLE / "pages" / f"{name}.js" for name in ("adjust", "approvals", "connected-systems", "imports", "search")),
    *(CONSOLE / "pages" / f"finance-{name}.js" for name in ("bank-files", "bank-lines", "close", "deposits")),
    *(CONSOLE / "pages" / f"finance-{name}.js" for name in ("journals", "payouts", "reconciliation")),
    *(CONSOLE / "pages" / f"{name}.js" for name in ("webhooks", "staff-members", "payment", "customer")),
    *(CONSOLE / "pages" / f"{name}.js" for name in ("take-payment", "dashboard", "sign-in")),
    *(CONSOLE / f"{name}.js" for name in ("exceptions", "payment-trail", "representment", "webhook-log", "views")),
    *(CONSOLE / f"{name}.js" for name in ("dialogs", "sections", "charts", "metrics", "layout", "finance")),
    CONSOLE / "customer-sections.js",
    *(SHARED / f"{name}.js" for name in ("ui", "list", "totp", "api", "config", "money", "frame")),
    *(SHARED / f"{name}.js" for name in ("fields", "stripe-fields", "sign-in-form")),
    *(SHARED / f"{name}.js" for name in ("auth", "auth-cognito", "auth-session", "auth-sign-in")),
    CONSOLE / "roles.js",
]

# Attributes whose values no one reads: what a literal after one of these keys holds is markup, not words.
MARKUP_KEYS = {"class", "id", "for", "type", "name", "href", "autocomplete", "inputmode", "value", "role", "download"}
MARKUP_KEYS |= {"aria-describedby", "aria-labelledby", "labelledBy", "describedBy", "datetime", "tabindex"}
MARKUP_KEYS |= {"Authorization"}  # an HTTP header: its scheme ("Bearer", "Guest") is for the API, not a person
# A name with a capital inside it (an API's operation or error: InitiateAuth, NotAuthorizedException) is code's:
# no word of a sentence is written so.
NAME = re.compile(r"[A-Za-z]*[a-z][A-Z][A-Za-z]*")
WORD = re.compile(r"[(“\"']*[A-Za-z]{2,}(?:['\u2019][a-z]+)?[.,:;!?)”\"'…]*")
KEY_BEFORE = re.compile(r"""(?:([A-Za-z_$][\w$]*)|"([\w-]+)")\s*:\s*$""")
REGEX_AFTER = set("(,=:[!&|?{};") | {""}


class Literals:
    """Every string literal of a module: (line, text with each ``${...}`` as ``{}``, what precedes it). Comments and
    regular expressions are skipped; a template literal's ``${...}`` parts are read as code (they may hold literals)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[tuple[int, str, str]] = []
        self.open_parts: list[int] = []  # the brace depth at each open ${: the template resumes at its closing }
        self.templates: list[tuple[int, list[str]]] = []  # where each open template starts, and its text so far
        self.depth = 0

    def scan(self) -> list[tuple[int, str, str]]:
        i = 0
        while i < len(self.source):
            i = self.step(i)
        return self.found

    def step(self, i: int) -> int:
        source, c = self.source, self.source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            return len(source) if end < 0 else end
        if source.startswith("/*", i):
            return source.index("*/", i) + 2
        if c in "\"'":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            self.keep(i, source[i + 1 : j])
            return j + 1
        if c == "`":
            self.templates.append((i, []))
            return self.template(i + 1)
        if c == "/" and source[:i].rstrip()[-1:] in REGEX_AFTER:
            return self.skip_regex(i)
        if c == "}" and self.open_parts and self.open_parts[-1] == self.depth:
            self.open_parts.pop()
            return self.template(i + 1)
        self.depth += {"{": 1, "}": -1}.get(c, 0)
        return i + 1

    def keep(self, at: int, text: str) -> None:
        self.found.append((self.source.count("\n", 0, at) + 1, text, self.source[max(0, at - 60) : at]))

    def template(self, j: int) -> int:
        """Read template text from ``j`` to its end or its next ``${``; answer where the scan goes on."""
        begin, parts = self.templates[-1]
        while self.source[j] != "`":
            if self.source.startswith("${", j):
                parts.append("{}")
                self.open_parts.append(self.depth)
                return j + 2
            step = 2 if self.source[j] == "\\" else 1
            parts.append(self.source[j : j + step])
            j += step
        self.templates.pop()
        self.keep(begin, "".join(parts))
        return j + 1

    def skip_regex(self, i: int) -> int:
        j, in_class = i + 1, False
        while self.source[j] != "/" or in_class:
            in_class = (in_class or self.source[j] == "[") and self.source[j] != "]"
            j += 2 if self.source[j] == "\\" else 1
        return j + 1


def literals(source: str) -> list[tuple[int, str, str]]:
    return Literals(source).scan()


def reads_as_words(text: str, before: str) -> bool:
    key = KEY_BEFORE.search(before)
    if key and (key.group(1) or key.group(2)) in MARKUP_KEYS:
        return False
    tokens = text.split()
    words = [t for t in tokens if WORD.fullmatch(t) and not NAME.fullmatch(t)]
    if not words:
        return False
    # Several words, a word with a space around it (a piece of a sentence), or a capitalised word (a label).
    return len(tokens) > 1 or text != text.strip() or bool(re.match(r"[(“\"-]*[A-Z][a-z]", text.strip()))


def words_in(path: Path) -> list[str]:
    return [
        f"{path.name}:{line}: {text!r}"
        for line, text, before in literals(path.read_text())
        if reads_as_words(text, before)
    ]


def test_the_scanner_finds_words_and_leaves_markup_alone() -> None:
    source = """
      // a comment's words
      const re = /^Invoice's "quoted"/;
      h("button", { class: "usa-button usa-button--outline", id: "go" }, "Pay now");
      h("span", { "aria-label": `Pay invoice ${n}` }, `${a}: ${b}`, `${x ? `Due ${d}` : ""}`);
      busy(button, "Preparing…"); if (s === "plan") $("#plan-list input:checked");
      cognito("InitiateAuth", { Authorization: `Bearer ${token}` }); error.code === "NotAuthorizedException";
    """
    assert [text for _, text, before in literals(source) if reads_as_words(text, before)] == [
        "Pay now",
        "Pay invoice {}",
        "Due {}",
        "Preparing…",
    ]


@pytest.mark.parametrize("path", COVERED, ids=[str(p.relative_to(ROOT / "web")) for p in COVERED])
def test_a_covered_page_takes_its_words_from_copy_js(path: Path) -> None:
    assert words_in(path) == []


# The shared helpers' copy module has a name of its own: no module name is both shared and a front-end's.
@pytest.mark.parametrize(
    ("front_end", "copy_js"),
    [(PORTAL, "copy.js"), (CONSOLE, "copy.js"), (SHARED, "shared-copy.js")],
    ids=["portal", "console", "shared"],
)
def test_copy_js_names_as_pending_exactly_the_modules_that_are_not_covered(front_end: Path, copy_js: str) -> None:
    lines = (front_end / copy_js).read_text().splitlines()
    comment = lines[: next(i for i, line in enumerate(lines) if not line.startswith("//"))]
    header = " ".join(line.removeprefix("//").strip() for line in comment)
    pending = set(re.findall(r"[\w/-]+\.js", header.split("except these")[1])) if "except these" in header else set()
    covered = {str(path.relative_to(front_end)) for path in COVERED if path.is_relative_to(front_end)}
    assert pending & covered == set()
    assert {name for name in pending if not (front_end / name).is_file()} == set()
    # Every module is covered or named: a new module cannot slip past both lists.
    modules = {str(path.relative_to(front_end)) for path in front_end.rglob("*.js")}
    assert modules - {copy_js} - {name for name in modules if name.startswith("copy/")} == pending | covered


@pytest.mark.parametrize("front_end", [PORTAL, CONSOLE], ids=["portal", "console"])
def test_no_two_copy_files_name_the_same_group(front_end: Path) -> None:
    """copy.js spreads the groups of copy/*.js into COPY: a group named twice would silently lose one of them."""
    files = [front_end / "copy.js", *sorted((front_end / "copy").glob("*.js"))]
    names = [name for path in files for name in re.findall(r"^  ([A-Za-z_$][\w$]*):", path.read_text(), re.MULTILINE)]
    assert len(names) > 10
    assert sorted({name for name in names if names.count(name) > 1}) == []
