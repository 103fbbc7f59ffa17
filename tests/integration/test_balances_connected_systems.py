"""Balances from connected systems: the local demo parking system over real HTTP, its outages, the last known
answer kept in DynamoDB, the short cache, and the timeout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from arportal.adapters.balances.cache import ANSWERS, AnswerCache
from arportal.adapters.balances.config import BalanceSourceSpec
from arportal.adapters.balances.https import HttpsBalanceConnector
from arportal.adapters.balances.last_known import DynamoLastKnownBalances
from arportal.adapters.dynamodb.customer_records import DynamoCustomerRecords
from arportal.config import settings
from arportal.domain.balances import SourceBalance
from local import external_system
from tests import builders as b
from tests.integration.conftest import new_customer_id


@pytest.fixture(autouse=True)
def fresh_cache_and_system():
    ANSWERS.clear()
    system = external_system.demo()
    system.come_up()
    asked = len(system.requests)
    yield system, asked
    system.come_up()
    ANSWERS.clear()


@pytest.fixture
def agent(make_users):
    return make_users(groups=("agent",)).staff_token


def _customer(*, parking_amounts: tuple[int, ...] = (2_500,)) -> dict:
    cid = new_customer_id()
    water = b.account(cid, number=f"UT-{b.n() + 950000}")
    parking = [b.account(cid, number=f"PK-{b.n() + 950000}", department="parking") for _ in parking_amounts]
    invoices = [b.invoice(cid, water.account_number, amount=9_900)]
    invoices += [
        b.invoice(cid, acct.account_number, amount=amount, department="parking")
        for acct, amount in zip(parking, parking_amounts, strict=True)
    ]
    DynamoCustomerRecords(settings().ledger_table).put_new([b.customer(cid), water, *parking, *invoices])
    return {"cid": cid, "water": water, "parking": parking}


def _by_department(reply) -> dict[str, dict]:
    assert reply.status == 200, reply.body
    return {x["department"]: x for x in reply.body["balances"]}


def test_the_parking_system_is_asked_with_its_credentials_and_answers_are_cached(
    gateway, agent, fresh_cache_and_system
):
    system, asked = fresh_cache_and_system
    world = _customer(parking_amounts=(2_500, 1_000))
    path = f"/v1/staff/customers/{world['cid']}/balances"
    first = _by_department(gateway.request("GET", path, token=agent))
    # Then the utility comes from the ledger and parking from the parking system, per account
    assert first["utilities"]["source"] == "ledger" and first["utilities"]["amount"]["amount"] == 9_900
    parking = first["parking"]
    assert parking["source"] == "Parking enforcement system" and parking["fresh"] and parking["available"]
    assert parking["amount"]["amount"] == 3_500 and parking["message"] is None
    assert sorted(a["amount"]["amount"] for a in parking["accounts"]) == [1_000, 2_500]
    request = system.requests[asked]
    assert request["authorization"] == f"Bearer {external_system.API_KEY}"  # read from Secrets Manager
    assert request["query"]["customer_id"] == [world["cid"]]
    assert sorted(request["query"]["account"]) == sorted(a.account_number for a in world["parking"])
    # and a second look within the cache window does not ask again
    again = _by_department(gateway.request("GET", path, token=agent))
    assert again["parking"]["amount"]["amount"] == 3_500 and len(system.requests) == asked + 1


@pytest.mark.parametrize("how", ["error", "hangup", "garbage"])
def test_a_system_that_fails_gives_its_last_known_answer_marked(gateway, agent, fresh_cache_and_system, how):
    system, _ = fresh_cache_and_system
    world = _customer()
    path = f"/v1/staff/customers/{world['cid']}/balances"
    system.set_balance(world["parking"][0].account_number, 7_700)  # the system knows more than the ledger
    known = _by_department(gateway.request("GET", path, token=agent))["parking"]
    ANSWERS.clear()
    system.go_down(how)
    reply = gateway.request("GET", path, token=agent)
    parking = _by_department(reply)["parking"]
    assert parking["available"] is False and parking["fresh"] is False
    assert parking["amount"]["amount"] == 7_700 and parking["as_of"] == known["as_of"]
    assert parking["message"].startswith("Parking enforcement system unavailable")
    assert f"last known at {datetime.fromisoformat(known['as_of']).isoformat()}" in parking["message"]
    assert reply.body["complete"] is False and reply.body["total"]["amount"] == 7_700 + 9_900


def test_a_system_that_never_answered_says_so_without_a_figure(gateway, agent, fresh_cache_and_system):
    system, _ = fresh_cache_and_system
    world = _customer()
    system.go_down("error")
    parking = _by_department(gateway.request("GET", f"/v1/staff/customers/{world['cid']}/balances", token=agent))[
        "parking"
    ]
    assert parking["amount"] is None and parking["as_of"] is None
    assert parking["message"] == "Parking enforcement system unavailable (answered HTTP 503); no balance known yet"


def test_a_slow_system_is_given_up_on_at_its_timeout(gateway, agent, local_env, fresh_cache_and_system):
    system, _ = fresh_cache_and_system
    world = _customer()
    configured = json.loads(local_env.function_env["BALANCE_SOURCES"])
    quick = {**configured, "parking": {**configured["parking"], "timeout_ms": 300}}
    local_env.configure(BALANCE_SOURCES=json.dumps(quick))
    try:
        # It would answer after two minutes, far past the 0.3 s timeout: an answer that says "no answer" can
        # only come from giving up, however loaded the machine (no stopwatch needed).
        system.go_down("slow", delay_s=120)
        reply = gateway.request("GET", f"/v1/staff/customers/{world['cid']}/balances", token=agent)
    finally:
        local_env.configure(BALANCE_SOURCES=json.dumps(configured))
    parking = _by_department(reply)["parking"]
    assert "no answer within 0.3 s" in parking["message"]
    assert parking["available"] is False


def test_customers_without_a_connected_department_never_reach_the_system(gateway, agent, fresh_cache_and_system):
    system, asked = fresh_cache_and_system
    world = _customer(parking_amounts=())
    balances = _by_department(gateway.request("GET", f"/v1/staff/customers/{world['cid']}/balances", token=agent))
    assert set(balances) == {"utilities"} and len(system.requests) == asked
    assert gateway.request("GET", f"/v1/staff/customers/{new_customer_id()}/balances", token=agent).status == 404


def test_an_older_answer_never_replaces_a_newer_last_known_one(local_env):
    cid, store = new_customer_id(), DynamoLastKnownBalances(settings().ledger_table)
    now = datetime.now(UTC)

    def answer(amount: int, at: datetime) -> SourceBalance:
        return SourceBalance("Parking enforcement system", "parking", amount, "USD", at, fresh=True)

    store.remember(cid, answer(500, now))
    store.remember(cid, answer(900, now - timedelta(minutes=5)))  # a slower container, finishing late
    kept = store.last_known(cid, "parking")
    assert kept is not None and kept.amount == 500 and kept.as_of == now and kept.fresh is False


def test_the_connector_over_real_http_against_the_demo_system(local_env, fresh_cache_and_system):
    system, _ = fresh_cache_and_system
    world = _customer(parking_amounts=(1_234,))
    spec = BalanceSourceSpec(name="Parking", base_url=system.url, secret_name=None, timeout_ms=500)
    connector = HttpsBalanceConnector(
        "parking",
        spec,
        currency="USD",
        last_known=DynamoLastKnownBalances(settings().ledger_table),
        cache=AnswerCache(),
    )
    # Without the credentials the system refuses, and the connector reports it rather than raising
    refused = connector.balance(world["cid"], [world["parking"][0].account_number])
    assert refused.error == "answered HTTP 401" and refused.amount is None
