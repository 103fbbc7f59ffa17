"""SES bounces and complaints, end to end on moto: the event SES publishes for this stage's configuration set reaches
``email_events``, a permanent bounce or a complaint suppresses the address on the customer's record with an audited
note staff read, and the next email to it is not sent (and says why); a transient bounce changes nothing."""

from __future__ import annotations

from typing import Any

from arportal.adapters.dynamodb.audit import DynamoAuditTrail
from arportal.adapters.dynamodb.email_suppressions import DynamoEmailSuppressions
from arportal.config import settings
from arportal.domain.email_feedback import FeedbackKind
from local import email_feedback
from tests.integration.staff_actions_support import key, new_customer, pay


def _store() -> DynamoEmailSuppressions:
    return DynamoEmailSuppressions(settings().ledger_table, settings().audit_table)


def _feedback(gateway, address: str, kind: str) -> list[dict[str, Any]]:
    reply = gateway.request("POST", "/local/email-events", json={"address": address, "kind": kind})
    assert reply.status == 200, reply.body
    applied: list[dict[str, Any]] = reply.body["applied"]
    return applied


def _mail_to(gateway, address: str) -> list[dict[str, Any]]:
    return [m for m in gateway.request("GET", "/local/mailbox").body["messages"] if address in m["to"]]


def _notes(gateway, token: str, cid: str) -> list[dict[str, Any]]:
    reply = gateway.request("GET", f"/v1/staff/customers/{cid}/interactions", token=token)
    assert reply.status == 200, reply.body
    return [i for i in reply.body["interactions"] if i["staff_id"] == "system:email"]


def _pay_first(gateway, token: str, cid: str, invoice_id: str) -> dict[str, Any]:
    reply = pay(gateway, token, cid, [{"invoice_id": invoice_id, "amount": 500}])
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body


def test_a_permanent_bounce_suppresses_the_address_and_the_next_receipt_is_not_sent(local_env, gateway, make_users):
    # Given a customer whose email is on file, and an agent
    cid, _, (first, _) = new_customer(local_env)
    email = f"{cid.lower()}@example.org"
    agent = make_users(groups=("agent",)).staff_token

    # When SES reports a permanent bounce of a message to it (the address as the remote server spelt it)
    (applied,) = _feedback(gateway, email.upper(), "bounce")

    # Then the address is suppressed on the customer's record, with an audited note staff read on it
    assert applied == {"kind": "permanent_bounce", "outcome": "suppressed", "customers": [cid]}
    mark = _store().customer_suppression(cid)
    assert mark is not None and mark.address == email and mark.kind is FeedbackKind.PERMANENT_BOUNCE
    assert "550 5.1.1 user unknown" in mark.detail
    (note,) = _notes(gateway, agent, cid)
    assert note["kind"] == "email" and email in note["summary"] and "permanent bounce" in note["summary"]
    (record,) = DynamoAuditTrail(settings().audit_table).history("interaction", note["interaction_id"])
    assert record["action"] == "email.suppressed" and record["actor"] == "system:email"
    shown = gateway.request("GET", f"/v1/staff/customers/{cid}", token=agent).body["email_suppression"]
    assert shown["address"] == email and shown["reason"] == "permanent_bounce" and "5.1.1" in shown["detail"]

    # When the agent takes a payment, whose receipt would go to that address
    taken = _pay_first(gateway, agent, cid, first.invoice_id)
    # Then the payment stands, no email leaves, and sending it again says why
    assert taken["receipt_number"] and taken["emailed_to"] == []
    assert _mail_to(gateway, email) == []
    again = gateway.request(
        "POST", f"/v1/staff/receipts/{taken['receipt_number']}/email", token=agent, json={}, headers=key()
    )
    assert again.status == 422 and "bounced" in again.body["error"]["message"]
    assert "email_suppressed" in again.body["error"]["details"]["problems"]
    assert _mail_to(gateway, email) == []


def test_a_transient_bounce_changes_nothing_and_mail_through_the_configuration_set_reaches_the_mailbox(
    local_env, gateway, make_users
):
    cid, _, (first, _) = new_customer(local_env)
    email = f"{cid.lower()}@example.org"
    agent = make_users(groups=("agent",)).staff_token
    # Every message names this stage's configuration set, which exists (so SES reports its bounces here)
    configuration_set = settings().ses_configuration_set
    sets = local_env.client("ses").list_configuration_sets()["ConfigurationSets"]
    assert configuration_set and configuration_set in {s["Name"] for s in sets}

    (applied,) = _feedback(gateway, email, "soft_bounce")

    assert applied == {"kind": "transient_bounce", "outcome": "not_suppressing", "customers": []}
    assert _store().suppression(email) is None and _store().customer_suppression(cid) is None
    assert _notes(gateway, agent, cid) == []
    assert gateway.request("GET", f"/v1/staff/customers/{cid}", token=agent).body["email_suppression"] is None
    taken = _pay_first(gateway, agent, cid, first.invoice_id)
    assert taken["emailed_to"] == [email]
    (receipt,) = _mail_to(gateway, email)
    assert taken["receipt_number"] in receipt["subject"]


def test_a_complaint_suppresses_the_address(local_env, gateway, make_users):
    cid, _, _ = new_customer(local_env)
    email = f"{cid.lower()}@example.org"
    agent = make_users(groups=("agent",)).staff_token

    (applied,) = _feedback(gateway, email, "complaint")

    assert applied["outcome"] == "suppressed" and applied["customers"] == [cid]
    suppression = _store().suppression(email)
    assert suppression is not None and suppression.kind is FeedbackKind.COMPLAINT
    (note,) = _notes(gateway, agent, cid)
    assert "marked our email as spam" in note["summary"]


def test_the_same_event_twice_is_applied_once(local_env, gateway, make_users):
    cid, _, _ = new_customer(local_env)
    email = f"{cid.lower()}@example.org"
    agent = make_users(groups=("agent",)).staff_token
    event = email_feedback.ses_event(email, "bounce", configuration_set=settings().ses_configuration_set, at=_now())

    first = email_feedback.deliver(local_env, event)
    second = email_feedback.deliver(local_env, event)

    assert [a["outcome"] for a in first["applied"]] == ["suppressed"]
    assert [a["outcome"] for a in second["applied"]] == ["already_suppressed"]
    assert len(_notes(gateway, agent, cid)) == 1


def test_an_address_no_customer_has_is_ignored_cleanly(local_env, gateway):
    address = "nobody-we-know@example.net"

    (applied,) = _feedback(gateway, address, "bounce")

    assert applied == {"kind": "permanent_bounce", "outcome": "unknown_address", "customers": []}
    assert _store().suppression(address) is None


def test_an_event_that_is_not_ses_feedback_is_dropped_without_an_error(local_env):
    result = email_feedback.deliver(local_env, {"source": "aws.ses", "detail-type": "Email Bounced"})

    assert result["applied"] == [] and "neither" in result["dropped"]


def _now():
    from arportal import clock

    return clock.now()
