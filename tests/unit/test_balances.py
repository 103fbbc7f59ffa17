"""Balances per department: the ledger's answer, reading a connected system's answer, and the unavailable rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from arportal.domain.balances import (
    LEDGER_SOURCE,
    AccountBalance,
    BalanceAnswerError,
    SourceBalance,
    ledger_balance,
    parse_answer,
    summarise,
    unavailable,
)
from tests import builders as b

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _answer(**changes) -> dict:
    return {
        "currency": "USD",
        "as_of": "2026-11-01T11:59:00Z",
        "accounts": [
            {"account_number": "PK-400001", "balance": 2_500},
            {"account_number": "PK-400002", "balance": -300},
        ],
    } | changes


class TestLedger:
    def test_sums_open_balances_per_account_and_lists_accounts_with_nothing_open(self):
        cid = "CUS-0001ABCD"
        open_one = b.invoice(cid, "UT-200001", amount=1_000)
        part_paid = b.invoice(cid, "UT-200001", amount=3_000, paid=1_000)
        voided = b.invoice(cid, "UT-200001", amount=9_999).model_copy(update={"voided": True})
        elsewhere = b.invoice(cid, "PT-100001", amount=50_000, department="property_tax")
        answer = ledger_balance(
            "utilities", ["UT-200001", "UT-200002"], [open_one, part_paid, voided, elsewhere], currency="USD", as_of=NOW
        )
        assert answer.source == LEDGER_SOURCE and answer.fresh and answer.error is None
        assert answer.amount == 3_000
        assert answer.accounts == (AccountBalance("UT-200001", 3_000), AccountBalance("UT-200002", 0))


class TestParseAnswer:
    def test_the_accounts_asked_for_are_summed_credit_included(self):
        total, accounts, as_of = parse_answer(
            _answer(), account_numbers=["PK-400001", "PK-400002"], currency="USD", received_at=NOW
        )
        assert total == 2_200 and [a.amount for a in accounts] == [2_500, -300]
        assert as_of == datetime(2026, 11, 1, 11, 59, tzinfo=UTC)

    def test_accounts_not_asked_for_do_not_count_and_unknown_ones_are_left_out(self):
        total, accounts, _ = parse_answer(
            _answer(), account_numbers=["PK-400001", "PK-499999"], currency="USD", received_at=NOW
        )
        assert total == 2_500 and [a.account_number for a in accounts] == ["PK-400001"]

    def test_as_of_is_kept_in_utc_and_defaults_to_when_it_was_received(self):
        local = _answer(as_of="2026-11-01T06:00:00-06:00")
        assert parse_answer(local, account_numbers=[], currency="USD", received_at=NOW)[2] == NOW
        missing = _answer(as_of=None)
        paris = NOW.astimezone(timezone(timedelta(hours=1)))
        as_of = parse_answer(missing, account_numbers=[], currency="USD", received_at=paris)[2]
        assert as_of == NOW and as_of.utcoffset() == timedelta(0)

    @pytest.mark.parametrize(
        ("payload", "reason"),
        [
            ([], "not a JSON object"),
            (_answer(currency="EUR"), "'EUR', not USD"),
            (_answer(accounts=None), "no 'accounts' list"),
            (_answer(accounts=[{"balance": 1}]), "no account_number"),
            (_answer(accounts=[{"account_number": "PK-400001", "balance": 12.5}]), "not an integer of minor units"),
            (_answer(accounts=[{"account_number": "PK-400001", "balance": True}]), "not an integer of minor units"),
            (_answer(accounts=[{"account_number": "PK-400001", "balance": "100"}]), "not an integer of minor units"),
            (_answer(as_of="yesterday"), "not an ISO 8601 timestamp"),
            (_answer(as_of=17), "not a timestamp"),
        ],
    )
    def test_anything_but_integer_minor_units_in_our_currency_is_refused(self, payload, reason):
        with pytest.raises(BalanceAnswerError, match=reason):
            parse_answer(payload, account_numbers=["PK-400001"], currency="USD", received_at=NOW)


class TestUnavailable:
    def _known(self, source: str = "Parking system") -> SourceBalance:
        return SourceBalance(source, "parking", 4_200, "USD", NOW - timedelta(hours=2), fresh=True)

    def test_the_last_known_answer_is_kept_and_marked(self):
        answer = unavailable("Parking system", "parking", "USD", error="answered HTTP 503", last_known=self._known())
        assert answer.amount == 4_200 and answer.fresh is False and answer.error == "answered HTTP 503"
        assert answer.message == (
            "Parking system unavailable (answered HTTP 503); last known at 2026-11-01T10:00:00+00:00"
        )

    def test_without_a_last_known_answer_there_is_no_figure(self):
        answer = unavailable("Parking system", "parking", "USD", error="unreachable", last_known=None)
        assert answer.amount is None and answer.as_of is None
        assert answer.message == "Parking system unavailable (unreachable); no balance known yet"

    def test_an_answer_from_another_source_is_not_shown_as_this_ones(self):
        answer = unavailable("New parking system", "parking", "USD", error="unreachable", last_known=self._known())
        assert answer.amount is None

    def test_a_fresh_answer_has_no_message(self):
        assert self._known().message is None


def test_summary_totals_what_is_known_and_says_whether_it_is_all_current():
    fresh = SourceBalance(LEDGER_SOURCE, "utilities", 1_000, "USD", NOW, fresh=True)
    stale = SourceBalance("Parking", "parking", 500, "USD", NOW, fresh=False, error="x")
    unknown = SourceBalance("Permits", "permits", None, "USD", None, fresh=False, error="x")
    summary = summarise([fresh, stale, unknown], "USD")
    assert summary.total == 1_500 and summary.complete is False
    assert [x.department for x in summary.balances] == ["parking", "permits", "utilities"]
    assert summarise([fresh], "USD").complete is True
