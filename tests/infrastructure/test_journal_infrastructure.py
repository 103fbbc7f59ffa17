"""The GL journal in the stack (issue 14): its daily schedule, the audit bucket's journals/ prefix granted to the
job and the staff API (put, nothing wider), and alarms on the metrics the job writes when a journal fails, and
when it fails because it does not balance."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from infrastructure.constructs.schedules import JOB_TIMES
from tests.infrastructure.synth import Synthesized, get_att, mentions

pytestmark = pytest.mark.xdist_group("cdk")


def _statements(synthesized: Synthesized, function: Any) -> list[dict[str, Any]]:
    role = synthesized.stack.get_logical_id(function.role.node.default_child)
    return [
        s
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_the_journal_job_runs_each_day_after_midnight_utc(synthesized: Synthesized) -> None:
    schedules = {
        json.loads(r["Properties"]["Target"]["Input"])["job"]: r["Properties"]
        for r in synthesized.of_type("AWS::Scheduler::Schedule").values()
    }
    hour, minute = JOB_TIMES["journal"]
    assert 6 <= hour <= 12  # the previous day is over in every US time zone, before the business day
    assert schedules["journal"]["ScheduleExpression"] == f"cron({minute} {hour} * * ? *)"
    assert schedules["journal"]["Target"]["Arn"] == get_att(
        synthesized.logical_id(synthesized.stack.scheduled_jobs.function)
    )


@pytest.mark.parametrize("function_name", ["scheduled_jobs", "staff_api"])
def test_journal_files_may_be_put_under_journals_only(synthesized: Synthesized, function_name: str) -> None:
    stack = synthesized.stack
    bucket = synthesized.logical_id(stack.data.audit_bucket)
    puts = [
        s
        for s in _statements(synthesized, stack.functions[function_name])
        if "s3:PutObject" in _actions(s) and mentions(s["Resource"], bucket)
    ]
    assert puts, f"{function_name} cannot write journal files"
    for statement in puts:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        on_audit_bucket = [r for r in resources if mentions(r, bucket)]
        assert on_audit_bucket and all(mentions(r, "/journals/*") for r in on_audit_bucket), on_audit_bucket
        # written once: nothing that deletes a version or bypasses the Object Lock retention
        assert not any("Delete" in a or "Bypass" in a or a == "s3:*" for a in _actions(statement))


def test_a_failed_journal_build_raises_the_alarm_on_the_metric_the_job_writes(
    synthesized: Synthesized, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from arportal.services import journal_batches
    from arportal.wiring import journals
    from scheduled_jobs import handler

    def unmapped(*_: object, **__: object) -> None:
        raise journal_batches.BusinessRuleError("fee code 'X' of department 'utilities' has no revenue account")

    for name in ("books", "sources", "chart"):
        monkeypatch.setattr(journals, name, lambda: None)
    monkeypatch.setattr(journal_batches, "build_day", unmapped)
    with pytest.raises(journal_batches.BusinessRuleError):
        handler.journal(date(2026, 3, 10), datetime(2026, 3, 10, 11, tzinfo=UTC))  # a Tuesday: builds Monday's
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in x]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    (metric,) = directive["Metrics"]
    alarms = [
        a["Properties"]
        for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == directive["Namespace"]
        and a["Properties"].get("MetricName") == metric["Name"]
    ]
    (alarm,) = alarms
    assert metric["Name"] == "JournalBuildFailed" and directive["Namespace"] == "ArPortal"
    assert directive["Dimensions"] in ([[]], []) and not alarm.get("Dimensions")
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)
    assert alarm["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}]


def test_an_unbalanced_journal_counts_its_own_metric_which_has_its_own_alarm(
    synthesized: Synthesized, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from arportal.domain.journals import UnbalancedJournalError
    from arportal.services import journal_batches
    from arportal.wiring import journals
    from scheduled_jobs import handler

    def unbalanced(*_: object, **__: object) -> None:
        raise UnbalancedJournalError("journal GL-x-20260309-01 does not balance: USD fund 510 off by 1")

    for name in ("books", "sources", "chart"):
        monkeypatch.setattr(journals, name, lambda: None)
    monkeypatch.setattr(journal_batches, "build_day", unbalanced)
    with pytest.raises(UnbalancedJournalError):
        handler.journal(date(2026, 3, 10), datetime(2026, 3, 10, 11, tzinfo=UTC))
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in x]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    # a build that failed, and one that failed this way (an unmapped code counts only the first: the test above)
    assert {m["Name"] for m in directive["Metrics"]} == {"JournalBuildFailed", "JournalUnbalanced"}
    assert directive["Namespace"] == "ArPortal" and directive["Dimensions"] in ([[]], [])
    (alarm,) = [
        a["Properties"]
        for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == "ArPortal" and a["Properties"].get("MetricName") == "JournalUnbalanced"
    ]
    assert not alarm.get("Dimensions") and (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)
    assert alarm["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}]


def test_a_day_that_is_not_a_banking_day_builds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from arportal.services import journal_batches
    from scheduled_jobs import handler

    def never(*_: object, **__: object) -> None:
        raise AssertionError("built on a weekend")

    monkeypatch.setattr(journal_batches, "build_day", never)
    assert "skipped" in handler.journal(date(2026, 3, 14), datetime(2026, 3, 14, 11, tzinfo=UTC))  # a Saturday
