"""No handler logs its whole event, even when the environment asks for it: an event holds bodies, headers and
tokens. (Powertools logs the event when ``POWERTOOLS_LOGGER_LOG_EVENT`` is true unless ``log_event=False``.)"""

from __future__ import annotations

import uuid

from tests.integration.conftest import GatewayClient


def test_no_api_handler_logs_its_event_whatever_the_environment_says(
    local_env, gateway: GatewayClient, make_users, capfd
):
    users = make_users()
    marker = f"marker{uuid.uuid4().hex}"
    local_env.configure(POWERTOOLS_LOGGER_LOG_EVENT="true")
    try:
        replies = [
            gateway.request(
                "POST",
                "/v1/portal/support-requests",
                token=users.customer_token,
                json={"subject": marker, "message": marker},
                headers={"Idempotency-Key": str(uuid.uuid4())},
            ),
            gateway.request("GET", f"/v1/staff/search?q={marker}", token=users.staff_token),
            gateway.request("POST", "/v1/public/lookup", json={"invoice_number": marker, "postal_code": "62701"}),
        ]
    finally:
        local_env.configure(POWERTOOLS_LOGGER_LOG_EVENT="false")
    assert all(reply.status < 500 for reply in replies), replies
    out, err = capfd.readouterr()
    assert marker not in out + err
