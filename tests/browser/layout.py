"""What a page must look like at any width, measured in the browser: the document never wider than the viewport,
and every primary action inside the viewport and inside any box that scrolls or clips it.

A primary action is a USWDS button that is neither outline nor unstyled, or anything marked ``data-primary``;
one in a collapsed menu, a closed dialog or a hidden section is not drawn and not measured.
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import settled

WIDTHS = (360, 390, 768, 1280)
PRIMARY_AT = 1280

# Returns [document width, viewport width, [primary actions out of view: text, why]].
_MEASURE = """() => {
  const out = [];
  const primaries = document.querySelectorAll(
    ".usa-button:not(.usa-button--outline):not(.usa-button--unstyled), [data-primary]");
  for (const button of primaries) {
    if (!button.getClientRects().length || getComputedStyle(button).visibility === "hidden") continue;
    const box = button.getBoundingClientRect();
    const name = (button.textContent || button.value || "").trim().slice(0, 40);
    if (box.left < -1 || box.right > innerWidth + 1) {
      out.push([name, `${Math.round(box.left)}..${Math.round(box.right)} outside the viewport (${innerWidth})`]);
      continue;
    }
    for (let up = button.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === "visible") continue;
      const frame = up.getBoundingClientRect();
      if (box.left < frame.left - 1 || box.right > frame.right + 1) {
        out.push([name, `${Math.round(box.left)}..${Math.round(box.right)} scrolled out of a box at ` +
                        `${Math.round(frame.left)}..${Math.round(frame.right)} (${up.className || up.tagName})`]);
        break;
      }
    }
  }
  return [document.documentElement.scrollWidth, innerWidth, out];
}"""


def problems_at(page: Any, width: int) -> list[str]:
    """What is wrong with the page as it stands at ``width`` (the viewport is set to it first)."""
    page.set_viewport_size({"width": width, "height": 900})
    settled(page, width)
    document, viewport, hidden = page.evaluate(_MEASURE)
    found = [f"{width} px: the page is {document} px wide"] if document > viewport else []
    if width >= PRIMARY_AT:
        found += [f"{width} px: primary action {name!r} is {why}" for name, why in hidden]
    return found


def layout_problems(page: Any, widths: tuple[int, ...] = WIDTHS) -> list[str]:
    found = [problem for width in widths for problem in problems_at(page, width)]
    page.set_viewport_size({"width": PRIMARY_AT, "height": 900})
    return found


def loaded(page: Any, url: str) -> None:
    """``url`` open with its data in (no "Loading ..." left), and still that page (not sent to sign in)."""
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.loading')")
    path = url.split("?", maxsplit=1)[0]
    assert page.url.split("?")[0].endswith(path), f"{url} went to {page.url}"


def right_edge(page: Any, selector: str) -> float:
    return float(page.locator(selector).first.evaluate("(e) => e.getBoundingClientRect().right"))


# What a citizen must never read: the platform's ids (a prefix and a ULID, or a bare ULID) and staff logins.
INTERNAL = (
    re.compile(r"\b(?:inv|pay|apr|cn|capp|doc|sch|so|pi|evt|int|adj)_[0-9A-Za-z]{10,}"),
    re.compile(r"\b[0-9A-HJKMNP-TV-Z]{26}\b"),
    re.compile(r"\b(?:staff|system|processor|integration):", re.I),
)


def internal_ids(text: str, own_email: str) -> list[str]:
    """The internal ids and staff names in ``text`` (the customer's own email address is theirs to see)."""
    cleaned = text.replace(own_email, "")
    found = [m.group(0) for pattern in INTERNAL for m in pattern.finditer(cleaned)]
    return found + re.findall(r"[\w.+-]+@demo\.local", cleaned)
