"""The HTTPS connector (cache, last known store, failures) and the choice of source per department, with fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from arportal.adapters.balances.cache import ANSWER_TTL_S, FAILURE_TTL_S, AnswerCache
from arportal.adapters.balances.config import BalanceSourceSpec
from arportal.adapters.balances.https import HttpsBalanceConnector, SourceUnavailableError
from arportal.adapters.balances.ledger import LedgerBalanceConnector, OpenInvoicesOnce
from arportal.domain.balances import LEDGER_SOURCE, SourceBalance
from arportal.services.balances import customer_balances
from tests import builders as b

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SPEC = BalanceSourceSpec(name="Parking system", base_url="https://parking.example.gov/api/", secret_name="pk")


class Clock:
    def __init__(self) -> None:
        self.t = 1_000.0

    def __call__(self) -> float:
        return self.t


class Remembered:
    def __init__(self, known: SourceBalance | None = None) -> None:
        self.known = known
        self.kept: list[SourceBalance] = []

    def last_known(self, customer_id: str, department: str) -> SourceBalance | None:
        return self.known

    def remember(self, customer_id: str, balance: SourceBalance) -> None:
        self.kept.append(balance)
        self.known = balance


class System:
    """A scripted connected system: each call pops the next answer (status, body) or raises it."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, dict[str, str], float]] = []

    def __call__(self, url: str, headers: dict[str, str], timeout_s: float) -> tuple[int, bytes]:
        self.calls.append((url, headers, timeout_s))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(amount: int) -> tuple[int, bytes]:
    body = {"currency": "USD", "as_of": NOW.isoformat(), "accounts": [{"account_number": "PK-1", "balance": amount}]}
    return 200, json.dumps(body).encode()


def _connector(system: System, store: Remembered, clock: Clock | None = None) -> HttpsBalanceConnector:
    return HttpsBalanceConnector(
        "parking",
        SPEC,
        currency="USD",
        last_known=store,
        cache=AnswerCache(clock=clock or Clock()),
        fetch=system,
        credentials=lambda name: f"key-for-{name}",
        now=lambda: NOW,
    )


def test_a_good_answer_is_fetched_with_credentials_remembered_and_cached():
    system, store, clock = System(ok(2_500), ok(9_999)), Remembered(), Clock()
    connector = _connector(system, store, clock)
    first = connector.balance("CUS-0001ABCD", ["PK-1", "PK-1"])
    assert first.amount == 2_500 and first.fresh and first.source == "Parking system"
    url, headers, timeout_s = system.calls[0]
    assert url == "https://parking.example.gov/api/balances?customer_id=CUS-0001ABCD&account=PK-1"
    assert headers["Authorization"] == "Bearer key-for-pk" and timeout_s == 2.0
    assert store.kept == [first]
    clock.t += ANSWER_TTL_S - 1
    assert connector.balance("CUS-0001ABCD", ["PK-1"]) == first and len(system.calls) == 1
    clock.t += 2  # the cache window has passed: asked again
    assert connector.balance("CUS-0001ABCD", ["PK-1"]).amount == 9_999


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (SourceUnavailableError("no answer within 2 s"), "no answer within 2 s"),
        ((503, b""), "answered HTTP 503"),
        ((200, b"<html>"), "the answer is not JSON"),
        ((200, b'{"currency": "USD", "accounts": [{"account_number": "PK-1", "balance": 1.5}]}'), "not an integer"),
        (RuntimeError("a bug in a connector"), "failed unexpectedly"),  # never takes the customer record down
    ],
)
def test_a_failure_answers_with_the_last_known_balance_and_is_retried_soon(failure, error):
    known = SourceBalance("Parking system", "parking", 4_200, "USD", NOW, fresh=True)
    system, store, clock = System(failure, ok(100)), Remembered(known), Clock()
    connector = _connector(system, store, clock)
    answer = connector.balance("CUS-0001ABCD", ["PK-1"])
    assert answer.amount == 4_200 and answer.fresh is False and error in (answer.error or "")
    assert store.kept == []  # a failure is never remembered as a good answer
    assert connector.balance("CUS-0001ABCD", ["PK-1"]) == answer  # not asked again at once...
    clock.t += FAILURE_TTL_S + 0.1
    assert connector.balance("CUS-0001ABCD", ["PK-1"]).amount == 100  # ...but soon
    assert len(system.calls) == 2


def test_credentials_that_cannot_be_read_make_the_source_unavailable():
    def no_secret(name: str) -> str:
        raise SourceUnavailableError("its credentials could not be read")

    connector = HttpsBalanceConnector(
        "parking",
        SPEC,
        currency="USD",
        last_known=Remembered(),
        cache=AnswerCache(),
        fetch=System(),
        credentials=no_secret,
    )
    answer = connector.balance("CUS-0001ABCD", ["PK-1"])
    assert answer.error == "its credentials could not be read" and answer.amount is None


def test_the_cache_forgets_the_oldest_entries_beyond_its_size():
    cache = AnswerCache(clock=Clock(), max_entries=2)
    balance = SourceBalance("s", "d", 1, "USD", NOW, fresh=True)
    for key in ("a", "b", "c"):
        cache.put(key, balance)
    assert cache.get("a") is None and cache.get("c") == balance


class TestChoosingSources:
    def test_each_department_asks_its_own_source_once_with_its_accounts(self):
        cid = "CUS-0001ABCD"
        accounts = [
            b.account(cid, number="UT-200001"),
            b.account(cid, number="UT-200002"),
            b.account(cid, number="PK-400001", department="parking"),
            b.account(cid, number="PM-300001", department="permits"),
        ]
        reads: list[str] = []

        def load(customer_id: str):
            reads.append(customer_id)
            return [b.invoice(cid, "UT-200002", amount=700)]

        remote: dict[str, list[list[str]]] = {}

        class Remote:
            def __init__(self, department: str) -> None:
                self.department, self.source = department, f"{department} system"

            def balance(self, customer_id, account_numbers):
                remote.setdefault(self.department, []).append(list(account_numbers))
                return SourceBalance(self.source, self.department, 5, "USD", NOW, fresh=True)

        once = OpenInvoicesOnce(load)

        class Chooser:
            def connector(self, department: str):
                if department == "utilities":
                    return LedgerBalanceConnector(department, once, currency="USD", now=lambda: NOW)
                return Remote(department)

        summary = customer_balances(Chooser(), cid, accounts, currency="USD")
        assert [x.department for x in summary.balances] == ["parking", "permits", "utilities"]
        assert summary.balances[2].source == LEDGER_SOURCE and summary.balances[2].amount == 700
        assert remote == {"parking": [["PK-400001"]], "permits": [["PM-300001"]]}
        assert reads == [cid] and summary.total == 710
