"""The customer record's first screen alone (``?parts=summary``): what the console shows before the rest is read."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from tests.integration.roundtrips import dynamodb_round_trips
from tests.integration.test_staff_customer_record import (  # the same customer, one of every kind of record
    _ops,
    agent,
    parking_system_up,
    world,
)

__all__ = ["agent", "parking_system_up", "world"]  # fixtures, shared with the whole record's tests

SUMMARY_FIELDS = {"as_of", "profile", "created_at", "portal_login_linked", "accounts", "account_summaries", "owing",
                  "overdue", "credit", "next_due", "open_by_department", "open_invoices", "credit_notes", "schedules",
                  "email_suppression"}  # fmt: skip


def test_the_summary_is_the_records_first_screen_from_two_reads(gateway, world, agent):
    cid = world["cid"]
    whole = gateway.request("GET", f"/v1/staff/customers/{cid}", token=agent)
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", f"/v1/staff/customers/{cid.lower()}?parts=summary", token=agent)
    assert reply.status == 200, reply.body
    assert _ops(trips) == ["Query", "Query"]  # the partition header, then the live items: no lists, no systems
    assert set(reply.body) == SUMMARY_FIELDS
    assert reply.body == {name: whole.body[name] for name in SUMMARY_FIELDS}  # the same figures the whole one has
    assert reply.body["owing"]["amount"] == 12_345 + 80_000 + 4_500 and reply.body["credit"]["amount"] == 700


def test_the_summary_of_an_unknown_customer_is_404_and_parts_are_checked(gateway, agent):
    assert gateway.request("GET", "/v1/staff/customers/CUS-NOSUCH00?parts=summary", token=agent).status == 404
    reply = gateway.request("GET", "/v1/staff/customers/CUS-NOSUCH00?parts=lists", token=agent)
    assert reply.status == 422 and reply.body["error"]["details"][0]["field"].endswith("parts")


def test_both_answers_match_the_documented_schema(gateway, world, agent):
    document: dict[str, Any] = gateway.request("GET", "/openapi.json").body
    operation = document["paths"]["/v1/staff/customers/{customerId}"]["get"]
    assert any(p["name"] == "parts" and p["in"] == "query" for p in operation["parameters"])
    schema = dict(operation["responses"]["200"]["content"]["application/json"]["schema"])
    schema["components"] = document["components"]
    validator = Draft202012Validator(schema)
    for parts in ("summary", "all"):
        reply = gateway.request("GET", f"/v1/staff/customers/{world['cid']}?parts={parts}", token=agent)
        validator.validate(reply.body)
    documented = {ref["$ref"].rsplit("/", 1)[1] for ref in schema.get("anyOf", [])}
    assert documented == {"CustomerRecordOut", "CustomerSummaryOut"}, schema
