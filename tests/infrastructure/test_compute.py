"""Every catalog function and state machine exists as declared; the outbox pipe relays only OUTBOX# items."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infrastructure import catalog
from tests.infrastructure.synth import Synthesized, get_att

pytestmark = pytest.mark.xdist_group("cdk")

ENVIRONMENT_NAMES = set(
    catalog.runtime_environment(
        **dict.fromkeys(
            (
                "ledger_table",
                "audit_table",
                "idempotency_table",
                "documents_bucket",
                "audit_bucket",
                "event_bus",
                "customer_pool_id",
                "staff_pool_id",
                "agency_name",
                "currency",
                "processor",
                "sender_email",
                "stage",
            ),
            "x",
        ),
        approval_threshold_minor=0,
    )
)


def _function(synthesized: Synthesized, name: str) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resource(synthesized.stack.functions[name])["Properties"]
    return properties


@pytest.mark.parametrize("spec", catalog.FUNCTIONS, ids=lambda spec: spec.name)
def test_function_matches_the_catalog(synthesized: Synthesized, spec: catalog.FunctionSpec) -> None:
    fn = _function(synthesized, spec.name)
    assert fn["Handler"] == spec.handler
    assert fn["Runtime"] == "python3.12"
    assert (fn["MemorySize"], fn["Timeout"]) == (spec.memory_mb, spec.timeout_s)
    assert fn["TracingConfig"] == {"Mode": "Active"}
    # every variable, less the large settings the settings file carries (catalog.SETTINGS_FILE_VARIABLES)
    expected = catalog.settings_file(dict.fromkeys(ENVIRONMENT_NAMES, ""))[0]
    assert set(fn["Environment"]["Variables"]) >= set(expected)
    assert not set(fn["Environment"]["Variables"]) & set(catalog.SETTINGS_FILE_VARIABLES)
    assert synthesized.logical_id(synthesized.stack.functions.settings_layer) in json.dumps(fn["Layers"])
    assert "LogGroup" in fn["LoggingConfig"]
    layers = json.dumps(fn["Layers"])
    assert synthesized.logical_id(synthesized.stack.functions.layer) in layers
    assert synthesized.logical_id(synthesized.stack.functions.dependencies_layer) in layers
    # Only this stack's own layers: a layer of another account (the public Powertools one) is not the lock's versions
    assert all(set(layer) == {"Ref"} for layer in fn["Layers"]), fn["Layers"]


def test_api_functions_know_the_state_machines(synthesized: Synthesized) -> None:
    for name in ("portal_api", "staff_api"):
        variables = _function(synthesized, name)["Environment"]["Variables"]
        for machine, variable in (
            ("payment_retry", "PAYMENT_RETRY_STATE_MACHINE_ARN"),
            ("approval", "APPROVAL_STATE_MACHINE_ARN"),
            ("settlement", "SETTLEMENT_STATE_MACHINE_ARN"),
        ):
            assert variables[variable] == {"Ref": synthesized.logical_id(synthesized.stack.workflows[machine])}


def test_each_function_has_its_own_role_without_managed_policies(synthesized: Synthesized) -> None:
    roles = [_function(synthesized, spec.name)["Role"] for spec in catalog.FUNCTIONS]
    assert len({json.dumps(role) for role in roles}) == len(catalog.FUNCTIONS)
    for role in roles:
        assert "ManagedPolicyArns" not in synthesized.resources[role["Fn::GetAtt"][0]]["Properties"]


def test_only_the_four_mailers_may_send_email(synthesized: Synthesized) -> None:
    senders = {
        policy["Properties"]["Roles"][0]["Ref"]
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ses:SendEmail" in json.dumps(statement["Action"])
    }
    expected = {
        _function(synthesized, name)["Role"]["Fn::GetAtt"][0]
        # scheduled_jobs (issue 4) sends due-date reminders and overdue notices; webhook_dispatcher (issue 13) tells
        # the agency's administrators when it switches a webhook endpoint off; integration_api (issue 15) applies the
        # bank files a connected system sends, and a payer matched gets a receipt.
        for name in (
            "public_api",
            "portal_api",
            "staff_api",
            "workflow_tasks",
            "scheduled_jobs",
            "webhook_dispatcher",
            "integration_api",
        )
    }
    assert senders == expected


@pytest.mark.parametrize("spec", catalog.STATE_MACHINES, ids=lambda spec: spec.name)
def test_state_machine_is_standard_logged_traced_and_substituted(
    synthesized: Synthesized, spec: catalog.StateMachineSpec
) -> None:
    machine = synthesized.resource(synthesized.stack.workflows[spec.name])["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert set(catalog.SUBSTITUTION_NAMES) <= set(machine["DefinitionSubstitutions"])
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["TracingConfiguration"] == {"Enabled": True}


def test_state_machine_roles_are_granted_what_the_asl_uses(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    tasks = synthesized.logical_id(stack.functions["workflow_tasks"])
    ledger = synthesized.logical_id(stack.data.ledger)
    bus = synthesized.logical_id(stack.events.bus)
    for name, machine in stack.workflows.machines.items():
        role = synthesized.logical_id(machine.role)
        statements = json.dumps(
            [
                policy["Properties"]["PolicyDocument"]
                for policy in synthesized.of_type("AWS::IAM::Policy").values()
                if {"Ref": role} in policy["Properties"]["Roles"]
            ]
        )
        for needle in ("lambda:InvokeFunction", tasks):
            assert needle in statements, (machine.node.id, needle)
        # No Task state reads or writes a table: the task function does (issue 17, least privilege).
        assert "dynamodb:" not in statements and ledger not in statements, machine.node.id
        puts_events = (
            "arn:aws:states:::events:putEvents" in (catalog.STATEMACHINES_DIR / f"{name}.asl.json").read_text()
        )
        assert ("events:PutEvents" in statements and bus in statements) is puts_events, (machine.node.id, "bus")


def test_outbox_pipe_relays_only_new_outbox_items_to_the_bus(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    pipe = synthesized.resource(stack.events.pipe)["Properties"]
    assert pipe["Source"] == get_att(synthesized.logical_id(stack.data.ledger), "StreamArn")
    assert pipe["Target"] == get_att(synthesized.logical_id(stack.events.bus))
    (criteria,) = pipe["SourceParameters"]["FilterCriteria"]["Filters"]
    pattern = json.loads(criteria["Pattern"])
    assert pattern["eventName"] == ["INSERT"]
    assert pattern["dynamodb"]["NewImage"]["PK"]["S"] == [{"prefix": "OUTBOX#"}]
    stream = pipe["SourceParameters"]["DynamoDBStreamParameters"]
    assert stream["DeadLetterConfig"]["Arn"] == get_att(synthesized.logical_id(stack.events.dead_letters))
    target = pipe["TargetParameters"]
    assert target["EventBridgeEventBusParameters"] == {
        "DetailType": "$.dynamodb.NewImage.detail_type.S",
        "Source": "$.dynamodb.NewImage.source.S",
    }
    assert target["InputTemplate"] == "<$.dynamodb.NewImage.detail.S>"


def test_bus_is_encrypted_and_archived(synthesized: Synthesized) -> None:
    key_arn = get_att(synthesized.logical_id(synthesized.stack.data.key))
    bus = synthesized.resource(synthesized.stack.events.bus)["Properties"]
    assert bus["KmsKeyIdentifier"] == key_arn
    archive = synthesized.resource(synthesized.stack.events.archive)["Properties"]
    assert archive["SourceArn"] == get_att(synthesized.logical_id(synthesized.stack.events.bus))
    assert archive["KmsKeyIdentifier"] == key_arn
