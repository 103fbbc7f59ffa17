"""Bulk imports through the local gateway and moto's Step Functions running ``statemachines/source_import.asl.json``
(issue 12, "Bulk files for large loads"): a machine token, a presigned upload, the Distributed Map over the chunk
objects, the counts and the error report; a file that cannot be read loads nothing; a crash halfway resumes
without loading anything twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, source_items
from arportal.domain.source_records import SourceKind
from local.environment import LocalEnvironment
from tests import source_records_support as s
from tests.integration import import_support as imp
from tests.integration.conftest import GatewayClient
from tests.integration.integration_support import machine_token

INVOICE_COLUMNS = (
    "invoice_number",
    "customer_id",
    "account_number",
    "department",
    "issue_date",
    "due_date",
    "source_version",
    "line_description",
    "line_fee_code",
    "line_amount",
)


@pytest.fixture(scope="module")
def token(local_env: LocalEnvironment) -> str:
    return machine_token(local_env)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 2 records, so a handful of records makes several chunks (and several child executions)."""
    from arportal.services import import_pipeline

    monkeypatch.setattr(import_pipeline, "CHUNK_RECORDS", 2)


def state_item(kind: SourceKind, source_id: str) -> dict[str, Any] | None:
    from arportal.config import settings

    found = client("dynamodb").get_item(
        TableName=settings().ledger_table, Key=codec.serialize(source_items.source_key(kind, source_id))
    )
    return found.get("Item")


def customer_and_account(gateway: GatewayClient, token: str) -> tuple[str, str]:
    cid, acct = s.customer_id(), s.account_number()
    for kind, record in (("customers", s.customer(cid)), ("accounts", s.account(cid, acct))):
        reply = gateway.request("POST", f"/v1/integrations/{kind}:batch", token=token, json={"records": [record]})
        assert reply.status == 200 and reply.body["summary"]["created"] == 1, reply.body
    return cid, acct


def invoice_rows(cid: str, acct: str, number: str, *amounts: str, due: str | None = None) -> list[list[str]]:
    issued = s.TODAY
    due_date = due or (issued + timedelta(days=21)).isoformat()
    return [
        [number, cid, acct, "utilities", issued.isoformat(), due_date, "1", f"Charge {i}", "WATER_USAGE", amount]
        for i, amount in enumerate(amounts, start=1)
    ]


def test_a_csv_of_invoices_loads_and_reports_its_bad_records(gateway: GatewayClient, token: str) -> None:
    cid, acct = customer_and_account(gateway, token)
    good = [s.number() for _ in range(3)]
    decimals, due = s.number(), s.number()
    rows = [
        *invoice_rows(cid, acct, good[0], "45.60", "30.00"),  # lines 2-3: one invoice of two lines
        *invoice_rows(cid, acct, decimals, "12.345"),  # line 4: more decimals than USD has
        *invoice_rows(cid, acct, good[1], "10"),
        *invoice_rows(cid, acct, due, "5.00", due="2000-01-01"),  # line 6: due before issued
        *invoice_rows(cid, acct, good[2], "0.99"),
    ]
    finished = imp.run(gateway, token, "invoices", "csv", imp.csv_file(INVOICE_COLUMNS, rows))
    assert finished["status"] == "completed", finished
    assert finished["counts"] == {"records": 5, "created": 3, "updated": 0, "unchanged": 0, "rejected": 2}
    assert finished["chunks"] == {"total": 1, "done": 1}
    assert finished["failure"] is None and finished["channel"] == "integration"
    report = imp.report_rows(finished)
    assert [(r["line"], r["source_id"], r["field"], r["code"]) for r in report] == [
        ("4", decimals, "line_amount", "too_many_decimals"),
        ("6", due, "due_date", "due_before_issue"),
    ]
    for number in good:
        assert state_item(SourceKind.INVOICE, number) is not None
    for number in (decimals, due):
        assert state_item(SourceKind.INVOICE, number) is None
    loaded = state_item(SourceKind.INVOICE, good[0])
    assert loaded is not None and codec.deserialize(loaded)["system"] == "system:demo-erp"


def test_ndjson_customers_then_accounts_in_chunks(
    gateway: GatewayClient, token: str, small_chunks: None, local_env: LocalEnvironment
) -> None:
    customers = [s.customer() for _ in range(5)]
    finished = imp.run(gateway, token, "customers", "ndjson", imp.ndjson(customers))
    assert finished["status"] == "completed", finished
    assert finished["counts"]["created"] == 5 and finished["chunks"] == {"total": 3, "done": 3}
    assert finished["error_report"] is None
    accounts = [s.account(c["customer_id"]) for c in customers] + [s.account(s.customer_id())]
    finished = imp.run(gateway, token, "accounts", "ndjson", imp.ndjson(accounts))
    assert finished["counts"] == {"records": 6, "created": 5, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [(r["line"], r["field"], r["code"]) for r in imp.report_rows(finished)] == [
        ("6", "customer_id", "unknown_customer")
    ]


def test_a_malformed_file_fails_with_its_line_and_loads_nothing(gateway: GatewayClient, token: str) -> None:
    customers = [s.customer() for _ in range(3)]
    body = imp.ndjson(customers[:2]) + b'{"customer_id": "CUS-BROKEN", "name": \n' + imp.ndjson(customers[2:])
    finished = imp.run(gateway, token, "customers", "ndjson", body)
    assert finished["status"] == "failed"
    assert finished["failure"]["code"] == "malformed_line" and "line 3" in finished["failure"]["message"]
    assert finished["counts"]["created"] == 0 and finished["chunks"]["done"] == 0
    for customer in customers:
        assert state_item(SourceKind.CUSTOMER, customer["customer_id"]) is None


@pytest.mark.parametrize(
    ("header", "code", "says"),
    [
        (("customer_id", "nmae", "source_version"), "unknown_column", "did you mean 'name'?"),
        (("customer_id", "source_version"), "missing_column", "name"),
        (("customer_id", "name"), "missing_column", "source_version or an updated_at"),
    ],
)
def test_a_wrong_or_missing_column_fails_the_import(
    gateway: GatewayClient, token: str, header: tuple[str, ...], code: str, says: str
) -> None:
    cid = s.customer_id()
    body = imp.csv_file(header, [[cid, "Ada Lovelace", "1"][: len(header)]])
    finished = imp.run(gateway, token, "customers", "csv", body)
    assert finished["status"] == "failed" and finished["failure"]["code"] == code, finished
    assert says in finished["failure"]["message"]
    assert state_item(SourceKind.CUSTOMER, cid) is None


def test_a_dry_run_reports_and_writes_nothing(gateway: GatewayClient, token: str) -> None:
    customers = [s.customer() for _ in range(2)]
    body = imp.ndjson([*customers, {**customers[0], "source_version": 1}, {"name": "No id", "source_version": 1}])
    finished = imp.run(gateway, token, "customers", "ndjson", body, dry_run=True)
    assert finished["status"] == "completed" and finished["dry_run"] is True
    assert finished["counts"] == {"records": 4, "created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert {(r["line"], r["code"]) for r in imp.report_rows(finished)} == {
        ("3", "duplicate_in_file"),
        ("4", "required"),
    }
    for customer in customers:
        assert state_item(SourceKind.CUSTOMER, customer["customer_id"]) is None


def test_start_needs_the_upload_and_happens_once(gateway: GatewayClient, token: str) -> None:
    created = imp.create(gateway, token, "customers", "ndjson")
    assert created.status == 201 and created.body["status"] == "awaiting_upload"
    assert created.body["upload"]["method"] == "PUT"
    assert created.body["upload"]["headers"] == {"Content-Type": "application/x-ndjson"}
    import_id = created.body["import_id"]
    early = imp.start(gateway, token, import_id)
    assert early.status == 409 and early.body["error"]["code"] == "import_not_uploaded"
    waiting = gateway.request("GET", f"{imp.INTEGRATIONS}/{import_id}", token=token).body
    assert waiting["status"] == "awaiting_upload" and waiting["counts"]["records"] == 0
    imp.upload(created.body, imp.ndjson([s.customer()]))
    assert imp.start(gateway, token, import_id).status == 202
    again = imp.start(gateway, token, import_id)
    assert again.status == 409 and again.body["error"]["code"] == "import_already_started"
    assert imp.wait(gateway, token, import_id)["counts"]["created"] == 1
    unknown = gateway.request("GET", f"{imp.INTEGRATIONS}/imp_{uuid.uuid4().hex[:26].upper()}", token=token)
    assert unknown.status == 404


def test_a_token_without_the_scope_is_refused(gateway: GatewayClient, local_env: LocalEnvironment) -> None:
    narrow = machine_token(local_env, scope="integrations/invoices.write")
    reply = imp.create(gateway, narrow, "invoices", "csv")
    assert reply.status == 403 and reply.body["error"]["code"] == "insufficient_scope"
    assert reply.body["error"]["details"] == {"needs": "integrations/imports.write"}
    template = gateway.request("GET", f"{imp.INTEGRATIONS}/templates/invoices.csv", token=narrow)
    assert template.status == 403


def test_the_csv_templates(gateway: GatewayClient, token: str) -> None:
    reply = gateway.request("GET", f"{imp.INTEGRATIONS}/templates/invoices.csv", token=token)
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/csv")
    assert "invoices-import-template.csv" in reply.headers["content-disposition"]
    header, first, second = reply.body.decode("utf-8-sig").splitlines()
    assert header.startswith("invoice_number,customer_id,account_number") and "line_amount" in header
    assert first.split(",")[0] == second.split(",")[0]  # two lines of one invoice
    described = gateway.request(
        "GET", f"{imp.INTEGRATIONS}/templates/invoices.csv", token=token, headers={"Accept": "application/json"}
    )
    assert described.status == 200 and described.body["grouped_by"] == "invoice_number"
    amount = next(c for c in described.body["columns"] if c["name"] == "line_amount")
    assert amount == {**amount, "required": True, "amount": True, "per_line": True}
    assert described.body["template"][0] == header.split(",")
    assert gateway.request("GET", f"{imp.INTEGRATIONS}/templates/payments.csv", token=token).status == 422


@pytest.fixture
def crash_on_chunk_two(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The first time chunk 2's marker is written, the task dies after loading it: the records are in the ledger,
    the marker is not (the worst moment for a crash)."""
    from arportal.adapters.dynamodb.import_jobs import DynamoImportJobs

    original = DynamoImportJobs.put_chunk
    crashes: list[int] = []

    def put_chunk(self: DynamoImportJobs, import_id: str, outcome: Any, *, at: Any) -> bool:
        if outcome.chunk == 2 and not crashes:
            crashes.append(outcome.chunk)
            raise RuntimeError("the task was killed")
        return original(self, import_id, outcome, at=at)

    monkeypatch.setattr(DynamoImportJobs, "put_chunk", put_chunk)
    yield crashes


def test_a_crash_halfway_resumes_without_loading_anything_twice(
    gateway: GatewayClient,
    token: str,
    small_chunks: None,
    crash_on_chunk_two: list[int],
    local_env: LocalEnvironment,
) -> None:
    customers = [s.customer() for _ in range(6)]
    created = imp.create(gateway, token, "customers", "ndjson").body
    imp.upload(created, imp.ndjson(customers))
    import_id = created["import_id"]
    assert imp.start(gateway, token, import_id).status == 202
    interrupted = imp.wait(gateway, token, import_id)
    assert crash_on_chunk_two == [2]
    assert interrupted["status"] == "failed" and interrupted["failure"]["code"] == "interrupted", interrupted
    assert interrupted["chunks"] == {"total": 3, "done": 2}
    local_env.relay_once()
    mine = [e for e in local_env.drain_events() if e["detail"].get("import_id") == import_id]
    assert [(e["detail-type"], e["detail"]["failure"]["code"], e["detail"]["entity"]["sequence"]) for e in mine] == [
        ("import.failed", "interrupted", 1)
    ]

    resumed = imp.start(gateway, token, import_id)
    assert resumed.status == 202 and resumed.body["status"] == "running"
    finished = imp.wait(gateway, token, import_id)
    assert finished["status"] == "completed" and finished["failure"] is None
    # chunk 2's records were written before the crash: loaded again, they are unchanged, never created twice
    assert finished["counts"] == {"records": 6, "created": 4, "updated": 0, "unchanged": 2, "rejected": 0}
    assert finished["chunks"] == {"total": 3, "done": 3}
    local_env.relay_once()
    events = local_env.drain_events()
    loaded = [e for e in events if e["detail-type"] == "customer.loaded"]
    assert loaded == []  # nothing was loaded again on the resume
    completed = [e for e in events if e["detail"].get("import_id") == import_id]
    assert [(e["detail-type"], e["detail"]["entity"]["sequence"]) for e in completed] == [("import.completed", 2)]

    # running a finished import's chunk again counts nothing twice
    from workflow_tasks import source_import

    key = f"imports/{import_id}/chunks/00002.ndjson"
    again = source_import.load_chunk({"import_id": import_id, "key": key})
    assert again["counts"]["unchanged"] == 2
    assert imp.wait(gateway, token, import_id)["counts"] == finished["counts"]


def test_the_console_admin_imports_and_others_may_not(
    gateway: GatewayClient, token: str, make_users: Any, local_env: Any
) -> None:
    admin = make_users(groups=("admin",)).staff_token
    agent = make_users(groups=("agent",)).staff_token
    assert imp.create(gateway, agent, "customers", "csv", base=imp.STAFF).status == 403
    customer_id = s.customer_id()
    body = imp.csv_file(("customer_id", "name", "source_version"), [[customer_id, "Grace Hopper", "1"]])
    finished = imp.run(gateway, admin, "customers", "csv", body, base=imp.STAFF)
    assert finished["status"] == "completed" and finished["channel"] == "staff"
    assert finished["counts"]["created"] == 1
    # what a console import writes is the administrator's, on the staff channel, not a connected system's
    local_env.relay_once()
    (loaded,) = [e["detail"] for e in local_env.drain_events() if e["detail"].get("source_id") == customer_id]
    assert loaded["channel"] == "staff" and not loaded["actor"].startswith("system:")
    # an administrator sees a connected system's import; a system sees only its own
    theirs = imp.create(gateway, token, "customers", "csv").body["import_id"]
    assert gateway.request("GET", f"{imp.STAFF}/{theirs}", token=admin).status == 200
    assert gateway.request("GET", f"{imp.INTEGRATIONS}/{finished['import_id']}", token=token).status == 404
    assert gateway.request("GET", f"{imp.STAFF}/templates/customers.csv", token=admin).status == 200
    assert gateway.request("GET", f"{imp.STAFF}/{theirs}", token=agent).status == 403
