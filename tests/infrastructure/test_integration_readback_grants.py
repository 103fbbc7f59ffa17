"""The integration API reads back what happened: it may query the ledger's indexes (the event feed in ByActivityDay,
the payments that changed in OpenItems) and read items by key (payments, invoices), and the ledger's stream still
relays only new outbox items, so the TTL that ends an event's 400 days publishes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arportal.adapters.dynamodb import tables
from tests.infrastructure.synth import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")

READS = {"dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:GetItem"}


def _statements_of(synthesized: Synthesized, function: str) -> list[dict[str, Any]]:
    properties = synthesized.resource(synthesized.stack.functions[function])["Properties"]
    role = properties["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _resources(statement: dict[str, Any]) -> list[Any]:
    found = statement["Resource"]
    return found if isinstance(found, list) else [found]


def test_the_integration_api_may_query_the_ledger_s_indexes_and_read_it_by_key(synthesized: Synthesized) -> None:
    ledger = synthesized.logical_id(synthesized.stack.data.ledger)
    table_arn = {"Fn::GetAtt": [ledger, "Arn"]}
    indexes_arn = {"Fn::Join": ["", [table_arn, "/index/*"]]}
    granted: set[str] = set()
    for statement in _statements_of(synthesized, "integration_api"):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = _resources(statement)
        if statement["Effect"] == "Allow" and table_arn in resources and indexes_arn in resources:
            granted |= set(actions)
    assert granted >= READS, sorted(READS - granted)


def test_the_feed_s_indexes_exist_with_what_a_page_needs(synthesized: Synthesized) -> None:
    ledger = synthesized.resource(synthesized.stack.data.ledger)["Properties"]
    indexes = {i["IndexName"]: i for i in ledger["GlobalSecondaryIndexes"]}
    for name, keys in ((tables.BY_ACTIVITY_DAY, ["DAYPK", "DAYSK"]), (tables.OPEN_ITEMS, ["OPK", "OSK"])):
        assert [k["AttributeName"] for k in indexes[name]["KeySchema"]] == keys
        assert indexes[name]["Projection"] == {"ProjectionType": "ALL"}  # the entry is the whole event
    assert ledger["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_the_outbox_pipe_relays_inserts_only_so_an_expired_event_is_never_published(synthesized: Synthesized) -> None:
    (pipe,) = synthesized.of_type("AWS::Pipes::Pipe").values()
    (pattern,) = pipe["Properties"]["SourceParameters"]["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"])["eventName"] == ["INSERT"]
