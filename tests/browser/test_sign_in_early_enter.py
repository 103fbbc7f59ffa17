"""Enter pressed on a sign-in form before its page is ready never sends the password anywhere but the sign-in call.

The bug this guards against: the form got its submit handler only after ``/config.json`` loaded, so an Enter
pressed before that submitted the form natively, as a GET to ``index.html?email=...&password=...``: the password
in the URL, the browser's history and the server's access log. Both front-ends share the form
(``web/shared/js/sign-in-form.js``); each is tried with the earliest Enter there is, before its sign-in script has
even arrived, then again while its settings are still on the way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, Portal

FORMS = [
    pytest.param("/index.html", "customer@demo.local", "**/dashboard.html", id="portal"),
    pytest.param("/console/index.html", "agent@demo.local", "**/console/search.html", id="console"),
]


class Held:
    """Requests matching a pattern stopped on their way (``page.route``) until released."""

    def __init__(self, page: Any, pattern: str) -> None:
        self.page, self.pattern = page, pattern
        self.routes: list[Any] = []
        page.route(pattern, self.hold)

    def hold(self, route: Any) -> None:
        self.routes.append(route)  # answered at release()

    def release(self) -> None:
        for route in self.routes:
            route.continue_()
        self.page.unroute(self.pattern)  # later requests (the next page's) go straight through


def until(page: Any, condition: Callable[[], bool], what: str) -> None:
    """Let Playwright deliver the page's events, a frame at a time, until ``condition`` holds."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"waited 60 s for {what}"
        page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")


def leaked(urls: list[str]) -> list[str]:
    return [u for u in urls if DEMO_PASSWORD in unquote_plus(u) or "password=" in u]


@pytest.mark.parametrize(("path", "email", "lands"), FORMS)
def test_enter_before_the_page_is_ready_never_puts_the_password_in_a_url_history_or_log(
    portal: Portal, page: Any, path: str, email: str, lands: str
) -> None:
    urls: list[str] = []  # every request's and every navigation's
    carrying: list[str] = []  # the requests whose body holds the password
    page.on("request", lambda r: urls.append(r.url))
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    page.on(
        "request",
        lambda r: carrying.append(f"{r.method} {r.url}") if DEMO_PASSWORD in (r.post_data or "") else None,
    )
    log_from = portal.log.stat().st_size
    script = Held(page, "**/shared/js/sign-in-form.js")
    settings = Held(page, "**/config.json")

    # Given the sign-in page as it arrives: the form is there, its script is not (held on the way)
    page.goto(path, wait_until="commit")
    entries = page.evaluate("() => history.length")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    until(page, lambda: bool(script.routes), "the sign-in script's request")
    button = page.get_by_role("button", name="Sign in")

    # When Enter is pressed at once, and then the script arrives
    page.get_by_label("Password").press("Enter")
    script.release()
    until(page, lambda: bool(settings.routes), "the settings' request (the script runs by then)")

    # Then nothing was sent: the page is where it was, and no URL holds the password (the form's button stays
    # disabled until its script binds it, so that Enter submitted nothing)
    assert not leaked(urls), leaked(urls)
    assert page.url == portal.url + path
    assert carrying == []

    # When Enter is pressed again while the settings are still on their way
    expect(button).to_be_enabled()
    page.get_by_label("Password").press("Enter")

    # Then the form takes it and waits for the settings, and the page stays where it is
    expect(page.get_by_role("button", name="Signing in…")).to_be_disabled()
    assert page.url == portal.url + path

    # When the settings arrive, the person is signed in
    settings.release()
    page.wait_for_url(lands)
    page.locator("#site-header .usa-nav").wait_for(state="attached")

    # And the password was never in a URL (a request's, a navigation's: the history's entries), only ever in the
    # body of the one sign-in call, and never in the runtime's log; the history gained one entry: where it led
    assert not leaked(urls), leaked(urls)
    assert carrying == [f"POST {portal.url}/local/login"]
    assert page.evaluate("() => history.length") == entries + 1
    logged = portal.log.read_bytes()[log_from:]
    assert DEMO_PASSWORD.encode() not in logged
    assert f"POST {path}".encode() not in logged  # no form was ever posted to the page itself
