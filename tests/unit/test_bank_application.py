"""The rules of applying bank lines, with in-memory fakes: how one line's money is divided into payments, what the
unmatched queue refuses, that a decision is taken once (and a claimed decision a crash left unapplied is completed),
and the return-rate monitor's counts and alarm."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from arportal.domain.bank_matches import Allocation, Candidate, LineMatch, MatchOutcome, MatchTarget
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.errors import BusinessRuleError, NotFoundError
from arportal.domain.models import AuditEvent
from arportal.ports import BankLinePage, BankLineRecord, DayReturns, DayTotals, RecordedReturn
from arportal.ports.bank_files import StoredLine
from arportal.services import bank_lines, return_rates
from arportal.services.bank_application import Applied, AppliedLine, payments_of
from arportal.services.bank_lines import Decision, LineDecidedError, line_id, line_key_of_id

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)
A, B = "CUS-AAAA1", "CUS-BBBB2"


def candidate(*allocations: tuple[str, str, int], customer: str | None = None) -> Candidate:
    return Candidate(
        MatchTarget.INVOICES, 90, ("test",), customer_id=customer,
        allocations=tuple(Allocation(invoice, cust, amount) for cust, invoice, amount in allocations),
    )  # fmt: skip


class TestPaymentsOfALine:
    def test_one_customer_is_one_payment_keyed_by_the_line_with_the_rest_as_its_credit(self):
        [(key, customer, amount, invoices)] = payments_of(candidate((A, "inv_1", 3_000)), "L1", 3_500)
        assert (key, customer, amount, invoices) == ("L1", A, 3_500, (("inv_1", 3_000),))

    def test_a_combined_payment_for_two_customers_is_two_payments_the_rest_with_the_holder(self):
        parts = payments_of(candidate((A, "inv_1", 1_000), (B, "inv_2", 2_000)), "L1", 3_100, credit_customer=B)
        assert parts == [
            ("L1#CUS-AAAA1", A, 1_000, (("inv_1", 1_000),)),
            ("L1#CUS-BBBB2", B, 2_100, (("inv_2", 2_000),)),
        ]
        assert sum(p[2] for p in parts) == 3_100  # every cent of the line, once

    def test_allocations_over_the_line_within_tolerance_pay_the_last_invoice_less(self):
        [(_, _, amount, invoices)] = payments_of(candidate((A, "inv_1", 600), (A, "inv_2", 500)), "L1", 1_000)
        assert (amount, invoices) == (1_000, (("inv_1", 600), ("inv_2", 400)))

    def test_account_credit_is_one_payment_of_no_invoice(self):
        credit = Candidate(MatchTarget.ACCOUNT_CREDIT, 95, ("reference",), customer_id=A)
        assert payments_of(credit, "L1", 700) == [("L1", A, 700, ())]

    def test_money_nobody_can_hold_is_refused(self):
        with pytest.raises(BusinessRuleError):
            payments_of(Candidate(MatchTarget.ACCOUNT_CREDIT, 95, ()), "L1", 700)


def test_a_line_id_is_url_safe_and_gives_back_its_key():
    key = "4400123456:FT24 0012/A+x 4111111111111111"
    assert line_key_of_id(line_id(key)) == key
    assert line_id(key).isalnum() and not any(ch in "0189" for ch in line_id(key))
    with pytest.raises(NotFoundError):
        line_key_of_id("xx" + line_id(key))


# --- the queue ---------------------------------------------------------------------------------------------


def bank_line(amount: int = 5_000, payer: str | None = "ACME") -> BankLine:
    return BankLine(
        "4400123456:R1", date(2026, 3, 2), None, amount, "USD", LineKind.ACH_CREDIT, "165", payer_name=payer
    )


class FakeQueue:
    def __init__(self, record: BankLineRecord) -> None:
        self.record = record
        self.audits: list[AuditEvent] = []
        self.applied: list[Mapping[str, Any]] = []

    def lines(self, status: str, *, limit: int, cursor: str | None) -> BankLinePage:
        return BankLinePage([self.record] if self.record.stored.status == status else [], None)

    def line(self, line_key: str) -> BankLineRecord | None:
        return self.record if line_key == self.record.line_key else None

    def decide(self, line_key: str, *, decision: Mapping[str, Any], applied: Any, audit: AuditEvent) -> bool:
        if self.record.decision is not None:
            return False
        self.record = BankLineRecord(replace(self.record.stored, status="decided"), dict(decision))
        self.audits.append(audit)
        return True

    def record_applied(self, line_key: str, applied: Mapping[str, Any], *, at: datetime) -> None:
        self.applied.append(applied)
        self.record = BankLineRecord(replace(self.record.stored, applied=dict(applied)), self.record.decision)


class FakeAliases:
    def __init__(self) -> None:
        self.learned: list[tuple[str, str]] = []

    def learn(self, name: str, customer_id: str, *, at: datetime) -> None:
        self.learned.append((name, customer_id))

    def aliases(self) -> dict[str, tuple[str, ...]]:
        return {}


@pytest.fixture
def queue_world(monkeypatch: pytest.MonkeyPatch):
    line = bank_line()
    suggestion = candidate((A, "inv_1", 5_000), customer=A)
    match = LineMatch(line.line_key, MatchOutcome.SUGGESTED, suggestion, (suggestion,))
    queue = FakeQueue(BankLineRecord(StoredLine(line, "bf_1", "operating", "suggested", match)))
    aliases = FakeAliases()
    calls: list[tuple[Candidate, str | None]] = []

    def fake_apply(c: Candidate, applied_line: BankLine, **kw: Any) -> AppliedLine:
        calls.append((c, kw.get("credit_customer")))
        return AppliedLine(applied_line.line_key, c.target, Applied.APPLIED, payment_ids=("pay_1",))

    monkeypatch.setattr(bank_lines, "apply_candidate", fake_apply)
    account = type("Account", (), {"account_id": "operating"})()
    services = bank_lines.BankLineServices(queue, aliases, object(), (account,))  # type: ignore[arg-type]
    return queue, aliases, calls, services


class TestDecisions:
    def test_a_confirmed_suggestion_is_applied_audited_and_teaches_the_name(self, queue_world):
        queue, aliases, calls, services = queue_world
        record, applied = bank_lines.decide(
            "4400123456:R1", Decision("confirm", candidate=1), actor="staff:u1", services=services, now=NOW
        )
        assert record.stored.status == "decided" and applied is not None and applied.payment_ids == ("pay_1",)
        assert [c.allocations for c, _ in calls] == [(Allocation("inv_1", A, 5_000),)]
        (audit,) = queue.audits
        assert (audit.action, audit.actor, audit.entity_type) == ("bank_line.confirm", "staff:u1", "bank_line")
        assert aliases.learned == [("ACME", A)]

    def test_a_second_decision_is_refused_with_the_first_and_applies_nothing(self, queue_world):
        queue, _, calls, services = queue_world
        bank_lines.decide("4400123456:R1", Decision("confirm", candidate=1), actor="u1", services=services, now=NOW)
        with pytest.raises(LineDecidedError) as refused:
            bank_lines.decide(
                "4400123456:R1", Decision("credit", customer_id=B), actor="u2", services=services, now=NOW
            )
        assert refused.value.details["decision"]["action"] == "confirm"
        assert len(calls) == 1 and len(queue.audits) == 1

    def test_a_claimed_decision_a_crash_left_unapplied_is_completed_by_the_next_request(self, queue_world):
        queue, _, calls, services = queue_world
        queue.record = BankLineRecord(replace(queue.record.stored, status="decided"), {"action": "credit",
                                      "customer_id": B, "by": "u1"})  # fmt: skip
        with pytest.raises(LineDecidedError):
            bank_lines.decide("4400123456:R1", Decision("ignore", note="x"), actor="u2", services=services, now=NOW)
        assert [(c.target, c.customer_id) for c, _ in calls] == [(MatchTarget.ACCOUNT_CREDIT, B)]
        assert queue.record.stored.applied is not None

    @pytest.mark.parametrize(
        "decision",
        [
            Decision("confirm", candidate=2),  # only one suggestion
            Decision("split", allocations=(Allocation("inv_1", A, 6_000),)),  # more than the line
            Decision("split", allocations=(Allocation("inv_1", A, 4_000),)),  # a rest and nobody to hold it
            Decision("credit"),
        ],
    )
    def test_a_bad_decision_is_refused_before_anything_is_claimed(self, queue_world, decision):
        queue, _, calls, services = queue_world
        with pytest.raises(BusinessRuleError):
            bank_lines.decide("4400123456:R1", decision, actor="u1", services=services, now=NOW)
        assert queue.record.decision is None and calls == [] and queue.audits == []

    def test_ignore_applies_nothing_and_learns_nothing(self, queue_world):
        queue, aliases, calls, services = queue_world
        _, applied = bank_lines.decide(
            "4400123456:R1", Decision("ignore", note="own transfer"), actor="u1", services=services, now=NOW
        )
        assert applied is None and calls == [] and aliases.learned == []
        assert queue.applied == [{"outcome": "ignored", "note": "own transfer"}]

    def test_split_names_the_holder_of_the_rest(self, queue_world):
        _, aliases, calls, services = queue_world
        split = Decision("split", allocations=(Allocation("inv_1", A, 4_000),), customer_id=B)
        bank_lines.decide("4400123456:R1", split, actor="u1", services=services, now=NOW)
        assert calls[0][1] == B and aliases.learned == [("ACME", A), ("ACME", B)]


# --- the return-rate monitor ---------------------------------------------------------------------------------


class FakeCounts:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.by_day: dict[date, dict[str, int]] = {}

    def record(self, returned: RecordedReturn, *, at: datetime) -> bool:
        if returned.line_key in self.seen:
            return False
        self.seen.add(returned.line_key)
        day = self.by_day.setdefault(returned.returned_on, {})
        day[returned.code] = day.get(returned.code, 0) + 1
        return True

    def days(self, start: date, end: date) -> list[DayReturns]:
        return [DayReturns(d, dict(c)) for d, c in sorted(self.by_day.items()) if start <= d <= end]


class FakeTotals:
    def __init__(self, days: list[DayTotals]) -> None:
        self._days = days

    def days(self, currency: str, start: date, end: date) -> list[DayTotals]:
        return [d for d in self._days if start <= d.day <= end]


class FakeAlerts:
    def __init__(self) -> None:
        self.raised: list[tuple[str, float]] = []

    def warning(self, category: str, percent: float) -> None:
        self.raised.append((category, percent))


def test_debits_are_the_ach_tries_of_every_channel_only():
    day = DayTotals(date(2026, 3, 1), {"m.portal.ach.attempted": 3, "m.autopay.ach.attempted": 2,
                                       "m.portal.card.attempted": 50, "m.portal.ach.failed": 1}, [])  # fmt: skip
    assert return_rates.debits_by_day([day]) == {date(2026, 3, 1): 5}


def test_a_return_counts_once_and_an_unauthorized_rate_near_its_limit_raises_the_alarm():
    counts, alerts = FakeCounts(), FakeAlerts()
    totals = FakeTotals([DayTotals(date(2026, 2, 1), {"m.portal.ach.attempted": 250}, [])])

    def one(key: str, code: str):
        returned = RecordedReturn(key, NOW.date(), code, "pay_1", 100, representable=False)
        return return_rates.record_return(returned, counts=counts, totals=totals, alerts=alerts, currency="USD", at=NOW)

    rates = one("L1", "R01")  # 1 / 250 = 0.4 % overall: fine; nothing unauthorized
    assert rates is not None and rates.status.value == "ok" and alerts.raised == []
    assert one("L1", "R01") is None  # the same line in another file
    rates = one("L2", "R10")  # 1 / 250 = 0.4 % unauthorized: 80 % of the 0.5 % limit
    assert rates is not None
    assert {c.value: r.returns for c, r in rates.rates.items()} == {
        "unauthorized": 1,
        "administrative": 0,
        "overall": 2,
    }
    assert alerts.raised == [("unauthorized", 0.4)]


# --- the new methods where the rest of the platform switches on them ----------------------------------------


def test_money_from_the_bank_never_carries_a_convenience_fee():
    from arportal.domain.fees import FeeRule, FeeSchedule
    from arportal.domain.models import PaymentMethodType as M

    schedule = FeeSchedule(rules={M.WIRE: FeeRule(fixed=150), M.ACH: FeeRule(fixed=150)})
    assert (schedule.fee_for(M.WIRE, 10_000), schedule.fee_for(M.ACH, 10_000)) == (0, 150)


def test_the_receipt_says_how_the_money_arrived():
    from arportal.adapters.pdf.receipt import method_label
    from arportal.domain.models import Channel, MethodDetail, PaymentMethodType
    from arportal.services.payment_notices import receipt_email
    from tests import builders as b

    card = b.payment("CUS-AAAA1")
    wire = card.model_copy(
        update={"method": MethodDetail(type=PaymentMethodType.WIRE), "channel": Channel.BANK, "processor": "bank"}
    )
    text = receipt_email(wire, b.receipt(wire, "R-1"), "Springfield", "Pat", None).text
    assert "received your payment by wire." in text
    assert "received your payment." in receipt_email(card, b.receipt(card, "R-2"), "Springfield", "Pat", None).text
    assert method_label(wire) == "Wire transfer"


def test_the_chart_of_accounts_needs_a_clearing_account_for_each_bank_method():
    from arportal.domain.chart_of_accounts import ChartOfAccounts, Role
    from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS

    chart = ChartOfAccounts.model_validate(DEMO_CHART_OF_ACCOUNTS)
    assert chart.account_for(Role.CLEARING, method="wire").account == "1017"
    assert chart.account_for(Role.CLEARING, method="ach_credit").account == "1018"
    without = {**DEMO_CHART_OF_ACCOUNTS, "clearing": {"fund": "100", "accounts": {"cash": "1011", "cheque": "1012",
               "card": "1013", "debit": "1014", "wallet": "1015", "ach": "1016"}}}  # fmt: skip
    with pytest.raises(ValueError, match="wire"):
        ChartOfAccounts.model_validate(without)


def test_the_trail_of_a_payment_from_a_bank_file_ends_at_its_bank_line():
    from arportal.domain.models import Channel, MethodDetail, PaymentMethodType
    from arportal.domain.payment_trail import StageName, TrailFacts, payment_trail
    from tests import builders as b

    wire = b.payment("CUS-AAAA1", transaction_id="4400123456:FT1").model_copy(
        update={"method": MethodDetail(type=PaymentMethodType.WIRE), "channel": Channel.BANK, "processor": "bank"}
    )
    trail = payment_trail(TrailFacts(payment=wire, allocations=[], audit=[]))
    bank = trail.stage(StageName.BANK_LINE)
    assert (bank.status.value, bank.references) == ("done", (("bank_line", "4400123456:FT1"),))
    assert {trail.stage(s).status.value for s in (StageName.SETTLED, StageName.PAID_OUT, StageName.DEPOSITED)} == {
        "not_applicable"
    }
