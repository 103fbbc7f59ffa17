"""The agency's departments by name (``GET /v1/staff/departments``), what the console's department filter offers:
the department records, and any department the chart of accounts names without one, named from its code."""

from __future__ import annotations

import uuid

from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.models import Department
from tests.integration.roundtrips import dynamodb_round_trips


def test_departments_are_listed_by_name_in_one_read(local_env, gateway, make_users):
    # Given a department record with a name of its own, and the local runtime's chart of accounts
    code = f"dept_{uuid.uuid4().hex[:8]}"
    DynamoCustomerRecords(settings().ledger_table).put_new([Department(code=code, name="Aaa Harbour Moorings")])
    agent = make_users(groups=("agent",)).staff_token

    # When staff ask for the departments
    with dynamodb_round_trips() as trips:
        reply = gateway.request("GET", "/v1/staff/departments", token=agent)

    # Then every one comes with a name, sorted by name, in one read of the table
    assert reply.status == 200, reply.body
    listed = reply.body["departments"]
    names = [d["name"] for d in listed]
    assert names == sorted(names, key=str.lower) and len(trips) == 1, trips.calls
    assert {"code": code, "name": "Aaa Harbour Moorings"} in listed
    # a department only the chart of accounts knows is named from its code
    chart = settings().chart_of_accounts
    assert chart is not None and "property_tax" in chart.departments
    by_code = {d["code"]: d["name"] for d in listed}
    assert by_code["property_tax"] in {"Property tax", "Property Tax"}
