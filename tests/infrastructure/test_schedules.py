"""The scheduled jobs: one EventBridge Scheduler schedule per job (daily, and the payment reconciler every few
minutes), each failure path ending in an alarmed queue, and a function that may touch only what the jobs need."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infrastructure.constructs.schedules import JOB_TIMES, PAYMENT_RETRY_VARIABLE, RECONCILE_JOB
from tests.infrastructure.synth import Synthesized, get_att, mentions

pytestmark = pytest.mark.xdist_group("cdk")


def _schedules(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    found = {}
    for resource in synthesized.of_type("AWS::Scheduler::Schedule").values():
        properties = resource["Properties"]
        found[json.loads(properties["Target"]["Input"])["job"]] = properties
    return found


def _role_statements(synthesized: Synthesized, role_logical_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_each_job_runs_daily_in_utc_against_the_jobs_function(synthesized: Synthesized) -> None:
    jobs = synthesized.stack.scheduled_jobs
    function = get_att(synthesized.logical_id(jobs.function))
    dead_letters = get_att(synthesized.logical_id(jobs.dead_letters))
    schedules = _schedules(synthesized)

    assert set(schedules) == {"autopay", "reminders", "overdue", "journal", "close", RECONCILE_JOB}
    for job, (hour, minute) in JOB_TIMES.items():
        schedule = schedules[job]
        assert schedule["ScheduleExpression"] == f"cron({minute} {hour} * * ? *)"
        assert schedule["ScheduleExpressionTimezone"] == "Etc/UTC"
        assert schedule["State"] == "ENABLED"
        assert schedule["GroupName"] == synthesized.resource(jobs.group)["Properties"]["Name"]
        target = schedule["Target"]
        assert target["Arn"] == function
        assert target["DeadLetterConfig"] == {"Arn": dead_letters}
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_the_reconciler_runs_every_five_minutes_against_the_jobs_function(synthesized: Synthesized) -> None:
    jobs = synthesized.stack.scheduled_jobs
    schedule = _schedules(synthesized)[RECONCILE_JOB]
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert schedule["State"] == "ENABLED"
    assert schedule["GroupName"] == synthesized.resource(jobs.group)["Properties"]["Name"]
    target = schedule["Target"]
    assert target["Arn"] == get_att(synthesized.logical_id(jobs.function))
    assert target["DeadLetterConfig"] == {"Arn": get_att(synthesized.logical_id(jobs.dead_letters))}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_the_reconciler_may_ask_the_processor_and_append_to_the_audit_trail(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    fn = synthesized.resource(stack.scheduled_jobs.function)["Properties"]
    statements = _role_statements(synthesized, fn["Role"]["Fn::GetAtt"][0])
    audit = synthesized.logical_id(stack.data.audit)
    on_audit = [s for s in statements if audit in json.dumps(s["Resource"])]
    actions = {a for s in on_audit for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "dynamodb:PutItem" in actions and "dynamodb:GetItem" in actions
    assert not {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} & actions  # the audit trail is append-only
    secret = synthesized.logical_id(stack.processor_secret)
    assert fn["Environment"]["Variables"]["PROCESSOR_SECRET_ARN"] == {"Ref": secret}
    assert any(
        "secretsmanager:GetSecretValue" in json.dumps(s["Action"]) and secret in json.dumps(s) for s in statements
    )


def test_a_job_that_fails_after_lambdas_retries_is_dead_lettered_and_alarmed(synthesized: Synthesized) -> None:
    jobs = synthesized.stack.scheduled_jobs
    function = synthesized.logical_id(jobs.function)
    (config,) = [
        c["Properties"]
        for c in synthesized.of_type("AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == get_att(synthesized.logical_id(jobs.dead_letters))
    queue = synthesized.resource(jobs.dead_letters)["Properties"]
    assert queue["KmsMasterKeyId"] == get_att(synthesized.logical_id(synthesized.stack.data.key))
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm").values()
    watched = [
        a
        for a in alarms
        if {"Name": "QueueName", "Value": get_att(synthesized.logical_id(jobs.dead_letters), "QueueName")}
        in a["Properties"].get("Dimensions", [])
    ]
    assert len(watched) == 1


def test_the_jobs_function_may_start_only_payment_retry(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    fn = synthesized.resource(stack.scheduled_jobs.function)["Properties"]
    machine = synthesized.logical_id(stack.workflows["payment_retry"])
    assert fn["Environment"]["Variables"][PAYMENT_RETRY_VARIABLE] == {"Ref": machine}
    statements = _role_statements(synthesized, fn["Role"]["Fn::GetAtt"][0])
    starts = [s for s in statements if "states:StartExecution" in json.dumps(s["Action"])]
    assert [s["Resource"] for s in starts] == [{"Ref": machine}]
    text = json.dumps(statements)
    assert "ses:SendRawEmail" in text  # reminders and notices
    assert synthesized.logical_id(stack.data.ledger) in text
    for other in ("approval", "settlement"):
        assert synthesized.logical_id(stack.workflows[other]) not in text
    assert synthesized.logical_id(stack.data.idempotency) not in text
    assert synthesized.logical_id(stack.data.documents_bucket) not in text


def test_the_scheduler_may_only_invoke_the_jobs_function(synthesized: Synthesized) -> None:
    function = synthesized.logical_id(synthesized.stack.scheduled_jobs.function)
    (role,) = [
        lid
        for lid, r in synthesized.of_type("AWS::IAM::Role").items()
        if "scheduler.amazonaws.com" in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
    ]
    invokes = [s for s in _role_statements(synthesized, role) if "lambda:InvokeFunction" in json.dumps(s["Action"])]
    assert invokes
    for statement in invokes:
        for resource in statement["Resource"]:
            assert function in json.dumps(resource)


def test_the_daily_close_runs_after_the_journal_and_settlement_and_may_read_the_journal_files(
    synthesized: Synthesized,
) -> None:
    from infrastructure.constructs.workflows import SETTLEMENT_SCHEDULE

    schedule = _schedules(synthesized)["close"]
    hour, minute = JOB_TIMES["close"]
    assert schedule["ScheduleExpression"] == f"cron({minute} {hour} * * ? *)"
    assert (hour, minute) > JOB_TIMES["journal"]
    settlement = SETTLEMENT_SCHEDULE.expression_string  # cron(<minute> <hour> ...)
    assert (hour, minute) > (int(settlement.split()[1]), int(settlement.split()[0].removeprefix("cron(")))
    assert json.loads(schedule["Target"]["Input"]) == {"job": "close"}
    # it reads the day's batches back (checking each against its hash), under journals/ and nowhere else there
    stack = synthesized.stack
    fn = synthesized.resource(stack.scheduled_jobs.function)["Properties"]
    bucket = synthesized.logical_id(stack.data.audit_bucket)
    reads = [
        s
        for s in _role_statements(synthesized, fn["Role"]["Fn::GetAtt"][0])
        if "s3:GetObject*" in json.dumps(s["Action"]) and mentions(s["Resource"], bucket)
    ]
    assert reads
    for statement in reads:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert all(mentions(r, "/journals/*") for r in resources if mentions(r, bucket) and "Fn::Join" in r), resources
