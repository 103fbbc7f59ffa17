"""The portal under the Content-Security-Policy CloudFront sends in AWS (``infrastructure/constructs/web.py``):
nothing the pages need is refused, the secure card frame included. The local runtime sends no policy, so the
test adds the deployed one to every portal page; the ``page`` fixture fails on any "Content Security Policy"
console message."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import Portal, sign_in
from tests.browser.test_customer_journey import enter_sandbox_card, pay_part_of_an_overdue_invoice


def deployed_policy(api_origin: str) -> str:
    """The policy the Web construct builds for a sandbox stack whose API is at ``api_origin``."""
    from infrastructure.constructs.web import Web

    config = SimpleNamespace(processor="sandbox", logo_url=None)
    web = SimpleNamespace(_config=config, _upload_origins=())
    policy = Web._content_security_policy(web, api_origin)  # type: ignore[arg-type]
    return re.sub(r"\$\{Token\[AWS\.Region\.\d+\]\}", "us-east-1", policy)  # the stack's region, at deploy time


def test_pages_and_the_card_frame_work_under_the_deployed_policy(portal: Portal, page: Any) -> None:
    policy = deployed_policy(portal.url)

    def our_page(url: str) -> bool:
        path = urlsplit(url).path
        return path.endswith(".html") and not path.startswith("/sandbox/")  # the sandbox frame has its own

    def with_policy(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    page.route(our_page, with_policy)
    sign_in(page)
    page.locator("#totals .figure").first.wait_for()
    pay_part_of_an_overdue_invoice(portal, page, "1.00")
    page.get_by_role("button", name="Continue to payment details").click()
    enter_sandbox_card(page)
    page.locator("#pay-button").wait_for()
    page.goto("/statements.html")
    page.locator("#statement table").first.wait_for()
