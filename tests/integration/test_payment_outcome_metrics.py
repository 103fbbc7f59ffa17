"""The aggregate builder counts each payment's first outcome for the dashboard's success rate (ArPortal /
PaymentsAccepted, PaymentsFailed, embedded metric format): a card payment and an ACH debit accepted, a decline failed,
and the debit's later settlement not counted again."""

from __future__ import annotations

import json
import uuid
from collections import Counter

from tests.integration.conftest import new_customer_id
from tests.integration.test_ach_lifecycle import report
from tests.reliability.worlds import pay_world


def _emitted(out: str) -> Counter[str]:
    counted: Counter[str] = Counter()
    for line in out.splitlines():
        if '"CloudWatchMetrics"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            if directive["Namespace"] == "ArPortal":
                for metric in directive["Metrics"]:
                    value = record[metric["Name"]]  # a number, or a list of them
                    counted[metric["Name"]] += int(sum(value) if isinstance(value, list) else value)
    return counted


def test_first_outcomes_are_counted_once_as_the_outbox_is_folded(local_env, gateway, make_users, capsys):
    cid = new_customer_id()
    pay_world((3_000, 5_000, 8_000), customer_id=cid, email=f"{cid.lower()}@example.org")
    token = make_users(customer_id=cid).customer_token
    local_env.aggregate_once()
    capsys.readouterr()  # what was on the stream before this test

    def pay(method: str, token_: str, expect: int) -> dict:
        body = {"amount": 1_500, "currency": "USD", "method": method, "token": token_}
        key = {"Idempotency-Key": uuid.uuid4().hex}
        reply = gateway.request("POST", "/v1/portal/payments", token=token, json=body, headers=key)
        assert reply.status == expect, reply.body
        return dict(reply.body.get("payment") or {})

    pay("card", "tok_visa", 201)
    pay("card", "tok_declined", 402)
    body = {"amount": 1_500, "currency": "USD", "method": "ach", "token": "tok_ach"}
    debit = gateway.request(
        "POST", "/v1/portal/payments", token=token, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert debit.status == 201, debit.body
    local_env.aggregate_once()
    assert _emitted(capsys.readouterr().out) == Counter({"PaymentsAccepted": 2, "PaymentsFailed": 1})

    # the debit settling later is not a new attempt
    assert report(gateway, debit.body["payment"]["transaction_id"], "settle")[1].status == 200
    local_env.aggregate_once()
    assert _emitted(capsys.readouterr().out) == Counter()
