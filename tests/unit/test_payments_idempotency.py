"""The Idempotency-Key helper every mutating route uses (``arportal.api.idempotency``), over an in-memory store
with the DynamoDB layer's conditions."""

from __future__ import annotations

import json

import pytest

from arportal.api.errors import ApiError
from arportal.api.idempotency import REPLAYED_HEADER, Outcome, idempotency_key, run_once
from arportal.domain.errors import DependencyError
from tests.fakes import in_memory_idempotency_store


class Work:
    """Counts how often the work really ran."""

    def __init__(self, outcome: Outcome | Exception) -> None:
        self.outcome = outcome
        self.calls = 0

    def __call__(self) -> Outcome:
        self.calls += 1
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class LambdaContext:
    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def once(store, work, *, key="key-1", payload=None, scope="customer:CUS-1", operation="test.op"):
    return run_once(
        operation,
        scope=scope,
        key=key,
        payload=payload or {"amount": 100},
        work=work,
        persistence=store,
        lambda_context=LambdaContext(),
    )


def body(response) -> dict:
    return json.loads(response.body)


def test_the_first_answer_is_replayed_with_the_same_status_and_body():
    store, work = in_memory_idempotency_store(), Work(Outcome(201, {"id": "pay_1"}, {"Location": "/p/pay_1"}))
    first, second = once(store, work), once(store, work)
    assert work.calls == 1
    assert (second.status_code, body(second), second.headers["Location"]) == (201, {"id": "pay_1"}, "/p/pay_1")
    assert (first.status_code, body(first)) == (second.status_code, body(second))
    assert REPLAYED_HEADER not in first.headers and second.headers[REPLAYED_HEADER] == "true"


def test_a_refusal_the_work_returns_is_replayed_too():
    store, work = in_memory_idempotency_store(), Work(Outcome(402, {"error": {"code": "payment_declined"}}))
    assert [once(store, work).status_code for _ in range(3)] == [402, 402, 402] and work.calls == 1


def test_the_same_key_with_another_payload_is_refused():
    store, work = in_memory_idempotency_store(), Work(Outcome(201, {}))
    once(store, work, payload={"amount": 100})
    refused = once(store, work, payload={"amount": 101})
    assert refused.status_code == 422 and body(refused)["error"]["code"] == "idempotency_key_reused"
    assert work.calls == 1


def test_a_duplicate_while_the_first_runs_is_409_with_retry_after():
    store = in_memory_idempotency_store()
    inner: list = []

    def first_request() -> Outcome:
        inner.append(once(store, Work(Outcome(201, {}))))  # the duplicate arrives meanwhile
        return Outcome(201, {"id": "first"})

    assert body(once(store, first_request)) == {"id": "first"}
    [duplicate] = inner
    assert duplicate.status_code == 409 and duplicate.headers["Retry-After"] == "2"
    assert body(duplicate)["error"]["code"] == "request_in_progress"


def test_an_error_is_not_stored_so_the_same_key_can_retry():
    store = in_memory_idempotency_store()
    with pytest.raises(DependencyError):
        once(store, Work(DependencyError("processor down")))
    retried = Work(Outcome(201, {"id": "pay_2"}))
    assert body(once(store, retried)) == {"id": "pay_2"} and retried.calls == 1


def test_keys_are_scoped_to_the_caller_and_the_operation():
    store = in_memory_idempotency_store()
    work = Work(Outcome(201, {}))
    once(store, work, scope="customer:CUS-1")
    once(store, work, scope="customer:CUS-2")
    once(store, work, operation="other.op")
    assert work.calls == 3


def test_when_only_remembering_the_answer_fails_the_answer_is_still_given():
    store, work = in_memory_idempotency_store(fail_on_success=True), Work(Outcome(201, {"id": "pay_3"}))
    response = once(store, work)
    assert (response.status_code, body(response)) == (201, {"id": "pay_3"})


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "idempotency_key_required"),
        ({"Idempotency-Key": "  "}, "idempotency_key_required"),
        ({"Idempotency-Key": "x" * 256}, "invalid_idempotency_key"),
        ({"Idempotency-Key": "caf\u00e9"}, "invalid_idempotency_key"),
        ({"Idempotency-Key": "a b"}, "invalid_idempotency_key"),
    ],
)
def test_the_header_must_be_present_and_sane(headers, code):
    with pytest.raises(ApiError) as refused:
        idempotency_key(headers)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert refused.value.details[0]["field"] == "header.Idempotency-Key"


def test_a_good_header_is_taken_as_sent():
    assert idempotency_key({"Idempotency-Key": " 0f8fad5b-d9cb-469f-a165-70867728950e "}) == (
        "0f8fad5b-d9cb-469f-a165-70867728950e"
    )
