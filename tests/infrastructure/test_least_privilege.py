"""Least privilege, checked both ways against ``infrastructure/permissions.py``.

- What is granted: every action of every function's, state machine's and the scheduler's synthesized role is one
  the table declares for it (a call, something AWS does with the role, or a named CDK extra with its reason), and
  every action the table declares is granted.
- What is used: the state machines' ASL Task states call exactly what the table declares for them; the functions'
  handlers, run in the local runtime over integration journeys that reach every function, make no call the table
  does not declare (``tests/iam_calls.py`` records them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from infrastructure import catalog, permissions
from tests import iam_calls
from tests.infrastructure.synth import ROOT, Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _role_actions(synthesized: Synthesized) -> dict[str, set[str]]:
    """Every role's allowed actions, from its inline policies and the AWS::IAM::Policy resources attached to it."""
    actions: dict[str, set[str]] = defaultdict(set)
    for logical_id, resource in synthesized.resources.items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Policy":
            documents = [(ref["Ref"], properties["PolicyDocument"]) for ref in properties.get("Roles", [])]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [(logical_id, p["PolicyDocument"]) for p in properties.get("Policies", [])]
            assert not properties.get("ManagedPolicyArns") or not _is_ours(synthesized, logical_id), logical_id
        else:
            continue
        for role, document in documents:
            for statement in document["Statement"]:
                assert statement["Effect"] == "Allow" and "NotAction" not in statement, (role, statement)
                actions[role] |= set(_listed(statement["Action"]))
    return actions


def _role_of(synthesized: Synthesized, construct: Any, attribute: str) -> str:
    return str(synthesized.resource(construct)["Properties"][attribute]["Fn::GetAtt"][0])


def _roles(synthesized: Synthesized) -> dict[str, str]:
    """``function:<name>``, ``machine:<name>`` and ``scheduler`` -> the logical id of its role."""
    stack = synthesized.stack
    roles = {f"function:{name}": _role_of(synthesized, fn, "Role") for name, fn in stack.functions.functions.items()}
    for name, machine in stack.workflows.machines.items():
        roles[f"machine:{name}"] = _role_of(synthesized, machine, "RoleArn")
    roles["scheduler"] = synthesized.logical_id(stack.scheduled_jobs.scheduler_role)
    return roles


def _is_ours(synthesized: Synthesized, role: str) -> bool:
    return role in _roles(synthesized).values()


def _declared(subject: str) -> permissions.Grants:
    kind, _, name = subject.partition(":")
    if kind == "function":
        return permissions.FUNCTIONS[name]
    if kind == "machine":
        return permissions.MACHINES[name]
    return permissions.SCHEDULER


# --- what is granted ---------------------------------------------------------------------------------------------


def test_every_function_and_machine_has_a_row(synthesized: Synthesized) -> None:
    deployed = set(synthesized.stack.functions.functions)
    assert deployed <= set(permissions.FUNCTIONS), "add a row to infrastructure/permissions.py FUNCTIONS"
    assert set(permissions.FUNCTIONS) == {f.name for f in catalog.FUNCTIONS}, "a row for a function that is gone"
    assert set(permissions.MACHINES) == {m.name for m in catalog.STATE_MACHINES}


@pytest.mark.parametrize("kind", ["function", "machine", "scheduler"])
def test_each_role_holds_exactly_what_the_table_declares(synthesized: Synthesized, kind: str) -> None:
    granted = _role_actions(synthesized)
    problems: list[str] = []
    for subject, role in sorted(_roles(synthesized).items()):
        if not subject.startswith(kind):
            continue
        declared = _declared(subject)
        held = granted[role]
        beyond = held - declared.all()
        missing = declared.missing_from(held)
        if beyond:
            problems.append(f"{subject} holds what no row declares: {sorted(beyond)}")
        if missing:
            problems.append(f"{subject} lacks what its row declares: {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_every_extra_has_a_reason_and_is_not_a_call() -> None:
    for grants in [*permissions.FUNCTIONS.values(), *permissions.MACHINES.values(), permissions.SCHEDULER]:
        for action in grants.extras:
            assert permissions.EXTRA_REASONS.get(action), f"{action}: say why CDK adds it or remove it"
        assert not grants.calls & set(grants.extras), "an action is either called or an extra, not both"


def test_the_scheduler_may_use_the_key_of_its_dead_letter_queue(synthesized: Synthesized) -> None:
    """Scheduler sends a failed delivery to a queue under the stack key: without the key it would vanish."""
    stack = synthesized.stack
    role = synthesized.logical_id(stack.scheduled_jobs.scheduler_role)
    key = synthesized.logical_id(stack.data.key)
    statements = [
        s
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    kms = [s for s in statements if any(a.startswith("kms:") for a in _listed(s["Action"]))]
    assert {a for s in kms for a in _listed(s["Action"])} == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert all(s["Resource"] == {"Fn::GetAtt": [key, "Arn"]} for s in kms)
    dead_letters = synthesized.logical_id(stack.scheduled_jobs.dead_letters)
    for schedule in synthesized.of_type("AWS::Scheduler::Schedule").values():
        target = schedule["Properties"]["Target"]
        assert target["RoleArn"] == {"Fn::GetAtt": [role, "Arn"]}
        assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [dead_letters, "Arn"]}
    encryption = synthesized.resource(stack.scheduled_jobs.dead_letters)["Properties"]["KmsMasterKeyId"]
    assert encryption == {"Fn::GetAtt": [key, "Arn"]}


def test_no_state_machine_may_touch_a_table(synthesized: Synthesized) -> None:
    granted = _role_actions(synthesized)
    for subject, role in _roles(synthesized).items():
        if subject.startswith("machine:"):
            assert not {a for a in granted[role] if a.startswith("dynamodb:")}, subject


def test_the_staff_api_administers_only_staff_invitations_and_only_in_the_staff_pool(synthesized: Synthesized) -> None:
    """The one staff route that administers users invites staff (``POST /v1/staff/staff-members``): it creates a
    login, puts it in a group, deletes it again when its audit record fails, and lists the groups. Nothing else (no
    disabling, password resets or attribute changes), and never in the customer or the integrations pool."""
    stack = synthesized.stack
    role = _roles(synthesized)["function:staff_api"]
    statements = [
        s
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    users = [
        s
        for s in statements
        if any(a.startswith(("cognito-idp:Admin", "cognito-idp:ListUsers")) for a in _listed(s["Action"]))
    ]
    assert {a for s in users for a in _listed(s["Action"])} == {
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminDeleteUser",
        "cognito-idp:ListUsersInGroup",
    }
    staff_pool = synthesized.logical_id(stack.identity.staff_pool)
    assert all(s["Resource"] == {"Fn::GetAtt": [staff_pool, "Arn"]} for s in users), users


# --- what is used ------------------------------------------------------------------------------------------------


def test_each_machine_s_definition_calls_exactly_what_its_row_declares() -> None:
    for spec in catalog.STATE_MACHINES:
        definition = json.loads(spec.definition_file.read_text())
        assert permissions.asl_actions(definition) == permissions.MACHINES[spec.name].calls, spec.name


def test_asl_tasks_are_read_as_iam_actions() -> None:
    definition = {
        "States": {
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem"},
            "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken"},
            "Sdk": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue"},
            "Fan": {
                "Type": "Map",
                "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2"},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED"},
                    "States": {"Ev": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents"}},
                },
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [{"States": {"Go": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage"}}}],
            },
        }
    }
    assert permissions.asl_actions(definition) == {
        "dynamodb:UpdateItem",
        "lambda:InvokeFunction",
        "secretsmanager:GetSecretValue",
        "s3:ListBucket",
        "events:PutEvents",
        "sqs:SendMessage",
        "states:StartExecution",
        "states:DescribeExecution",
        "states:StopExecution",
    }


def test_requests_are_read_as_iam_actions() -> None:
    transact = {"TransactItems": [{"Put": {}}, {"ConditionCheck": {}}, {"Update": {}}]}
    assert iam_calls.iam_actions("dynamodb", "TransactWriteItems", transact) == {
        "dynamodb:PutItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:UpdateItem",
    }
    assert iam_calls.iam_actions("s3", "HeadObject") == {"s3:GetObject"}
    assert iam_calls.iam_actions("lambda", "Invoke") == {"lambda:InvokeFunction"}
    assert iam_calls.iam_actions("monitoring", "PutMetricData") == {"cloudwatch:PutMetricData"}
    assert iam_calls.iam_actions("sts", "GetCallerIdentity") == set()


def test_the_recorder_attributes_calls_to_the_function_running_and_its_threads() -> None:
    import boto3
    from botocore.stub import Stubber

    from local import invoke

    dynamodb = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")

    def handler(event: Any, context: Any) -> None:
        with Stubber(dynamodb) as stub:
            stub.add_response("get_item", {})
            dynamodb.get_item(TableName="t", Key={"PK": {"S": "k"}})
            with ThreadPoolExecutor(max_workers=1) as pool:  # a handler's worker thread is still the handler
                stub.add_response("query", {"Items": []})
                pool.submit(dynamodb.query, TableName="t").result()
        s3.generate_presigned_url("put_object", Params={"Bucket": "b", "Key": "k"})

    with iam_calls.recording() as recorder:
        with Stubber(dynamodb) as stub:  # outside any handler: nobody's call
            stub.add_response("put_item", {})
            dynamodb.put_item(TableName="t", Item={"PK": {"S": "k"}})
        invoke.invoke("arportal-local-portal_api", handler, {}, {})
    assert dict(recorder.calls) == {"portal_api": {"dynamodb:GetItem", "dynamodb:Query", "s3:PutObject"}}
    assert iam_calls.undeclared_calls({"portal_api": {"dynamodb:Scan"}}) == {"portal_api": {"dynamodb:Scan"}}


# The integration journeys whose handlers, together, reach every function (and most of each one's calls).
JOURNEYS = (
    "tests/integration/test_guest_pay.py",
    "tests/integration/test_portal_linking.py",
    "tests/integration/test_autopay_api.py",
    "tests/integration/test_approval_flow.py",
    "tests/integration/test_staff_actions.py",
    "tests/integration/test_integration_imports.py",
    "tests/integration/test_integration_readback.py",
    "tests/integration/test_integration_clients.py",
    "tests/integration/test_bank_files_import.py",
    "tests/integration/test_settlement_payouts.py",
    "tests/integration/test_scheduled_jobs.py",
    "tests/integration/test_daily_totals.py",
    "tests/integration/test_audit_trail.py",
    "tests/integration/test_webhook_delivery.py",
    "tests/integration/test_webhook_endpoints_api.py",
    "tests/integration/test_sandbox_api.py",
    "tests/integration/test_email_bounces.py",
    "tests/integration/test_balances_connected_systems.py",
    "tests/integration/test_daily_close.py",
    "tests/integration/test_search_pointers_in_line.py",
    "tests/integration/test_staff_members_api.py",
    "tests/integration/test_receipt_download.py",  # the portal draws a receipt's PDF on its first download
)


@pytest.mark.xdist_group("iam-journeys")  # about two minutes, no synthesis: beside the cdk group, not after it
def test_the_functions_make_no_call_their_rows_do_not_declare(tmp_path: Path) -> None:
    """Runs the journeys in a fresh interpreter (the local runtime is process-wide) under the call recorder."""
    report = tmp_path / "iam-calls.json"
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))}
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own tests
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "tests.iam_calls", *JOURNEYS],
        cwd=ROOT,
        env={**environment, iam_calls.REPORT_VARIABLE: str(report)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert report.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    recorded: dict[str, list[str]] = json.loads(report.read_text())
    undeclared = {
        fn: sorted(set(actions) - permissions.FUNCTIONS[fn].calls)
        for fn, actions in recorded.items()
        if set(actions) - permissions.FUNCTIONS[fn].calls
    }
    assert not undeclared, f"calls infrastructure/permissions.py does not declare: {undeclared}"
    unreached = {f.name for f in catalog.FUNCTIONS} - set(recorded)
    assert not unreached, f"no journey reached {sorted(unreached)}: add one to JOURNEYS"
    # The other way: every call a row declares was made, unless the row says no local journey can make it.
    unseen = {
        fn: sorted(row.calls - row.not_local - set(recorded[fn]))
        for fn, row in permissions.FUNCTIONS.items()
        if row.calls - row.not_local - set(recorded[fn])
    }
    assert not unseen, f"declared calls no journey made (remove them, or say why in not_local): {unseen}"
    for fn, row in permissions.FUNCTIONS.items():
        assert row.not_local <= row.calls and not row.not_local & set(recorded[fn]), f"{fn}: not_local is stale"
    assert result.returncode == 0, result.stdout[-3000:]
