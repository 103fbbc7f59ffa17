"""Applying bank lines against the real tables on moto (issue 15): a wire paying an invoice through the posting
transaction (receipt, event, daily totals), a payout's line confirming its deposit (the trail shows the line), an
ACH return reversing the debit it names (invoice reopened, payer told, rate counted), and the unmatched queue's
decisions through the staff API, each taken once, the payer's name learned for the next file."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from arportal import clock
from arportal.adapters.aws import client
from arportal.adapters.dynamodb import codec, payout_items
from arportal.adapters.dynamodb.bank_files import DynamoBankFileStore
from arportal.adapters.dynamodb.payer_aliases import aliases_for
from arportal.config import settings
from arportal.domain.bank_matches import Allocation, Candidate, LineMatch, MatchOutcome, MatchTarget
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.ports import PayoutRecord
from arportal.services.bank_lines import line_id
from arportal.wiring import bank_application
from tests.integration.conftest import new_customer_id
from tests.integration.test_ach_lifecycle import events_for, pay_ach, report
from tests.reliability.worlds import PayWorld, pay_world


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


def operating():
    return next(a for a in settings().bank_accounts if a.account_id == "operating")


def line(amount: int, kind: LineKind = LineKind.WIRE, **extra: Any) -> BankLine:
    return BankLine(
        line_key=f"4400123456:T{uuid.uuid4().hex[:16].upper()}", booking_date=clock.today(), value_date=None,
        amount=amount, currency="USD", kind=kind, type_code="195", **extra,
    )  # fmt: skip


def matched(bank_line: BankLine, candidate: Candidate) -> LineMatch:
    return LineMatch(bank_line.line_key, MatchOutcome.MATCHED, candidate, (candidate,))


def apply(bank_line: BankLine, candidate: Candidate) -> dict[str, Any]:
    return bank_application.apply_line(matched(bank_line, candidate), bank_line, file_id="bf_test", account=operating())


def mail_subjects(gateway, email: str) -> list[str]:
    return [m["subject"] for m in gateway.request("GET", "/local/mailbox").body["messages"] if email in m["to"]]


class TestAWireLine:
    def test_it_pays_the_invoice_through_the_posting_with_receipt_event_and_totals(self, gateway, world, local_env):
        invoice = world.invoices[0]
        wire = line(3_500, payer_name="JORDAN RIVERA")
        candidate = Candidate(
            MatchTarget.INVOICES, 95, ("reference matches",), customer_id=world.customer_id,
            allocations=(Allocation(invoice.invoice_id, world.customer_id, 3_000),),
        )  # fmt: skip
        applied = apply(wire, candidate)
        assert applied["outcome"] == "applied", applied
        [payment] = world.payments()
        assert (payment.channel.value, payment.method.type.value, payment.status.value) == ("bank", "wire", "posted")
        assert (payment.amount, payment.fee_amount, payment.unapplied) == (3_500, 0, 500)  # the rest held as credit
        assert payment.transaction_id == wire.line_key and payment.receipt_number
        assert world.invoice(invoice.invoice_id).balance == 0
        assert [c["remaining"] for c in world.partition("CN#")] == [500]
        subjects = mail_subjects(gateway, world.customer.email or "")
        assert any(payment.receipt_number in s for s in subjects), subjects
        assert "payment.posted" in events_for(local_env, payment.payment_id)
        local_env.aggregate_once()
        totals = bank_application.application().totals.days("USD", payment.created_at.date(), clock.today())
        counters = {k: v for day in totals for k, v in day.counters.items()}
        assert counters.get("ch.bank.n", 0) >= 1 and counters.get("m.bank.wire.succeeded", 0) >= 1

        # The same line again (a retry, or the current-day file after the prior-day one): nothing more
        again = apply(wire, candidate)
        assert again["outcome"] == "already_applied" and again["payment_ids"] == applied["payment_ids"]
        assert len(world.payments()) == 1

    def test_a_payer_cannot_pay_by_wire_on_the_portal(self, gateway, world):
        body = {"amount": 1_000, "currency": "USD", "method": "wire", "token": "tok_visa"}
        reply = gateway.request(
            "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert reply.status == 422, reply.body


class TestADepositLine:
    def test_it_confirms_the_payout_and_the_trail_shows_the_line(self, gateway, world, make_users):
        supervisor = make_users(groups=("supervisor",)).staff_token
        paid = gateway.request(
            "POST", "/v1/staff/payments", token=supervisor, headers={"Idempotency-Key": uuid.uuid4().hex},
            json={"customer_id": world.customer_id, "amount": 3_000, "currency": "USD", "method": "card",
                  "channel": "phone", "token": "tok_visa",
                  "lines": [{"invoice_id": world.invoices[0].invoice_id, "amount": 3_000}]},
        )  # fmt: skip
        assert paid.status == 201, paid.body
        payment_id = paid.body["payment"]["payment_id"]
        payout_id = f"po_{uuid.uuid4().hex[:20]}"
        record = PayoutRecord(
            payout_id=payout_id, processor="sandbox", amount=2_900, currency="USD", arrival_date=clock.today(),
            bank_trace_id=None, transactions=1, matched=1, unmatched=0, recorded_at=clock.now(),
        )  # fmt: skip
        client("dynamodb").put_item(TableName=settings().ledger_table, Item=codec.serialize(_payout_item(record)))
        _link(world.customer_id, payment_id, payout_id)

        deposit = line(2_900, LineKind.PROCESSOR_DEPOSIT)
        candidate = Candidate(MatchTarget.DEPOSIT, 100, ("amount and date",), deposit_id=payout_id)
        assert apply(deposit, candidate)["outcome"] == "applied"
        assert apply(deposit, candidate)["outcome"] == "already_applied"
        stored = bank_application.application().finance.payout(payout_id)
        assert stored is not None and stored.deposit_status == "deposited"
        assert (stored.bank_line_key, stored.bank_file_id, stored.deposited_by) == (
            deposit.line_key,
            "bf_test",
            "system:bank-files",
        )
        trail = gateway.request("GET", f"/v1/staff/payments/{payment_id}/trail", token=supervisor)
        assert trail.status == 200, trail.body
        stages = {s["stage"]: s for s in trail.body["stages"]}
        assert stages["bank_line"]["status"] == "done"
        assert {"kind": "bank_line", "id": deposit.line_key} in stages["bank_line"]["references"]
        assert stages["deposited"]["status"] == "done"


def _payout_item(record: PayoutRecord) -> dict[str, Any]:
    return payout_items.payout_item(record)


def _link(customer_id: str, payment_id: str, payout_id: str) -> None:
    """The payment settled into the payout, as settlement records it (only ``payout_id`` matters to the trail)."""
    from arportal.adapters.dynamodb import customer_items, payment_items

    client("dynamodb").update_item(
        TableName=settings().ledger_table,
        Key=codec.serialize(
            {"PK": customer_items.customer_pk(customer_id), "SK": payment_items.payment_sk(payment_id)}
        ),
        UpdateExpression="SET payout_id = :p",
        ExpressionAttributeValues={":p": {"S": payout_id}},
    )


class TestAReturnLine:
    def test_it_reverses_the_debit_reopens_the_invoice_and_counts_the_return(self, gateway, world, local_env):
        payment = pay_ach(gateway, world, 3_000)
        assert report(gateway, payment["transaction_id"], "settle")[1].body["status"] == "posted"
        before = bank_application.return_rates_on(clock.today())
        returned = line(-3_000, LineKind.ACH_RETURN, return_code="R01")
        candidate = Candidate(
            MatchTarget.RETURN, 100, ("trace",), payment_id=payment["payment_id"], return_code="R01",
            may_represent=True,
        )  # fmt: skip
        applied = apply(returned, candidate)
        assert applied["outcome"] == "applied" and applied["representable"] is True, applied
        [reversed_] = world.payments()
        assert reversed_.status.value == "reversed" and reversed_.history[-1].by == "system:bank-files"
        assert "R01" in (reversed_.history[-1].note or "")
        assert world.invoice(world.invoices[0].invoice_id).balance == 3_000
        assert f"{settings().agency_name}: your bank payment was returned" in mail_subjects(
            gateway, world.customer.email or ""
        )
        assert "payment.reversed" in events_for(local_env, payment["payment_id"])
        after = bank_application.return_rates_on(clock.today())
        overall = {c.value: r for c, r in after.rates.items()}["overall"]
        assert overall.returns == {c.value: r for c, r in before.rates.items()}["overall"].returns + 1
        # the same line in another file: neither reversed nor counted again
        assert apply(returned, candidate)["outcome"] == "already_applied"
        again = {c.value: r for c, r in bank_application.return_rates_on(clock.today()).rates.items()}["overall"]
        assert again.returns == overall.returns


def queued(world: PayWorld, amount: int, *, payer: str, status: str = "suggested") -> tuple[BankLine, LineMatch]:
    store = DynamoBankFileStore(settings().ledger_table, settings().audit_table)
    bank_line = line(amount, LineKind.ACH_CREDIT, payer_name=payer)
    assert store.receive_line(bank_line, file_id="bf_queue", account_id="operating", at=clock.now()) is None
    suggestion = Candidate(
        MatchTarget.INVOICES, 70, ("amount matches",), customer_id=world.customer_id,
        allocations=(Allocation(world.invoices[1].invoice_id, world.customer_id, 5_000),),
    )  # fmt: skip
    outcome = MatchOutcome(status)
    match = LineMatch(bank_line.line_key, outcome, suggestion if status == "suggested" else None,
                      (suggestion,) if status == "suggested" else ())  # fmt: skip
    assert store.decide_line(bank_line.line_key, file_id="bf_queue", status=status, match=match, at=clock.now())
    return bank_line, match


def decide(gateway, token: str, line_key: str, body: dict[str, Any]):
    return gateway.request("POST", f"/v1/staff/finance/bank-lines/{line_id(line_key)}/decision", token=token, json=body)


class TestTheQueue:
    @pytest.fixture
    def finance(self, make_users) -> str:
        return make_users(groups=("finance",)).staff_token

    def test_confirm_applies_the_suggestion_once_and_learns_the_name(self, gateway, world, finance):
        payer = f"ACME HOLDINGS {uuid.uuid4().hex[:6].upper()} LLC"
        bank_line, _ = queued(world, 5_000, payer=payer)
        listed = gateway.request("GET", "/v1/staff/finance/bank-lines?status=suggested&limit=200", token=finance)
        assert listed.status == 200 and bank_line.line_key in [x["line_key"] for x in listed.body["lines"]]
        one = gateway.request("GET", f"/v1/staff/finance/bank-lines/{line_id(bank_line.line_key)}", token=finance)
        assert one.status == 200 and one.body["suggestions"][0]["n"] == 1 and one.body["suggestions"][0]["score"] == 70

        first = decide(gateway, finance, bank_line.line_key, {"action": "confirm", "candidate": 1})
        assert first.status == 200, first.body
        assert first.body["line"]["status"] == "decided" and first.body["applied"]["outcome"] == "applied"
        [payment] = world.payments()
        assert (payment.method.type.value, payment.channel.value) == ("ach_credit", "bank")
        assert world.invoice(world.invoices[1].invoice_id).balance == 0
        second = decide(gateway, finance, bank_line.line_key, {"action": "credit", "customer_id": world.customer_id})
        assert second.status == 409, second.body
        assert second.body["error"]["details"]["decision"]["action"] == "confirm"
        assert len(world.payments()) == 1
        # the name now stands for the customer in the next file's match book
        assert aliases_for(settings().ledger_table, [payer.lower()]) == {world.customer_id: (payer,)}
        audit = client("dynamodb").query(
            TableName=settings().audit_table, KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"BANK_LINE#{bank_line.line_key}"}},
        )["Items"]  # fmt: skip
        assert [a["action"]["S"] for a in audit if "action" in a] == ["bank_line.confirm"]

    def test_split_pays_the_invoices_named_and_holds_the_rest(self, gateway, world, finance):
        bank_line, _ = queued(world, 6_000, payer="SPLIT PAYER", status="unmatched")
        body = {
            "action": "split", "customer_id": world.customer_id,
            "allocations": [{"customer_id": world.customer_id, "invoice_id": world.invoices[0].invoice_id,
                             "amount": 3_000}],
        }  # fmt: skip
        reply = decide(gateway, finance, bank_line.line_key, body)
        assert reply.status == 200, reply.body
        [payment] = world.payments()
        assert (payment.amount, payment.unapplied) == (6_000, 3_000)
        assert world.invoice(world.invoices[0].invoice_id).balance == 0

    def test_a_split_over_the_line_is_refused_and_nothing_is_decided(self, gateway, world, finance):
        bank_line, _ = queued(world, 1_000, payer="X", status="unmatched")
        body = {
            "action": "split",
            "allocations": [
                {"customer_id": world.customer_id, "invoice_id": world.invoices[0].invoice_id, "amount": 3_000}
            ],
        }
        assert decide(gateway, finance, bank_line.line_key, body).status == 422
        one = gateway.request("GET", f"/v1/staff/finance/bank-lines/{line_id(bank_line.line_key)}", token=finance)
        assert one.body["status"] == "unmatched" and one.body["decision"] is None

    def test_credit_holds_it_all_and_ignore_applies_nothing(self, gateway, world, finance):
        credit_line, _ = queued(world, 2_000, payer="CREDIT PAYER", status="unmatched")
        reply = decide(gateway, finance, credit_line.line_key, {"action": "credit", "customer_id": world.customer_id})
        assert reply.status == 200, reply.body
        [payment] = world.payments()
        assert (payment.amount, payment.unapplied) == (2_000, 2_000)
        assert [i.balance for i in map(world.invoice, [i.invoice_id for i in world.invoices])] == [3_000, 5_000]
        ignored, _ = queued(world, 9_999, payer="OWN TRANSFER", status="unmatched")
        reply = decide(gateway, finance, ignored.line_key, {"action": "ignore", "note": "transfer from savings"})
        assert reply.status == 200 and reply.body["applied"] is None
        assert reply.body["line"]["decision"]["note"] == "transfer from savings"
        assert len(world.payments()) == 1

    def test_return_rates_answer_with_the_three_limits(self, gateway, finance):
        reply = gateway.request("GET", "/v1/staff/finance/return-rates", token=finance)
        assert reply.status == 200, reply.body
        limits = {r["category"]: r["limit_percent"] for r in reply.body["rates"]}
        assert limits == {"unauthorized": 0.5, "administrative": 3.0, "overall": 15.0}
        start, end = date.fromisoformat(reply.body["window_start"]), date.fromisoformat(reply.body["window_end"])
        assert end - start == timedelta(days=59)


class TestMatchedLinesInTheQueue:
    def test_an_applied_line_is_not_decided_again_but_a_refused_one_is(self, gateway, world, make_users):
        finance = make_users(groups=("finance",)).staff_token
        store = DynamoBankFileStore(settings().ledger_table, settings().audit_table)
        applied_line, _ = queued(world, 1_500, payer="APPLIED", status="matched")
        store.line_applied(applied_line.line_key, {"outcome": "applied", "payment_ids": ["pay_x"]}, at=clock.now())
        body = {"action": "credit", "customer_id": world.customer_id}
        refused = decide(gateway, finance, applied_line.line_key, body)
        assert refused.status == 409 and refused.body["error"]["code"] == "bank_line_decided", refused.body
        assert world.payments() == []

        refused_line, _ = queued(world, 1_500, payer="REFUSED", status="matched")
        store.line_applied(refused_line.line_key, {"outcome": "refused", "note": "gone"}, at=clock.now())
        reply = decide(gateway, finance, refused_line.line_key, body)
        assert reply.status == 200, reply.body
        [payment] = world.payments()
        assert (payment.amount, payment.unapplied) == (1_500, 1_500)
