"""An administrator invites staff (``POST /v1/staff/staff-members``) against the local Cognito: the login is made
in the role's group, Cognito's invitation (its temporary password) reaches the mailbox, the invitation is audited,
the same email again is a 409 that says why, and ``GET`` lists the new person as invited."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local import mailbox
from local.environment import Challenge


def test_an_admin_invites_a_staff_member_once(local_env: Any, gateway: Any) -> None:
    admin = local_env.login(
        local_env.create_user(f"admin-{uuid.uuid4().hex[:8]}@example.org", groups=("admin",)).username
    )
    email = f"Invited-{uuid.uuid4().hex[:8]}@Example.org"
    body = {"email": email, "name": "Casey Invited", "group": "supervisor"}

    reply = gateway.request("POST", "/v1/staff/staff-members", token=admin.id_token, json=body)

    assert reply.status == 201, reply.body
    invited = reply.body
    assert invited["email"] == email.lower()
    assert invited["groups"] == ["supervisor"] and invited["status"] == "invited" and invited["name"] == "Casey Invited"
    resources = local_env.resources
    sent = [m for m in mailbox.messages(resources.account_id, resources.region) if email.lower() in m["to"]]
    assert len(sent) == 1 and "temporary password" in sent[0]["body"]
    temporary = sent[0]["body"].rsplit("temporary password ", 1)[1].rstrip(".")
    first = local_env.sign_in(email.lower(), temporary)
    assert isinstance(first, Challenge) and first.name == "NEW_PASSWORD_REQUIRED"

    again = gateway.request("POST", "/v1/staff/staff-members", token=admin.id_token, json=body)
    assert again.status == 409
    assert "already has a staff login" in again.body["error"]["message"]
    assert len([m for m in mailbox.messages(resources.account_id, resources.region) if email.lower() in m["to"]]) == 1

    listed = gateway.request("GET", "/v1/staff/staff-members", token=admin.id_token)
    assert listed.status == 200
    mine = [m for m in listed.body["staff_members"] if m["email"] == email.lower()]
    assert mine and mine[0]["status"] == "invited" and mine[0]["groups"] == ["supervisor"]

    trail = gateway.request("GET", f"/v1/staff/audit?entity=staff_member:{invited['user_id']}", token=admin.id_token)
    assert trail.status == 200, trail.body
    assert [r["action"] for r in trail.body["records"]] == ["staff_member.invited"]


def test_an_unknown_role_is_refused_before_anyone_is_invited(local_env: Any, gateway: Any) -> None:
    admin = local_env.login(
        local_env.create_user(f"admin-{uuid.uuid4().hex[:8]}@example.org", groups=("admin",)).username
    )
    email = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    reply = gateway.request(
        "POST", "/v1/staff/staff-members", token=admin.id_token, json={"email": email, "name": "N", "group": "root"}
    )
    assert reply.status == 422
    resources = local_env.resources
    assert not [m for m in mailbox.messages(resources.account_id, resources.region) if email in m["to"]]


def test_an_invitation_whose_audit_record_fails_leaves_no_login(local_env: Any, gateway: Any, monkeypatch: Any) -> None:
    from arportal.adapters.audit_log import ChainedAuditLog
    from arportal.domain.errors import DependencyError

    admin = local_env.login(
        local_env.create_user(f"admin-{uuid.uuid4().hex[:8]}@example.org", groups=("admin",)).username
    )
    email = f"unrecorded-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "name": "Sam Unrecorded", "group": "agent"}
    recorded = ChainedAuditLog.record

    def failing(self: Any, event: Any) -> Any:
        if event.entity_type == "staff_member":
            raise DependencyError("the audit table is unavailable")
        return recorded(self, event)

    monkeypatch.setattr(ChainedAuditLog, "record", failing)
    reply = gateway.request("POST", "/v1/staff/staff-members", token=admin.id_token, json=body)
    assert reply.status == 503, reply.body
    cognito = local_env.client("cognito-idp")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=local_env.resources.staff_pool_id, Username=email)

    monkeypatch.setattr(ChainedAuditLog, "record", recorded)
    again = gateway.request("POST", "/v1/staff/staff-members", token=admin.id_token, json=body)
    assert again.status == 201, again.body
