"""Importing bank files through the local runtime (issue 15): a BAI2 file with a processor payout, an ACH credit
naming a customer's RF reference and a line nobody expects, sent by finance in the console, by a connected system,
and dropped in the import bucket; the same bytes again, the same line in a later file, an account the agency has
not configured, a wrong control total and a file too large; who may do what."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, payout_items
from arportal.config import settings
from arportal.domain.bank_files.render import bai2_text, render_bai2
from arportal.domain.bank_statements import AccountStatement, BankFile, BankFileFormat, BankLine, LineKind
from arportal.domain.remittance_reference import reference_for
from arportal.ports import PayoutRecord
from tests.integration.conftest import GatewayClient, new_customer_id
from tests.integration.integration_support import machine_token
from tests.reliability.worlds import PayWorld, pay_world

OPERATING = "4400123456"
FILES = "/v1/staff/finance/bank-files"
RAW = {"Content-Type": "application/octet-stream"}


@pytest.fixture
def world(local_env: Any) -> PayWorld:
    cid = new_customer_id()
    return pay_world((4_321, 7_000), customer_id=cid, email=f"{cid.lower()}@example.org")


@pytest.fixture
def finance(make_users: Any) -> str:
    token: str = make_users(groups=("finance",)).staff_token
    return token


def credit(amount: int, type_code: str, text: str, *, ref: str | None = None) -> BankLine:
    """A line as the renderer writes it (kind and key are what the parser makes of it when read back)."""
    ref = ref or f"B{uuid.uuid4().hex[:14].upper()}"
    return BankLine(
        line_key=f"{OPERATING}:{ref}", booking_date=clock.today(), value_date=None, amount=amount, currency="USD",
        kind=LineKind.OTHER_CREDIT, type_code=type_code, bank_reference=ref, remittance=text,
    )  # fmt: skip


def bai2(*lines: BankLine, account: str = OPERATING, reference: str | None = None) -> bytes:
    statement = AccountStatement(
        account_number=account, bank_id="011000015", currency="USD", statement_date=clock.today(),
        opening_balance=1_000_000, closing_balance=1_000_000 + sum(line.amount for line in lines), lines=lines,
    )  # fmt: skip
    return render_bai2(
        BankFile(BankFileFormat.BAI2, reference or uuid.uuid4().hex[:10], clock.now(), (statement,)),
        receiver="SPRINGFIELD",
    )


def expected_deposit(amount: int) -> str:
    """A processor payout settlement recorded: the deposit the agency expects today."""
    payout_id = f"po_{uuid.uuid4().hex[:20]}"
    record = PayoutRecord(
        payout_id=payout_id, processor="sandbox", amount=amount, currency="USD", arrival_date=clock.today(),
        bank_trace_id=f"TR{uuid.uuid4().hex[:12].upper()}", transactions=1, matched=1, unmatched=0,
        recorded_at=clock.now(),
    )  # fmt: skip
    client("dynamodb").put_item(
        TableName=settings().ledger_table, Item=codec.serialize(payout_items.payout_item(record))
    )
    return payout_id


def send(gateway: GatewayClient, token: str, body: bytes, path: str = FILES) -> Any:
    return gateway.request("POST", path, token=token, body=body, headers={**RAW, "X-Filename": "today.bai"})


def odd_amount() -> int:
    return 90_000 + uuid.uuid4().int % 9_000  # no expected deposit or open invoice of another test has it


class TestAnImport:
    def test_the_payout_and_the_referenced_credit_are_applied_and_the_unknown_line_queued(
        self, gateway: GatewayClient, world: PayWorld, finance: str
    ) -> None:
        payout_amount = odd_amount()
        payout_id = expected_deposit(payout_amount)
        trace = finance_store_trace(payout_id)
        invoice = world.invoices[0]
        reference = reference_for(world.customer_id)
        lines = (
            credit(payout_amount, "165", bai2_text(payer="ARPORTAL SANDBOX", trace=trace, remittance="PAYOUT")),
            credit(invoice.balance, "165", bai2_text(payer="JORDAN Q PUBLIC", remittance=f"WATER BILL {reference}")),
            credit(odd_amount(), "165", bai2_text(payer="NOBODY WE KNOW LLC", remittance="MISC")),
        )
        reply = send(gateway, finance, bai2(*lines))
        assert reply.status == 201, reply.body
        body = reply.body
        assert (body["format"], body["lines"], body["accounts"], body["duplicate"]) == ("bai2", 3, ["operating"], False)
        assert (body["matched"], body["suggested"], body["unmatched"], body["already_seen"]) == (2, 0, 1, 0), body

        stored = bank_file(gateway, finance, body["file_id"])
        by_amount = {line["amount"]: line for line in stored["lines"]}
        deposit_line = by_amount[payout_amount]
        assert deposit_line["status"] == "matched" and deposit_line["match"]["best"]["deposit_id"] == payout_id
        assert deposit_line["match"]["best"]["score"] >= 90 and deposit_line["match"]["best"]["reasons"]
        assert deposit_line["applied"]["outcome"] == "applied"
        deposit = client("dynamodb").get_item(
            TableName=settings().ledger_table, Key=codec.serialize(payout_items.payout_key(payout_id))
        )["Item"]
        assert codec.deserialize(deposit)["deposit_status"] == "deposited"
        paid_line = by_amount[invoice.balance]
        assert paid_line["match"]["best"]["customer_id"] == world.customer_id
        assert paid_line["applied"]["outcome"] == "applied"
        assert world.invoice(invoice.invoice_id).balance == 0
        assert by_amount[lines[2].amount]["status"] == "unmatched"
        assert (stored["source"], stored["filename"], stored["status"]) == ("console", "today.bai", "imported")

        # The same bytes again: the first import's answer, nothing applied again
        again = send(gateway, finance, bai2_bytes_of(gateway, finance, body))
        assert again.status == 200 and again.body["duplicate"] is True
        assert {k: again.body[k] for k in ("file_id", "matched", "unmatched")} == {
            k: body[k] for k in ("file_id", "matched", "unmatched")
        }
        assert len(world.payments()) == 1

        # The next day's file repeats the referenced credit (same bank reference) beside a new line
        later = send(gateway, finance, bai2(lines[1], credit(odd_amount(), "169", "NEW LINE")))
        assert later.status == 201, later.body
        assert (later.body["lines"], later.body["already_seen"], later.body["unmatched"]) == (2, 1, 1)
        assert len(world.payments()) == 1
        later_lines = {line["amount"]: line for line in bank_file(gateway, finance, later.body["file_id"])["lines"]}
        repeated = later_lines[invoice.balance]
        assert (repeated["first_file"], repeated["status"]) == (False, "matched")  # the first file's match
        assert len(later_lines) == 2 and sum(line["first_file"] for line in later_lines.values()) == 1

        listed = gateway.request("GET", f"{FILES}?limit=1", token=finance).body
        assert listed["files"][0]["file_id"] == later.body["file_id"] and listed["next_cursor"]
        second = gateway.request("GET", f"{FILES}?limit=1&cursor={listed['next_cursor']}", token=finance).body
        assert second["files"][0]["received_at"] <= listed["files"][0]["received_at"]


def finance_store_trace(payout_id: str) -> str:
    item = client("dynamodb").get_item(
        TableName=settings().ledger_table, Key=codec.serialize(payout_items.payout_key(payout_id))
    )["Item"]
    return str(codec.deserialize(item)["bank_trace_id"])


def bank_file(gateway: GatewayClient, token: str, file_id: str) -> dict[str, Any]:
    reply = gateway.request("GET", f"{FILES}/{file_id}", token=token)
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def bai2_bytes_of(gateway: GatewayClient, token: str, answer: dict[str, Any]) -> bytes:
    """The raw bytes kept for the file, read back from the documents bucket (they hash to its id)."""
    import hashlib

    key = f"bank-files/{answer['received_at'][:10].replace('-', '/')}/{answer['sha256']}"
    data = bytes(client("s3").get_object(Bucket=settings().documents_bucket, Key=key)["Body"].read())
    assert hashlib.sha256(data).hexdigest() == answer["sha256"]
    return data


class TestRefusals:
    def test_an_account_the_agency_has_not_configured_refuses_the_whole_file(
        self, gateway: GatewayClient, finance: str, local_env: Any
    ) -> None:
        data = bai2(credit(odd_amount(), "165", "SOMETHING"), account="99887766")
        reply = send(gateway, finance, data)
        assert reply.status == 422 and reply.body["error"]["code"] == "bank_file_rejected", reply.body
        assert "••••7766" in reply.body["error"]["message"]
        file_id = "bkf_" + __import__("hashlib").sha256(data).hexdigest()[:40]
        assert gateway.request("GET", f"{FILES}/{file_id}", token=finance).status == 404
        audit = client("dynamodb").query(
            TableName=settings().audit_table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"BANK_FILE#{file_id}"}},
        )["Items"]
        assert [codec.deserialize(a)["action"] for a in audit] == ["bank_file.refused"]

    def test_a_wrong_control_total_or_a_truncated_file_is_refused_and_nothing_stored(
        self, gateway: GatewayClient, finance: str
    ) -> None:
        good = bai2(credit(odd_amount(), "165", "ONE"), credit(odd_amount(), "165", "TWO"))
        records = good.decode("latin-1").split("\r\n")
        altered = records.copy()
        trailer = altered[-2].split(",")
        altered[-2] = ",".join([trailer[0], str(int(trailer[1]) + 1), *trailer[2:]])
        for bad in ("\r\n".join(altered).encode("latin-1"), "\r\n".join(records[:-3]).encode("latin-1")):
            reply = send(gateway, finance, bad)
            assert reply.status == 422 and reply.body["error"]["code"] == "bank_file_rejected", reply.body
            assert reply.body["error"]["message"]

    def test_xml_with_a_doctype_is_refused(self, gateway: GatewayClient, finance: str) -> None:
        xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><Document>&e;</Document>'
        reply = send(gateway, finance, xml)
        assert reply.status == 422 and reply.body["error"]["code"] == "bank_file_rejected", reply.body

    def test_a_file_over_10_mib_is_413_and_the_route_names_the_s3_drop(
        self, gateway: GatewayClient, finance: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        reply = send(gateway, finance, b"1" * (10 * 1024 * 1024 + 1))  # API Gateway's own limit (the local gateway)
        assert reply.status == 413 and reply.body["error"]["code"] == "body_too_large", reply.body
        # The route's own limit, the same 10 MiB, says where larger files go (lowered here to be reached)
        from arportal.api import request_guard

        route = ("POST", "/v1/staff/finance/bank-files")
        monkeypatch.setitem(request_guard.RAW_BODY_ROUTES, route, 1_000)
        reply = send(gateway, finance, bai2(*(credit(odd_amount(), "165", "X" * 60) for _ in range(10))))
        assert reply.status == 413 and "bank-files/inbox/" in reply.body["error"]["message"], reply.body


class TestWho:
    def test_finance_manage_sends_finance_read_reads_and_agents_do_neither(
        self, gateway: GatewayClient, make_users: Any, finance: str
    ) -> None:
        supervisor = make_users(groups=("supervisor",)).staff_token
        agent = make_users(groups=("agent",)).staff_token
        data = bai2(credit(odd_amount(), "165", "WHO"))
        assert send(gateway, supervisor, data).status == 403
        assert send(gateway, agent, data).status == 403
        assert gateway.request("GET", FILES, token=supervisor).status == 200
        assert gateway.request("GET", FILES, token=agent).status == 403
        accounts = {a["account_id"]: a for a in gateway.request(
            "GET", "/v1/staff/finance/bank-accounts", token=supervisor).body["accounts"]}  # fmt: skip
        assert accounts["operating"]["account_number"] == "••••3456"
        assert accounts["lockbox"]["receives"] == ["lockbox"]
        full = gateway.request("GET", "/v1/staff/finance/bank-accounts", token=finance).body["accounts"]
        assert {a["account_id"]: a["account_number"] for a in full} == {
            "lockbox": "4400987654",
            "operating": OPERATING,
        }
        assert gateway.request("GET", "/v1/staff/finance/bank-accounts", token=agent).status == 403


class TestAConnectedSystem:
    def test_it_sends_a_file_with_the_bank_files_scope_only(self, gateway: GatewayClient, local_env: Any) -> None:
        data = bai2(credit(odd_amount(), "165", "FROM THE ERP"))
        path = "/v1/integrations/bank-files"
        without = gateway.request("POST", path, token=machine_token(local_env, scope="integrations/events.read"),
                                  body=data, headers=RAW)  # fmt: skip
        assert without.status == 403, without.body
        token = machine_token(local_env, scope="integrations/bank_files.write")
        reply = gateway.request("POST", path, token=token, body=data, headers=RAW)
        assert reply.status == 201, reply.body
        assert (reply.body["lines"], reply.body["unmatched"]) == (1, 1)
        record = stored_record(reply.body["file_id"])
        assert (record["source"], record["received_by"]) == ("integration", "system:demo-erp")


class TestTheS3Drop:
    def test_a_file_put_under_bank_files_inbox_is_imported(self, local_env: Any) -> None:
        data = bai2(credit(odd_amount(), "165", "DROPPED"), credit(odd_amount(), "495", "FEES"))
        key = f"bank-files/inbox/{uuid.uuid4().hex}.bai"
        client("s3").put_object(Bucket=settings().import_bucket, Key=key, Body=data)
        client("s3").put_object(Bucket=settings().import_bucket, Key="bank-files/outbox/not-this.bai", Body=data)
        answers = local_env.drop_bank_files_once()
        [mine] = [f for answer in answers for f in answer["files"] if f["key"] == key]
        assert (mine["lines"], mine["unmatched"], mine["ignored"], mine["duplicate"]) == (2, 1, 1, False), mine
        record = stored_record(mine["file_id"])
        assert (record["source"], record["received_by"], record["filename"]) == ("s3", f"s3:{key}", key[17:])
        assert local_env.drop_bank_files_once() == []  # each object once

        refused = f"bank-files/inbox/{uuid.uuid4().hex}.bai"
        client("s3").put_object(Bucket=settings().import_bucket, Key=refused, Body=b"01,not a bank file\r\n")
        [answer] = local_env.drop_bank_files_once()
        assert answer["files"][0]["refused"]


def stored_record(file_id: str) -> dict[str, Any]:
    item = client("dynamodb").get_item(
        TableName=settings().ledger_table, Key=codec.serialize({"PK": f"BANKFILE#{file_id}", "SK": "FILE"})
    )["Item"]
    return codec.deserialize(item)
