"""The local runtime sends its pages the Content-Security-Policy CloudFront sends in AWS, for its own origins
(``local/gateway.py``, ``infrastructure/content_security.py``), so every browser test runs under it."""

from __future__ import annotations

from infrastructure.content_security import content_security_policy


def test_every_page_is_sent_the_deployed_policy_and_other_files_are_not(gateway, local_env):
    page = gateway.request("GET", "/pay.html")
    assert page.status == 200
    policy = page.headers["content-security-policy"]
    assert policy == content_security_policy(
        processor="sandbox", api_origin="'self'", connect=[local_env.endpoint_url.rstrip("/")]
    )
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    script = gateway.request("GET", "/shared/js/fields.js")
    assert script.status == 200 and "content-security-policy" not in script.headers
