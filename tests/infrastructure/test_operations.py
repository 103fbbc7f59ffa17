"""Operations (issue 17): the stage's dashboard reads real metrics, every alarm notifies the topic, AWS Backup covers
the tables and the buckets of evidence, and the runbooks name real outputs. (Custom domains and CloudFront's web ACL:
``test_domains_and_waf.py``.)"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from arportal.adapters import payment_metrics, return_rate_metrics, settlement_metrics, webhook_metrics
from tests.infrastructure.synth import ROOT, Synthesized, get_att, ref

pytestmark = pytest.mark.xdist_group("cdk")

RUNBOOKS = ROOT / "docs" / "runbooks"


def _flatten(value: Any) -> Any:
    """A dashboard body (``Fn::Join`` of strings and intrinsics) as one JSON string, intrinsics as ``<Id.Attr>``."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    separator, parts = value["Fn::Join"]
    return separator.join(_flatten(part) for part in parts)


def dashboard(synthesized: Synthesized) -> dict[str, Any]:
    (resource,) = synthesized.of_type("AWS::CloudWatch::Dashboard").values()
    body: dict[str, Any] = json.loads(_flatten(resource["Properties"]["DashboardBody"]))
    return body


def metrics_of(body: dict[str, Any]) -> list[list[Any]]:
    """Every metric line of every graph, as CloudWatch reads it: [namespace, name, dim, value, ..., {options}]."""
    lines = []
    for widget in body["widgets"]:
        for line in widget["properties"].get("metrics", []):
            lines.append([part for part in line if not isinstance(part, dict)] + [line[-1]])
    return lines


def has_metric(lines: list[list[Any]], namespace: str, name: str, *dimensions: str) -> bool:
    return any(line[:2] == [namespace, name] and list(dimensions) == line[2:-1] for line in lines)


def emitted(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, list[Any]]]:
    """(namespace, metric, dimension sets) of each EMF line the code printed."""
    found = []
    for line in capsys.readouterr().out.splitlines():
        if "CloudWatchMetrics" in line:
            for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]:
                found += [(directive["Namespace"], m["Name"], directive["Dimensions"]) for m in directive["Metrics"]]
    return found


def test_the_dashboard_reads_the_metrics_the_code_emits(
    synthesized: Synthesized, capsys: pytest.CaptureFixture[str]
) -> None:
    settlement = settlement_metrics.PowertoolsSettlementMetrics()
    settlement.reconciliation_items_opened(2)
    settlement.missing_payouts(1)
    return_rate_metrics.PowertoolsReturnRateAlerts().warning("unauthorized", 0.4)
    webhook_metrics.PowertoolsWebhookMetrics().endpoint_disabled(None)  # type: ignore[arg-type]
    payment_metrics.PowertoolsPaymentMetrics().outcomes(accepted=3, failed=1)
    names = emitted(capsys)
    assert len(names) == 6
    lines = metrics_of(dashboard(synthesized))
    for namespace, name, dimensions in names:
        assert dimensions in ([[]], [])  # the bare metric, as the dashboard and the alarms read it
        assert has_metric(lines, namespace, name), name


def test_the_dashboard_shows_payments_latency_errors_queues_and_workflows(synthesized: Synthesized) -> None:
    stack, lines = synthesized.stack, metrics_of(dashboard(synthesized))
    # API Gateway keys its metrics by the API's name (unique per agency and stage) and the stage's
    api = synthesized.resource(stack.api.rest_api)["Properties"]["Name"]
    assert api == f"arportal-{stack.config.agency}-{stack.config.stage}"
    stage_dimensions = ("ApiName", api, "Stage", f"<{synthesized.logical_id(stack.api.rest_api.deployment_stage)}>")
    for percentile in ("p50", "p99"):
        assert any(
            has_metric([line], "AWS/ApiGateway", "Latency", *stage_dimensions) and line[-1]["stat"] == percentile
            for line in lines
        )
    for name in ("4XXError", "5XXError"):
        assert has_metric(lines, "AWS/ApiGateway", name, *stage_dimensions)
    for function in stack.functions.api_functions():
        durations = [
            line
            for line in lines
            if line[:2] == ["AWS/Lambda", "Duration"] and f"<{synthesized.logical_id(function)}>" in line
        ]
        assert {line[-1]["stat"] for line in durations} == {"p50", "p99"}
    # every dead-letter queue: every queue but the webhook events' own (which has a redrive policy)
    queues = synthesized.of_type("AWS::SQS::Queue")
    dead_letters = [lid for lid, q in queues.items() if "RedrivePolicy" not in q["Properties"]]
    assert len(dead_letters) >= 6
    for lid in dead_letters:
        assert has_metric(lines, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", f"<{lid}.QueueName>")
    for machine in synthesized.of_type("AWS::StepFunctions::StateMachine"):
        for name in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
            assert has_metric(lines, "AWS/States", name, "StateMachineArn", f"<{machine}>"), (machine, name)
    # the payment success rate: the first outcomes the aggregate builder counts, and the rate between them
    for name in (payment_metrics.PAYMENTS_ACCEPTED, payment_metrics.PAYMENTS_FAILED):
        assert has_metric(lines, "ArPortal", name), name
    assert any("expression" in line[-1] and "accepted" in line[-1]["expression"] for line in lines)


def test_every_alarm_notifies_the_topic_and_shows_on_the_dashboard(synthesized: Synthesized) -> None:
    topic = ref(synthesized.logical_id(synthesized.stack.observability.topic))
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm")
    assert len(alarms) >= 40
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [topic]
    (status,) = [w for w in dashboard(synthesized)["widgets"] if w["type"] == "alarm"]
    assert sorted(status["properties"]["alarms"]) == sorted(f"<{lid}.Arn>" for lid in alarms)
    # no email subscription unless alarmEmail is set
    assert synthesized.of_type("AWS::SNS::Subscription") == {}


def test_backup_covers_every_table_and_the_buckets_of_evidence(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    (selection,) = synthesized.of_type("AWS::Backup::BackupSelection").values()
    selected = selection["Properties"]["BackupSelection"]["Resources"]
    tables = synthesized.of_type("AWS::DynamoDB::Table")
    for lid, table in tables.items():
        assert get_att(lid) in selected
        assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    buckets = synthesized.of_type("AWS::S3::Bucket")
    not_backed_up = {synthesized.logical_id(stack.web.bucket), synthesized.logical_id(stack.imports.bucket)}
    for lid, bucket in buckets.items():
        if lid in not_backed_up:
            assert get_att(lid) not in selected
            continue
        assert get_att(lid) in selected, lid
        assert bucket["Properties"]["VersioningConfiguration"]["Status"] == "Enabled"  # S3 backup needs it
    assert len(selected) == len(tables) + len(buckets) - len(not_backed_up)

    (vault,) = synthesized.of_type("AWS::Backup::BackupVault").values()
    assert vault["Properties"]["EncryptionKeyArn"] == get_att(synthesized.logical_id(stack.data.key))
    assert vault["DeletionPolicy"] == "Retain"
    assert "backup:DeleteRecoveryPoint" in json.dumps(vault["Properties"]["AccessPolicy"])
    (plan,) = synthesized.of_type("AWS::Backup::BackupPlan").values()
    rules = {r["RuleName"]: r for r in plan["Properties"]["BackupPlan"]["BackupPlanRule"]}
    assert rules["Daily"]["Lifecycle"]["DeleteAfterDays"] == 35
    assert rules["Monthly"]["Lifecycle"]["DeleteAfterDays"] == 366
    assert rules["Monthly"]["ScheduleExpression"] == "cron(0 5 1 * ? *)"
    # failed backup jobs reach the alarm topic
    failures = synthesized.resource(stack.backup.failures)["Properties"]
    assert failures["EventPattern"]["source"] == ["aws.backup"]
    assert failures["Targets"][0]["Arn"] == ref(synthesized.logical_id(stack.observability.topic))


def test_the_runbooks_find_what_they_name_in_the_outputs(synthesized: Synthesized) -> None:
    outputs, stack = synthesized.outputs, synthesized.stack
    for name, queue in stack.observability.dead_letter_queues.items():
        key = "".join(word.capitalize() for word in name.split()) + "QueueUrl"
        assert outputs[key]["Value"] == ref(synthesized.logical_id(queue))
    assert outputs["WebhookQueueUrl"]["Value"] == ref(synthesized.logical_id(stack.webhooks.queue))
    for name, machine in stack.workflows.machines.items():
        key = "".join(word.capitalize() for word in name.split("_")) + "StateMachineArn"
        assert outputs[key]["Value"] == ref(synthesized.logical_id(machine))
    for key in ("DashboardName", "BackupVaultName", "DataKeyArn", "WebAclArn", "AlarmTopicArn", "LedgerTableName"):
        assert key in outputs
    runbooks = "\n".join(path.read_text() for path in RUNBOOKS.glob("*.md"))
    named = set(re.findall(r"\bout ([A-Za-z]+)\b", runbooks))
    assert named and named <= set(outputs), named - set(outputs)
