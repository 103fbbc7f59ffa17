"""POST /v1/portal/payments through the gateway: JWT -> handler -> idempotency -> processor -> posting -> receipt."""

from __future__ import annotations

import uuid

import pytest

from arportal.adapters import processors
from arportal.adapters.sandbox import SandboxProcessor
from arportal.config import settings
from tests.fakes import CountingProcessor
from tests.integration.conftest import new_customer_id
from tests.integration.roundtrips import dynamodb_round_trips
from tests.reliability.worlds import PayWorld, pay_world, pdf_text

PAY = "/v1/portal/payments"


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


@pytest.fixture
def counting(monkeypatch) -> CountingProcessor:
    """The sandbox, counting the charges that reach it; its memory in this process, so that the DynamoDB calls
    counted are the product's own, not the stand-in processor's."""
    counter = CountingProcessor(SandboxProcessor())
    monkeypatch.setattr(processors, "processor_for", lambda _settings: counter)
    return counter


def pay(gateway, world: PayWorld, body: dict, key: str | None = None, **headers: str):
    sent = {"Idempotency-Key": key or uuid.uuid4().hex, **headers}
    return gateway.request("POST", PAY, token=world.token, json=body, headers=sent)


def card(amount: int, **extra: object) -> dict:
    return {"amount": amount, "currency": "USD", "method": "card", "token": "tok_visa", **extra}


def mailbox_for(gateway, address: str) -> list[dict]:
    return [m for m in gateway.request("GET", "/local/mailbox").body["messages"] if address in m["to"]]


class TestCardPayment:
    def test_posts_oldest_first_with_fee_receipt_pdf_and_email(self, gateway, world, local_env, counting):
        # Given two open invoices (3,000 then 5,000); When the customer pays 4,000 by card
        with dynamodb_round_trips() as trips:
            reply = pay(gateway, world, card(4_000))
        # Then it is posted, with the agency's 2.5 % card fee on top, oldest invoice first
        assert reply.status == 201, reply.body
        payment = reply.body["payment"]
        assert payment["status"] == "posted" and payment["amount"] == {"amount": 4_000, "currency": "USD"}
        assert payment["fee"]["amount"] == 100 and payment["total"]["amount"] == 4_100
        assert payment["brand"] == "visa" and payment["last4"] == "4242"
        first, second = world.invoices
        assert [
            (a["invoice_id"], a["amount"]["amount"], a["balance_after"]["amount"]) for a in payment["allocations"]
        ] == [
            (first.invoice_id, 3_000, 0),
            (second.invoice_id, 1_000, 4_000),
        ]
        assert world.invoice(first.invoice_id).status.value == "paid"
        assert world.invoice(second.invoice_id).balance == 4_000
        assert reply.headers["location"] == f"{PAY}/{payment['payment_id']}"
        assert counting.charges[0].amount == 4_100  # the fee is charged with the payment, never separately
        # And the receipt is filed as the customer's document, its PDF rendered when first opened (issue 18): the
        # email carries the receipt in words and where to download it, not the PDF
        receipt = reply.body["receipt"]
        assert receipt["status"] == "issued" and receipt["receipt_number"] == payment["receipt_number"]
        assert receipt["emailed_to"] == [world.customer.email] and receipt["url"] is None
        documents = world.partition("DOC#")
        assert [(d["kind"], d["reference"], d["document_id"]) for d in documents] == [
            ("receipt", receipt["receipt_number"], receipt["document_id"])
        ]
        s3, bucket, key = local_env.client("s3"), settings().documents_bucket, documents[0]["storage_key"]
        assert s3.list_objects_v2(Bucket=bucket, Prefix=key)["KeyCount"] == 0  # no PDF rendered by the payment
        mail = mailbox_for(gateway, world.customer.email)
        assert len(mail) == 1 and receipt["receipt_number"] in mail[0]["subject"]
        assert mail[0]["attachments"] == [] and "Total paid: 41.00 USD" in mail[0]["body"]
        # DynamoDB: the idempotency record (in progress, then completed), the posting guard's read, the open
        # invoices, the payment's intent (before the charge), the payer's open series of tries at these invoices
        # (by key: a retry of a decline is linked to it), ONE posting transaction (closing the intent), the payer's
        # profile, the receipt's Document record and the suppression list before the email (by the address); no Scan
        calls = [c.rsplit(".", 1)[-1] for c in trips.calls]
        assert sorted(calls) == sorted(
            [
                "PutItem",
                "GetItem",
                "Query",
                "PutItem",
                "GetItem",
                "TransactWriteItems",
                "GetItem",
                "PutItem",
                "GetItem",
                "UpdateItem",
            ]
        ), calls
        # The first download renders and stores the PDF; the next one links the same file
        link = gateway.request("GET", f"/v1/portal/documents/{receipt['document_id']}", token=world.token)
        assert link.status == 200, link.body
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert body.startswith(b"%PDF-") and receipt["receipt_number"].encode() in pdf_text(body)
        assert world.partition("DOC#")[0]["size"] == len(body)
        again = gateway.request("GET", f"/v1/portal/documents/{receipt['document_id']}", token=world.token)
        assert again.status == 200 and s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body

    def test_replays_the_first_answer_for_the_same_key(self, gateway, world, counting):
        key = uuid.uuid4().hex
        first = pay(gateway, world, card(1_000), key)
        again = pay(gateway, world, card(1_000), key)
        assert (again.status, again.body) == (first.status, first.body)
        assert again.headers.get("idempotent-replayed") == "true" and "idempotent-replayed" not in first.headers
        assert len(counting.charges) == 1 and len(world.payments()) == 1

    def test_the_same_key_with_another_body_is_refused(self, gateway, world, counting):
        key = uuid.uuid4().hex
        assert pay(gateway, world, card(1_000), key).status == 201
        reply = pay(gateway, world, card(1_500), key)
        assert reply.status == 422 and reply.body["error"]["code"] == "idempotency_key_reused"
        assert reply.body["error"]["details"] == [
            {"field": "header.Idempotency-Key", "reason": "used earlier with a different request body"}
        ]
        assert len(counting.charges) == 1

    def test_keys_belong_to_their_customer(self, gateway, world, make_users, counting):
        # Two customers who happen to send the same key each pay once
        other = pay_world((2_000,), customer_id=new_customer_id())
        other.token = make_users(customer_id=other.customer_id).customer_token
        key = uuid.uuid4().hex
        assert pay(gateway, world, card(1_000), key).status == 201
        assert pay(gateway, other, card(1_000), key).status == 201
        assert len(counting.charges) == 2


class TestRefusals:
    @pytest.mark.parametrize(
        ("key", "reason"),
        [(None, "required"), ("   ", "required"), ("k" * 256, "at most 255"), ("two words", "printable ASCII")],
    )
    def test_the_idempotency_key_header_is_required_and_bounded(self, gateway, world, counting, key, reason):
        headers = {} if key is None else {"Idempotency-Key": key}
        reply = gateway.request("POST", PAY, token=world.token, json=card(1_000), headers=headers)
        assert reply.status == 400, reply.body
        [detail] = reply.body["error"]["details"]
        assert detail["field"] == "header.Idempotency-Key" and reason in detail["reason"]
        assert counting.charges == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (card(1_000, token="4242424242424242"), "token"),
            (card(1_000, token="tok_visa", note="pay with 4000 0566 5566 5556"), "note"),
            (card(1_000, token="4242 4242 4242 4242"), "token"),
        ],
    )
    def test_a_card_number_in_the_body_is_refused_and_never_echoed(self, gateway, world, counting, body, field):
        reply = pay(gateway, world, body)
        # card_number_rejected, or validation_failed where the field's own rules refuse it first: 422 either way
        assert reply.status == 422, reply.body
        assert reply.body["error"]["code"] in {"card_number_rejected", "validation_failed"}
        assert field in {d["field"] for d in reply.body["error"]["details"]}
        assert "4242" not in str(reply.body) and "5556" not in str(reply.body)
        assert counting.charges == [] and world.payments() == []

    def test_an_invoice_named_twice_is_refused_before_any_charge(self, gateway, world, counting):
        invoice = world.invoices[0].invoice_id
        body = card(
            2_000, invoices=[{"invoice_id": invoice, "amount": 1_000}, {"invoice_id": invoice, "amount": 1_000}]
        )
        reply = pay(gateway, world, body)
        assert reply.status == 422 and "named twice" in reply.body["error"]["message"], reply.body
        assert counting.charges == [] and world.payments() == []

    def test_a_well_formed_token_that_is_a_card_number_is_named_as_one(self, gateway, world, counting):
        reply = pay(gateway, world, card(1_000, token="4242424242424242"))
        assert reply.status == 422 and reply.body["error"]["code"] == "card_number_rejected"
        assert reply.body["error"]["details"] == [{"field": "token", "reason": "looks like a card number"}]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"amount": 10.5}, "amount"),
            ({"amount": "1000"}, "amount"),
            ({"amount": 0}, "amount"),
            ({"method": "cash"}, "method"),
            ({"surprise": 1}, "surprise"),
            ({"invoices": []}, "invoices"),
        ],
    )
    def test_invalid_fields_are_422_with_the_field_named(self, gateway, world, counting, change, field):
        reply = pay(gateway, world, {**card(1_000), **change})
        assert reply.status == 422, reply.body
        assert field in {d["field"] for d in reply.body["error"]["details"]}
        assert counting.charges == []

    def test_another_customers_invoice_is_not_found_and_nothing_is_charged(self, gateway, world, counting):
        stranger = pay_world((2_000,), customer_id=new_customer_id())
        body = card(1_000, invoices=[{"invoice_id": stranger.invoices[0].invoice_id, "amount": 1_000}])
        reply = pay(gateway, world, body)
        assert reply.status == 404 and counting.charges == []
        assert stranger.invoice(stranger.invoices[0].invoice_id).balance == 2_000

    def test_a_fee_that_changed_since_it_was_shown_is_refused(self, gateway, world, counting):
        reply = pay(gateway, world, card(1_000, expected_fee=0))
        assert reply.status == 422 and "fee has changed" in reply.body["error"]["message"]
        assert counting.charges == []

    def test_only_customers_pay_here(self, gateway, world, make_users):
        assert gateway.request("POST", PAY, json=card(1_000), headers={"Idempotency-Key": "k1"}).status == 401
        staff = make_users().staff_token
        reply = gateway.request("POST", PAY, token=staff, json=card(1_000), headers={"Idempotency-Key": "k1"})
        assert reply.status == 403


class TestDeclinesAndOutages:
    def test_a_decline_is_402_with_advice_recorded_and_replayed(self, gateway, world, counting):
        key = uuid.uuid4().hex
        reply = pay(gateway, world, card(1_000, token="tok_insufficient_funds"), key)
        assert reply.status == 402, reply.body
        error = reply.body["error"]
        assert error["code"] == "payment_declined" and error["message"]
        details = error["details"]
        assert details["decline_code"] == "insufficient_funds" and details["next_step"] and details["retryable"]
        assert details["payment"]["status"] == "failed" and details["payment"]["fee"]["amount"] == 0
        # The failed attempt is in the payment history; nothing was applied
        [recorded] = world.payments()
        assert recorded.status.value == "failed" and recorded.payment_id == details["payment"]["payment_id"]
        assert world.invoice(world.invoices[0].invoice_id).balance == 3_000
        # The payer is told what to do next; the same key answers the same 402
        mail = mailbox_for(gateway, world.customer.email)
        assert [m["subject"] for m in mail] == [f"{settings().agency_name}: your payment did not go through"]
        again = pay(gateway, world, card(1_000, token="tok_insufficient_funds"), key)
        assert (again.status, again.body) == (402, reply.body) and len(counting.charges) == 1

    def test_a_stolen_card_is_reported_as_a_plain_decline(self, gateway, world, counting):
        reply = pay(gateway, world, card(1_000, token="tok_stolen"))
        assert reply.status == 402 and reply.body["error"]["details"]["decline_code"] == "card_declined"

    def test_processor_unavailable_is_503_and_the_same_key_may_retry(self, gateway, world, counting):
        key = uuid.uuid4().hex
        reply = pay(gateway, world, card(1_000, token="tok_unavailable"), key)
        assert reply.status == 503 and reply.body["error"]["code"] == "dependency_failure"
        assert world.payments() == []
        again = pay(gateway, world, card(1_000, token="tok_unavailable"), key)
        assert again.status == 503  # not replayed: an error is not stored, the retry really ran


class TestAchAndQuotes:
    def test_ach_is_pending_applied_and_acknowledged(self, gateway, world, counting):
        reply = pay(gateway, world, {"amount": 3_000, "currency": "USD", "method": "ach", "token": "tok_ach"})
        assert reply.status == 201, reply.body
        assert reply.body["payment"]["status"] == "pending" and reply.body["payment"]["receipt_number"] is None
        assert reply.body["receipt"]["status"] == "pending"
        assert world.invoice(world.invoices[0].invoice_id).balance == 0
        subjects = [m["subject"] for m in mailbox_for(gateway, world.customer.email)]
        assert subjects == [f"{settings().agency_name}: your bank payment is being processed"]

    @pytest.mark.parametrize(("method", "fee"), [("card", 250), ("wallet", 250), ("debit", 0), ("ach", 0)])
    def test_the_fee_is_quoted_before_paying(self, gateway, world, method, fee):
        reply = gateway.request("GET", f"{PAY}:quote?amount=10000&method={method}", token=world.token)
        assert reply.status == 200, reply.body
        assert reply.body == {
            "method": method,
            "amount": {"amount": 10_000, "currency": "USD"},
            "fee": {"amount": fee, "currency": "USD"},
            "total": {"amount": 10_000 + fee, "currency": "USD"},
        }

    def test_overpaying_holds_the_rest_as_credit(self, gateway, world, counting):
        reply = pay(gateway, world, card(9_000))
        assert reply.status == 201
        assert reply.body["payment"]["credit_held"] == {"amount": 1_000, "currency": "USD"}
        [credit] = world.partition("CN#")
        assert credit["remaining"] == 1_000 and credit["credit_note_id"].endswith(
            reply.body["payment"]["payment_id"].removeprefix("pay_")
        )
