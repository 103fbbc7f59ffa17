"""Presenting a returned ACH debit again (issue 15, NACHA R01/R09 re-presentment) through the staff API on moto:
an R01 return may be presented twice more, each presentment a new debit of the same account for the same invoices,
once however often it is asked; the third return ends it; an R10 return or a debit past 180 days is refused with
the reason; only finance presents, and nothing is debited by a refusal."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from arportal import clock
from tests.integration.conftest import new_customer_id
from tests.integration.test_ach_lifecycle import ach_key, report
from tests.reliability.worlds import PayWorld, pay_world

ROUTE = "/v1/staff/payments/{}/representment"


@pytest.fixture
def world(local_env, make_users) -> PayWorld:
    cid = new_customer_id()
    w = pay_world((3_000, 5_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    w.token = make_users(customer_id=cid).customer_token
    return w


@pytest.fixture
def finance(make_users) -> str:
    return str(make_users(groups=("finance",)).staff_token)


def _returned_debit(gateway, world: PayWorld, token: str) -> dict:
    """A portal ACH debit of the first invoice, settled by its bank and then returned."""
    body = {"amount": 3_000, "currency": "USD", "method": "ach", "token": token,
            "invoices": [{"invoice_id": world.invoices[0].invoice_id, "amount": 3_000}]}  # fmt: skip
    paid = gateway.request(
        "POST", "/v1/portal/payments", token=world.token, json=body, headers={"Idempotency-Key": ach_key(world)}
    )
    assert paid.status == 201, paid.body
    payment = paid.body["payment"]
    _settle_and_return(gateway, payment["transaction_id"])
    return payment


def _settle_and_return(gateway, transaction_id: str) -> None:
    assert report(gateway, transaction_id, "settle")[1].body["status"] == "posted"
    _, returned = report(gateway, transaction_id, "return")
    assert returned.status == 200 and returned.body["status"] == "reversed", returned.body


def _present(gateway, token: str, payment_id: str):
    return gateway.request(
        "POST", f"/v1/staff/payments/{payment_id}/representments", token=token,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip


def _answer(gateway, token: str, payment_id: str) -> dict:
    reply = gateway.request("GET", ROUTE.format(payment_id), token=token)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def test_an_r01_return_is_presented_twice_more_each_once_then_no_more(gateway, world, finance, make_users):
    original = _returned_debit(gateway, world, "tok_ach_nsf")
    invoice_id = world.invoices[0].invoice_id
    assert world.invoice(invoice_id).balance == 3_000  # the return reopened it

    # The rules' answer: R01, presented once, may be presented again
    answer = _answer(gateway, finance, original["payment_id"])
    assert (answer["allowed"], answer["return_code"], answer["presentments"]) == (True, "R01", 1), answer
    assert answer["series_id"] == original["payment_id"] and answer["presented_as"] is None

    # Only finance presents
    agent = make_users(groups=("agent",)).staff_token
    assert _present(gateway, agent, original["payment_id"]).status == 403

    # The second presentment: a new pending debit of the same account for the same invoice
    second = _present(gateway, finance, original["payment_id"])
    assert second.status == 201, second.body
    assert second.body["presentment"] == 2 and second.body["replayed"] is False
    new = second.body["payment"]
    assert new["payment_id"] != original["payment_id"] and new["status"] == "pending", new
    assert (new["amount"]["amount"], new["method"], new["last4"]) == (3_000, "ach", original["last4"])
    assert world.invoice(invoice_id).balance == 0
    stored = {p.payment_id: p for p in world.payments()}
    assert stored[new["payment_id"]].attempt == 2
    assert stored[new["payment_id"]].series is not None
    assert stored[new["payment_id"]].series.series_id == original["payment_id"]

    # Asked again (another key, another finance user): the same presentment, nothing debited twice
    again = _present(gateway, str(make_users(groups=("finance",)).staff_token), original["payment_id"])
    assert again.status == 201 and again.body["replayed"] is True, again.body
    assert again.body["payment"]["payment_id"] == new["payment_id"]
    assert len(world.payments()) == 2
    assert _answer(gateway, finance, original["payment_id"])["presented_as"] == new["payment_id"]
    assert _answer(gateway, finance, original["payment_id"])["allowed"] is False

    # Returned again: the third and last presentment
    _settle_and_return(gateway, new["transaction_id"])
    answer = _answer(gateway, finance, new["payment_id"])
    assert (answer["allowed"], answer["presentments"], answer["series_id"]) == (True, 2, original["payment_id"])
    third = _present(gateway, finance, new["payment_id"])
    assert third.status == 201 and third.body["presentment"] == 3, third.body
    last = third.body["payment"]
    _settle_and_return(gateway, last["transaction_id"])

    # Returned a third time: no more presentments, with the reason, and nothing debited
    answer = _answer(gateway, finance, last["payment_id"])
    assert answer["allowed"] is False and "presented 3 times" in answer["reason"], answer
    refused = _present(gateway, finance, last["payment_id"])
    assert refused.status == 422 and "presented 3 times" in refused.body["error"]["message"], refused.body
    assert len(world.payments()) == 3 and world.invoice(invoice_id).balance == 3_000


def test_an_unauthorized_return_is_never_presented_again(gateway, world, finance):
    original = _returned_debit(gateway, world, "tok_ach_return")
    answer = _answer(gateway, finance, original["payment_id"])
    assert (answer["allowed"], answer["return_code"]) == (False, "R10"), answer
    refused = _present(gateway, finance, original["payment_id"])
    assert refused.status == 422 and "only R01 and R09" in refused.body["error"]["message"], refused.body
    assert len(world.payments()) == 1


def test_past_180_days_from_the_first_presentment_it_is_refused(gateway, world, finance):
    original = _returned_debit(gateway, world, "tok_ach_nsf")
    with clock.using(clock.ShiftedClock(timedelta(days=181))):
        answer = _answer(gateway, finance, original["payment_id"])
        refused = _present(gateway, finance, original["payment_id"])
    assert answer["allowed"] is False and "180 days" in answer["reason"], answer
    assert refused.status == 422, refused.body
    assert len(world.payments()) == 1


def test_a_card_payment_or_an_unknown_one_is_not_presented(gateway, world, finance):
    paid = gateway.request(
        "POST", "/v1/portal/payments", token=world.token,
        json={"amount": 1_000, "currency": "USD", "method": "card", "token": "tok_visa"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    assert paid.status == 201, paid.body
    answer = _answer(gateway, finance, paid.body["payment"]["payment_id"])
    assert answer["allowed"] is False and "only an ACH debit" in answer["reason"]
    missing = "pay_" + "0" * 26
    assert gateway.request("GET", ROUTE.format(missing), token=finance).status == 404
    assert _present(gateway, finance, missing).status == 404
