"""The aggregate builder on the ledger's stream: only new outbox items reach it, failures are reported per record
and end in a dead-letter queue that is alarmed, and it may touch the ledger table and nothing else of the data."""

from __future__ import annotations

import json
from typing import Any

from tests.infrastructure.synth import Synthesized, get_att, mentions


def _mapping(synthesized: Synthesized) -> dict[str, Any]:
    builder = synthesized.stack.functions["aggregate_builder"]
    (mapping,) = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": synthesized.logical_id(builder)}
    ]
    return mapping


def test_the_builder_reads_the_ledger_stream_filtered_to_new_outbox_items(synthesized: Synthesized) -> None:
    mapping = _mapping(synthesized)
    ledger = synthesized.stack.data.ledger
    assert mapping["EventSourceArn"] == get_att(synthesized.logical_id(ledger), "StreamArn")
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    (pattern,) = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert pattern == {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"PK": {"S": [{"prefix": "OUTBOX#"}]}}}}


def test_failures_are_reported_per_record_and_dead_lettered_with_an_alarm(synthesized: Synthesized) -> None:
    mapping = _mapping(synthesized)
    dead_letters = synthesized.stack.daily_totals.dead_letters
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 10
    dlq_arn = get_att(synthesized.logical_id(dead_letters))
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": dlq_arn}}
    assert synthesized.resource(dead_letters)["Properties"]["KmsMasterKeyId"]
    alarms = list(synthesized.of_type("AWS::CloudWatch::Alarm").values())
    dlq = synthesized.logical_id(dead_letters)
    assert [a for a in alarms if mentions(a["Properties"].get("Dimensions", []), dlq)]
    builder = {"Ref": synthesized.logical_id(synthesized.stack.functions["aggregate_builder"])}
    errors = [
        a
        for a in alarms
        if a["Properties"].get("MetricName") == "Errors"
        and {"Name": "FunctionName", "Value": builder} in a["Properties"].get("Dimensions", [])
    ]
    assert len(errors) == 1


def test_the_builder_may_use_the_ledger_but_not_the_audit_table_or_buckets(synthesized: Synthesized) -> None:
    builder = synthesized.stack.functions["aggregate_builder"]
    role = synthesized.logical_id(builder.role)
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
    ]
    statements = [s for doc in policies for s in doc]
    ledger = synthesized.logical_id(synthesized.stack.data.ledger)
    writes = [s for s in statements if "dynamodb:PutItem" in s["Action"]]
    assert writes and all(mentions(s["Resource"], ledger) for s in writes)
    audit = synthesized.logical_id(synthesized.stack.data.audit)
    assert not any(mentions(s["Resource"], audit) for s in statements)
    assert not any(mentions(s["Action"], "s3:") for s in statements)
