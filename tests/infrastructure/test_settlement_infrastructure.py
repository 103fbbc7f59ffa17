"""Settlement in the stack: the machine's Distributed Map lists its chunks under settlement/ in the import bucket
(our key, a week's expiry) and starts its own child executions, the tasks read and write those chunks, the
machine runs on a schedule, and failed (timed out, aborted) executions, reconciliation items opened and missing
payouts raise alarms."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infrastructure import catalog
from tests.infrastructure.synth import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")


def _policies_of(synthesized: Synthesized, role: Any) -> str:
    role_id = synthesized.logical_id(role)
    return json.dumps(
        [
            policy["Properties"]["PolicyDocument"]
            for policy in synthesized.of_type("AWS::IAM::Policy").values()
            if {"Ref": role_id} in policy["Properties"]["Roles"]
        ]
    )


def test_the_machine_is_a_distributed_map_over_its_chunks_with_its_own_child_executions(synthesized: Synthesized):
    stack = synthesized.stack
    machine = stack.workflows["settlement"]
    properties = synthesized.resource(machine)["Properties"]
    assert properties["DefinitionSubstitutions"]["ImportBucketName"] == {
        "Ref": synthesized.logical_id(stack.imports.bucket)
    }
    (spec,) = [m for m in catalog.STATE_MACHINES if m.name == "settlement"]
    states = json.loads(spec.definition_file.read_text())["States"]
    matcher = states["MatchChunks"]
    assert matcher["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert matcher["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"
    assert matcher["ResultPath"] is None  # no result comes back through the state: the counts are in DynamoDB

    statements = _policies_of(synthesized, machine.role)
    assert "s3:ListBucket" in statements and "settlement/*" in statements
    assert "s3:GetObject" not in statements
    child = synthesized.resource(stack.imports.settlement_policy)["Properties"]["PolicyDocument"]["Statement"]
    assert child[0] == {
        "Action": "states:StartExecution",
        "Effect": "Allow",
        "Resource": {"Ref": synthesized.logical_id(machine)},
    }
    tasks = _policies_of(synthesized, stack.functions["workflow_tasks"].role)
    assert "settlement/*" in tasks and "s3:PutObject" in tasks and "s3:DeleteObject" not in tasks


def test_failed_settlement_and_reconciliation_items_opened_raise_alarms(synthesized: Synthesized):
    machine = synthesized.logical_id(synthesized.stack.workflows["settlement"])
    topic = [{"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}]
    alarms = [a["Properties"] for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()]
    # a run that did not finish, whichever way: failed, timed out, or aborted by hand
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
        (alarm,) = [a for a in alarms if a.get("MetricName") == metric and machine in json.dumps(a["Dimensions"])]
        assert alarm["Namespace"] == "AWS/States" and alarm["Statistic"] == "Sum", metric
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert alarm["AlarmActions"] == topic
    (opened,) = [a for a in alarms if a.get("MetricName") == "ReconciliationItemsOpened"]
    assert opened["Namespace"] == "ArPortal" and "Dimensions" not in opened and opened["Threshold"] == 1
    assert opened["AlarmActions"]


def test_the_machine_is_started_on_its_schedule(synthesized: Synthesized):
    machine = synthesized.logical_id(synthesized.stack.workflows["settlement"])
    rules = [
        r["Properties"]
        for r in synthesized.of_type("AWS::Events::Rule").values()
        if machine in json.dumps(r["Properties"].get("Targets", []))
    ]
    assert [r["ScheduleExpression"] for r in rules] == ["cron(0 11 * * ? *)"]


def test_the_alarm_watches_the_metric_settlement_writes(synthesized: Synthesized, capsys: pytest.CaptureFixture[str]):
    from arportal.adapters.settlement_metrics import PowertoolsSettlementMetrics

    PowertoolsSettlementMetrics().reconciliation_items_opened(0)  # nothing opened: nothing written
    PowertoolsSettlementMetrics().reconciliation_items_opened(3)
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in x]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    (metric,) = directive["Metrics"]
    assert directive["Dimensions"] in ([[]], []) and line[metric["Name"]] in (3, 3.0, [3.0])
    alarms = [
        a["Properties"]
        for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == directive["Namespace"]
        and a["Properties"].get("MetricName") == metric["Name"]
    ]
    (alarm,) = alarms
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 1)


def test_missing_payouts_raise_their_own_alarm_on_the_metric_settlement_writes(
    synthesized: Synthesized, capsys: pytest.CaptureFixture[str]
):
    from arportal.adapters.settlement_metrics import PowertoolsSettlementMetrics

    PowertoolsSettlementMetrics().missing_payouts(2)
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in x]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    (metric,) = directive["Metrics"]
    assert metric["Name"] == "MissingPayouts" and directive["Dimensions"] in ([[]], [])
    (alarm,) = [
        a["Properties"]
        for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == directive["Namespace"]
        and a["Properties"].get("MetricName") == metric["Name"]
    ]
    assert "Dimensions" not in alarm
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 1)  # any payment missing
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}]
