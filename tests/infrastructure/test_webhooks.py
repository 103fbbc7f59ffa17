"""Signed webhooks in AWS (issue 13): every event of ours from the bus to an encrypted queue with a dead-letter queue,
the dispatcher on that queue with bounded concurrency, a sweep every minute, the webhooks table as the store lays it
out, grants no wider than the code's calls, and alarms on what needs a person."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arportal.adapters.dynamodb import tables, webhook_items
from arportal.adapters.dynamodb.outbox import EVENT_SOURCE
from arportal.adapters.webhook_metrics import PowertoolsWebhookMetrics
from arportal.adapters.webhook_secrets import PUBLIC_KEY_NAME, SIGNING_KEY_NAME
from arportal.domain.webhooks import Delivery, DeliveryStatus, Endpoint
from arportal.services.webhook_attempts import MAX_PER_ENDPOINT
from infrastructure import catalog
from infrastructure.constructs.webhooks import MAX_CONCURRENCY, MAX_RECEIVE_COUNT, secret_prefix
from tests import builders as b
from tests.infrastructure.synth import Synthesized, get_att, mentions

pytestmark = pytest.mark.xdist_group("cdk")

ROOT = catalog.ROOT


def _props(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.resource(construct)["Properties"]
    return properties


def _statements(synthesized: Synthesized, function: str) -> list[dict[str, Any]]:
    role = _props(synthesized, synthesized.stack.functions[function])["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def _policy_of(synthesized: Synthesized, queue: Any) -> list[dict[str, Any]]:
    queue_ref = {"Ref": synthesized.logical_id(queue)}
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synthesized.of_type("AWS::SQS::QueuePolicy").values()
        if queue_ref in p["Properties"]["Queues"]
    ]
    return policy


def test_every_event_of_ours_goes_from_the_bus_to_the_encrypted_queue(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    webhooks = stack.webhooks
    rule = _props(synthesized, webhooks.rule)
    assert rule["EventBusName"] == {"Ref": synthesized.logical_id(stack.events.bus)}
    assert rule["EventPattern"] == {"source": [EVENT_SOURCE]}
    # The state machines put their events with the same source, so the rule takes theirs too.
    sources = {
        entry["Source"]
        for path in catalog.STATEMACHINES_DIR.glob("*.asl.json")
        for entry in _entries(json.loads(path.read_text(encoding="utf-8")))
    }
    assert sources == {EVENT_SOURCE}
    (target,) = rule["Targets"]
    assert target["Arn"] == get_att(synthesized.logical_id(webhooks.queue))
    assert target["DeadLetterConfig"] == {"Arn": get_att(synthesized.logical_id(webhooks.dead_letters))}
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 24 * 3600


def _entries(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = list(node["Parameters"]["Entries"]) if str(node.get("Resource", "")).endswith(":putEvents") else []
        return found + [e for value in node.values() for e in _entries(value)]
    if isinstance(node, list):
        return [e for value in node for e in _entries(value)]
    return []


def test_the_queue_is_encrypted_with_our_key_and_dead_letters_what_keeps_failing(synthesized: Synthesized) -> None:
    webhooks = synthesized.stack.webhooks
    key = get_att(synthesized.logical_id(synthesized.stack.data.key))
    queue = _props(synthesized, webhooks.queue)
    for q in (webhooks.queue, webhooks.dead_letters, webhooks.sweep_dead_letters):
        assert _props(synthesized, q)["KmsMasterKeyId"] == key
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": get_att(synthesized.logical_id(webhooks.dead_letters)),
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    assert 3 <= MAX_RECEIVE_COUNT <= 10
    # Lambda's rule for an SQS source: the visibility timeout at least the function's timeout (six times, advised).
    assert queue["VisibilityTimeout"] >= 6 * catalog.function("webhook_dispatcher").timeout_s
    assert queue["MessageRetentionPeriod"] == 14 * 86400


def test_only_our_rules_may_put_on_the_queues_and_use_the_key(synthesized: Synthesized) -> None:
    webhooks = synthesized.stack.webhooks
    rule = get_att(synthesized.logical_id(webhooks.rule))
    for queue in (webhooks.queue, webhooks.dead_letters):
        allowed = [s for s in _policy_of(synthesized, queue) if s["Effect"] == "Allow"]
        assert allowed and all(s["Condition"] == {"ArnEquals": {"aws:SourceArn": rule}} for s in allowed), allowed
    key = _props(synthesized, synthesized.stack.data.key)["KeyPolicy"]["Statement"]
    for_events = [s for s in key if s.get("Principal") == {"Service": "events.amazonaws.com"}]
    assert for_events and all("Condition" in s for s in for_events), for_events
    bus_rules = [s for s in for_events if mentions(s, "rule/arportal-")]
    # the webhook rules' statement, and the email feedback rule's (its dead letters, issue 17): each for this account
    assert len(bus_rules) == 2 and sum(mentions(s, "-email-feedback") for s in bus_rules) == 1, bus_rules
    assert all(s["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"} for s in bus_rules)


def test_the_dispatcher_takes_the_queue_ten_at_a_time_with_bounded_concurrency(synthesized: Synthesized) -> None:
    webhooks, functions = synthesized.stack.webhooks, synthesized.stack.functions
    queue = get_att(synthesized.logical_id(webhooks.queue))
    (mapping,) = [
        m["Properties"]
        for m in synthesized.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == queue
    ]
    assert mapping["FunctionName"] == {"Ref": synthesized.logical_id(functions["webhook_dispatcher"])}
    assert mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": MAX_CONCURRENCY}
    assert 2 <= MAX_CONCURRENCY <= 5  # SQS's least; and few containers, so few requests at once per endpoint


def test_the_load_on_a_receiver_is_documented_as_configured() -> None:
    # an endpoint's requests in flight: per container, times the queue's containers and up to two sweeps
    text = (ROOT / "docs" / "webhooks.md").read_text(encoding="utf-8")
    containers = MAX_CONCURRENCY + 2
    assert f"At most {MAX_CONCURRENCY} containers" in text
    assert f"{MAX_PER_ENDPOINT} \N{MULTIPLICATION SIGN} {containers} = {MAX_PER_ENDPOINT * containers} requests" in text


def test_a_sweep_every_minute_invokes_the_dispatcher_and_dead_letters_what_fails(synthesized: Synthesized) -> None:
    webhooks, functions = synthesized.stack.webhooks, synthesized.stack.functions
    dispatcher = get_att(synthesized.logical_id(functions["webhook_dispatcher"]))
    sweep_dead_letters = get_att(synthesized.logical_id(webhooks.sweep_dead_letters))
    sweep = _props(synthesized, webhooks.sweep)
    assert sweep["ScheduleExpression"] == "rate(1 minute)"
    assert "EventBusName" not in sweep  # schedules run on the default bus
    (target,) = sweep["Targets"]
    assert target["Arn"] == dispatcher
    assert json.loads(target["Input"]) == {"task": "sweep"}
    assert target["DeadLetterConfig"] == {"Arn": sweep_dead_letters}
    (permission,) = [
        p["Properties"]
        for p in synthesized.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == dispatcher
    ]
    assert permission["SourceArn"] == get_att(synthesized.logical_id(webhooks.sweep))
    (config,) = [
        c["Properties"]
        for c in synthesized.of_type("AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": synthesized.logical_id(functions["webhook_dispatcher"])}
    ]
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == sweep_dead_letters
    assert config["MaximumRetryAttempts"] == 0  # the next minute's sweep does the work again


def test_the_table_has_the_keys_the_store_writes(synthesized: Synthesized) -> None:
    table = _props(synthesized, synthesized.stack.webhooks.table)
    assert synthesized.stack.webhooks.table is synthesized.stack.data.tables[tables.WEBHOOKS.logical_id]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["KMSMasterKeyId"] == get_att(synthesized.logical_id(synthesized.stack.data.key))
    indexes = {i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in table["GlobalSecondaryIndexes"]}
    pending = Delivery("whe_1", "evt_1", "payment.posted", "{}", DeliveryStatus.PENDING, next_attempt_at=b.NOW)
    held = Delivery("whe_1", "evt_2", "payment.posted", "{}", DeliveryStatus.HELD)
    delivered = Delivery("whe_1", "evt_3", "payment.posted", "{}", DeliveryStatus.DELIVERED)
    # The sparse indexes hold exactly the deliveries the sweep looks for; old logs expire by the table's TTL.
    assert set(indexes[tables.DUE]) <= set(webhook_items.delivery_item(pending, now=b.NOW))
    assert set(indexes[tables.HELD]) <= set(webhook_items.delivery_item(held, now=b.NOW))
    done = webhook_items.delivery_item(delivered, now=b.NOW)
    assert not set(indexes[tables.DUE]) & set(done) and "expires_at" in done


def test_every_function_is_told_the_table_and_the_secret_prefix(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    table = {"Ref": synthesized.logical_id(stack.webhooks.table)}
    assert stack.webhooks.secret_prefix == secret_prefix(stack.config) == "arportal/springfield/dev/webhooks/"
    for name in ("webhook_dispatcher", "integration_api", "public_api"):
        variables = _props(synthesized, stack.functions[name])["Environment"]["Variables"]
        assert variables["WEBHOOKS_TABLE"] == table
        assert variables["WEBHOOK_SECRET_PREFIX"] == stack.webhooks.secret_prefix
        assert variables["WEBHOOKS_LOCAL"] == "false"  # https and public addresses only
        assert variables["WEBHOOK_RETRY_SCALE"] == "1.0"
        # the signing secrets are made under the stack's key, not Secrets Manager's own
        assert variables["WEBHOOK_SECRET_KMS_KEY"] == {"Fn::GetAtt": [synthesized.logical_id(stack.data.key), "Arn"]}


def test_only_the_dispatcher_and_the_integration_api_touch_the_table(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    table = synthesized.logical_id(stack.webhooks.table)
    for name in catalog.functions_for(stack.config.processor):
        touches = any(mentions(s["Resource"], table) for s in _statements(synthesized, name.name))
        assert touches == (name.name in ("webhook_dispatcher", "integration_api")), name.name


def _secret_grants(synthesized: Synthesized, function: str) -> list[tuple[set[str], str, Any]]:
    """(actions, resource pattern after the prefix, condition) of each Secrets Manager grant under the prefix."""
    prefix = synthesized.stack.webhooks.secret_prefix
    found = []
    for statement in _statements(synthesized, function):
        actions = {a for a in _actions(statement) if a.startswith("secretsmanager:")}
        if not actions:
            continue
        for resource in _resources(statement):
            text = json.dumps(resource)
            assert text != '"*"', (function, statement)
            if prefix in text:
                found.append((actions, text.split(prefix, 1)[1].rstrip('"]}'), statement.get("Condition")))
    return found


def test_secrets_grants_are_what_each_function_does_with_them(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    prefix = stack.webhooks.secret_prefix
    name_is_the_key = {"StringEquals": {"secretsmanager:Name": [prefix + SIGNING_KEY_NAME, prefix + PUBLIC_KEY_NAME]}}
    create_the_key = ({"secretsmanager:CreateSecret"}, f"{SIGNING_KEY_NAME}*", name_is_the_key)
    assert sorted(_secret_grants(synthesized, "webhook_dispatcher"), key=str) == sorted(
        [({"secretsmanager:GetSecretValue"}, "*", None), create_the_key], key=str
    )
    manage = {
        "secretsmanager:CreateSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
    }
    assert _secret_grants(synthesized, "integration_api") == [(manage, "*", None)]
    # the internet-facing function reads the public half only: it can neither read nor make the private key
    assert _secret_grants(synthesized, "public_api") == [
        ({"secretsmanager:GetSecretValue"}, f"{PUBLIC_KEY_NAME}-??????", None)
    ]
    for spec in catalog.functions_for(stack.config.processor):
        if spec.name not in ("webhook_dispatcher", "integration_api", "public_api"):
            assert _secret_grants(synthesized, spec.name) == [], spec.name


def test_only_the_dispatcher_consumes_the_queue_and_it_may_tell_the_admins(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    queue = synthesized.logical_id(stack.webhooks.queue)
    for spec in catalog.functions_for(stack.config.processor):
        receives = any(
            "sqs:ReceiveMessage" in _actions(s) and mentions(s["Resource"], queue)
            for s in _statements(synthesized, spec.name)
        )
        assert receives == (spec.name == "webhook_dispatcher"), spec.name
    dispatcher = _statements(synthesized, "webhook_dispatcher")
    staff_pool = synthesized.logical_id(stack.identity.staff_pool)
    (listing,) = [s for s in dispatcher if "cognito-idp:ListUsersInGroup" in _actions(s)]
    assert _actions(listing) == {"cognito-idp:ListUsersInGroup"} and mentions(listing["Resource"], staff_pool)
    assert any("ses:SendRawEmail" in _actions(s) or "ses:SendEmail" in _actions(s) for s in dispatcher)
    # Of the ledger, only the email suppression list it checks before telling the admins (issue 17)
    ledger = [s for s in dispatcher if mentions(s["Resource"], synthesized.logical_id(stack.data.ledger))]
    assert [_actions(s) for s in ledger] == [{"dynamodb:GetItem"}], ledger
    assert ledger[0]["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["EMAILSUP#*"]}}


def _alarms_on(synthesized: Synthesized, **properties: Any) -> list[dict[str, Any]]:
    return [
        a["Properties"]
        for a in synthesized.of_type("AWS::CloudWatch::Alarm").values()
        if all(a["Properties"].get(k) == v for k, v in properties.items())
    ]


def test_both_dead_letter_queues_are_alarmed(synthesized: Synthesized) -> None:
    topic = {"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}
    for queue in (synthesized.stack.webhooks.dead_letters, synthesized.stack.webhooks.sweep_dead_letters):
        name = get_att(synthesized.logical_id(queue), "QueueName")
        (alarm,) = _alarms_on(synthesized, Dimensions=[{"Name": "QueueName", "Value": name}])
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["Threshold"] == 1 and alarm["AlarmActions"] == [topic]


def test_an_endpoint_switched_off_raises_the_alarm_on_the_metric_the_dispatcher_writes(
    synthesized: Synthesized, capsys: pytest.CaptureFixture[str]
) -> None:
    # What the dispatcher's metrics adapter writes (EMF on stdout) is the metric the alarm watches, dimensions and all.
    PowertoolsWebhookMetrics().endpoint_disabled(Endpoint("whe_1", "https://example.org/hook", ("*",)))
    (line,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in line]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    (metric,) = directive["Metrics"]
    (alarm,) = _alarms_on(synthesized, Namespace=directive["Namespace"], MetricName=metric["Name"])
    assert directive["Dimensions"] in ([[]], [])
    assert "Dimensions" not in alarm or alarm["Dimensions"] == []
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 1)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.observability.topic)}]


def test_the_bus_archive_keeps_every_event_a_year_for_replay(synthesized: Synthesized) -> None:
    archive = synthesized.stack.events.archive
    properties = synthesized.resources[synthesized.logical_id(archive)]["Properties"]
    assert properties["SourceArn"] == get_att(synthesized.logical_id(synthesized.stack.events.bus))
    assert properties["RetentionDays"] == 365
    assert properties["EventPattern"] == {"account": ["123456789012"]}  # every event put on the bus
