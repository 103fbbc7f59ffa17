"""The statement builder's ledger invariants, for random ledgers (domain/statement.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arportal.domain.allocation import allocate_oldest_first
from arportal.domain.approvals import StaffAction
from arportal.domain.credit import plan_credit_application
from arportal.domain.errors import BusinessRuleError
from arportal.domain.models import (
    Account,
    Allocation,
    Channel,
    CreditNote,
    Invoice,
    InvoiceLine,
    MethodDetail,
    Payment,
    PaymentMethodType,
    StatusChange,
)
from arportal.domain.posting import plan_posting
from arportal.domain.staff_actions import (
    AdjustmentKind,
    MoneyBack,
    check_money_back,
    plan_adjustment,
    plan_money_back,
    refundable,
)
from arportal.domain.statement import (
    EntryKind,
    LedgerEntry,
    Receivable,
    adjustment_entry,
    build_statement,
    debit_adjustment,
)
from arportal.domain.statement_reading import AdjustmentFacts, AllocationFacts, InvoiceFacts, StatementReading
from arportal.domain.status import PaymentStatus
from arportal.ports import PaymentState, ProcessorEvent
from arportal.services.payment_status import plan_status_change

DAY0 = date(2025, 1, 1)
KINDS = list(EntryKind)


@st.composite
def entries(draw: st.DrawFn) -> LedgerEntry:
    kind = draw(st.sampled_from(KINDS))
    bound = 10**9
    amount = draw(st.integers(-bound, bound) if kind is EntryKind.ADJUSTMENT else st.integers(0, bound))
    return LedgerEntry(
        on=DAY0 + timedelta(days=draw(st.integers(0, 400))),
        kind=kind,
        amount=amount,
        reference=draw(st.sampled_from(["A-1", "B-2", "C-3"])),
        description="x",
        source_id=draw(st.text("abcdef0123456789", min_size=1, max_size=6)),
        pending=draw(st.booleans()),
    )


ranges = st.tuples(st.integers(0, 400), st.integers(0, 400)).map(sorted)


@settings(max_examples=300, deadline=None)
@given(ledger=st.lists(entries(), max_size=80), bounds=ranges)
def test_closing_is_opening_plus_the_lines_and_every_running_balance_agrees(ledger, bounds):
    start, end = (DAY0 + timedelta(days=d) for d in bounds)
    statement = build_statement(ledger, customer_id="CUS-0001", currency="USD", start=start, end=end)

    # opening = everything before the range; closing = everything up to its end
    assert statement.opening == sum(e.effect for e in ledger if e.on < start)
    assert statement.closing == sum(e.effect for e in ledger if e.on <= end)
    # opening + invoices - payments - credits + refunds + reversals +/- adjustments = closing
    t = statement.totals
    assert statement.closing == (
        statement.opening + t.invoiced - t.paid - t.credited + t.refunded + t.reversed + t.adjusted
    )
    # each line moves the balance by its own effect; the last line lands on the closing balance
    balance = statement.opening
    lines = list(statement.lines())
    for line in lines:
        balance += line.entry.effect
        assert line.balance == balance
        assert start <= line.entry.on <= end
    assert balance == statement.closing
    # every entry in the range appears once, in date order
    assert sorted(id(e) for e in statement.entries) == sorted(id(e) for e in ledger if start <= e.on <= end)
    assert [line.entry.on for line in lines] == sorted(line.entry.on for line in lines)


@settings(max_examples=100, deadline=None)
@given(ledger=st.lists(entries(), max_size=40), bounds=ranges, seed=st.randoms())
def test_the_order_entries_arrive_in_does_not_change_the_statement(ledger, bounds, seed):
    start, end = (DAY0 + timedelta(days=d) for d in bounds)
    shuffled = list(ledger)
    seed.shuffle(shuffled)
    one = build_statement(ledger, customer_id="C", currency="USD", start=start, end=end)
    two = build_statement(shuffled, customer_id="C", currency="USD", start=start, end=end)
    assert [(line.entry.sort_key(), line.balance) for line in one.lines()] == [
        (line.entry.sort_key(), line.balance) for line in two.lines()
    ]
    assert (one.opening, one.closing, one.totals) == (two.opening, two.closing, two.totals)


@settings(max_examples=200, deadline=None)
@given(
    owed=st.lists(st.tuples(st.integers(1, 10**7), st.integers(-200, 200)), max_size=30),
    credits=st.lists(st.integers(1, 10**6), max_size=5),
)
def test_aging_buckets_add_up_to_what_is_owed(owed, credits):
    as_of = DAY0 + timedelta(days=300)
    receivables = [Receivable(a, as_of - timedelta(days=late)) for a, late in owed] + [Receivable(-c) for c in credits]
    aging = build_statement(receivables, customer_id="C", currency="USD", start=DAY0, end=as_of).aging
    assert aging.total_due == sum(a for a, _ in owed)
    assert aging.credit == sum(credits)
    assert sum(amount for _, amount in aging.buckets()) == aging.total_due
    assert aging.current == sum(a for a, late in owed if late <= 0)
    assert aging.days_over_90 == sum(a for a, late in owed if late > 90)


# --- every movement of a ledger, from its invoices' point of view ----------------------------------------------


@st.composite
def ledger_histories(draw: st.DrawFn):
    """Random ledgers driven through the movements staff and customers make, with what each invoice owes after."""
    count = draw(st.integers(1, 4))
    issued = [draw(st.integers(1, 50_000)) for _ in range(count)]
    balances = list(issued)
    debits = [0] * count
    credit = 0
    entries: list[LedgerEntry] = []
    day = 0
    for _ in range(draw(st.integers(0, 25))):
        day += draw(st.integers(0, 5))
        on = DAY0 + timedelta(days=day)
        i = draw(st.integers(0, count - 1))
        move = draw(st.sampled_from(["pay", "debit", "lower", "write_off", "credit_note", "apply", "refund"]))
        amount = draw(st.integers(1, 20_000))
        if move == "pay" and balances[i]:
            paid = min(amount, balances[i])
            balances[i] -= paid
            entries.append(LedgerEntry(on, EntryKind.PAYMENT, paid, "R-1", "payment", f"p{len(entries)}"))
        elif move == "refund" and balances[i] < issued[i] + debits[i]:
            back = min(amount, issued[i] + debits[i] - balances[i])  # a refund reopens what was paid
            balances[i] += back
            entries.append(LedgerEntry(on, EntryKind.REFUND, back, "R-1", "refund", f"r{len(entries)}"))
        elif move == "debit":
            balances[i] += amount
            debits[i] += debit_adjustment("adjustment", amount)
            entries.append(
                adjustment_entry(
                    adjustment_id=f"a{len(entries)}",
                    kind="adjustment",
                    amount=amount,
                    on=on,
                    invoice_number=f"INV-{i}",
                    account_number=None,
                )
            )
        elif move in {"lower", "write_off"} and balances[i]:
            lowered = min(amount, balances[i])
            balances[i] -= lowered
            signed = -lowered if move == "lower" else lowered
            entries.append(
                adjustment_entry(
                    adjustment_id=f"a{len(entries)}",
                    kind=move if move == "write_off" else "adjustment",
                    amount=signed,
                    on=on,
                    invoice_number=f"INV-{i}",
                    account_number=None,
                )
            )
        elif move == "credit_note":
            credit += amount
            entries.append(LedgerEntry(on, EntryKind.CREDIT, amount, "CN-1", "credit", f"c{len(entries)}"))
        elif move == "apply" and credit and balances[i]:
            applied = min(credit, balances[i])
            credit -= applied
            balances[i] -= applied
            entries.append(LedgerEntry(on, EntryKind.CREDIT_APPLIED, applied, "CN-1", "applied", f"x{len(entries)}"))
    # Each invoice's own line is the amount it was issued for: what is stored now, less its debit adjustments.
    for i, amount in enumerate(issued):
        stored = amount + debits[i]
        entries.append(LedgerEntry(DAY0, EntryKind.INVOICE, stored - debits[i], f"INV-{i}", "invoice", f"i{i}"))
    return entries, balances, credit, day


@settings(max_examples=300, deadline=None)
@given(history=ledger_histories(), cut=st.integers(0, 130))
def test_the_statement_agrees_with_what_the_invoices_owe_less_the_credit_held(history, cut):
    entries, balances, credit, last_day = history
    end = DAY0 + timedelta(days=last_day)
    whole = build_statement(entries, customer_id="C", currency="USD", start=DAY0, end=end)
    # Then the closing balance is what the invoices still owe less the credit the customer holds
    assert whole.closing == sum(balances) - credit
    # And a credit application moves nothing, while every other movement is a line with its own sign
    assert all(line.entry.effect == 0 for line in whole.lines() if line.entry.kind is EntryKind.CREDIT_APPLIED)
    assert whole.totals.applied_credit == sum(e.amount for e in entries if e.kind is EntryKind.CREDIT_APPLIED)
    # And any later start still gives opening + lines = the same closing
    start = DAY0 + timedelta(days=min(cut, last_day))
    part = build_statement(entries, customer_id="C", currency="USD", start=start, end=end)
    assert part.opening + sum(line.entry.effect for line in part.lines()) == part.closing == whole.closing


# --- a statement ending before later refunds, voids and reversals ----------------------------------------------
#
# A ledger is driven through the product's own planning functions (allocation, posting, credit application,
# refunds, voids and reversals, adjustments, a pending bank payment that fails), day by day, keeping what each
# invoice owed and the credit held at the end of every day. A statement is then read from the ledger as it stands
# at the end, exactly as the adapter feeds ``StatementReading``, for any end day and for the whole customer or one
# account.

CID = "CUS-0PROP1"
ACCOUNTS = (("UT-200001", "utilities"), ("PK-400001", "parking"))
SIM_DAY0 = date(2025, 1, 1)


@dataclass
class _Ledger:
    invoices: dict[str, Invoice] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    allocations: list[Allocation] = field(default_factory=list)
    notes: dict[str, CreditNote] = field(default_factory=dict)
    adjustments: list[AdjustmentFacts] = field(default_factory=list)
    # per day: (what each invoice owed, credit held, per account), at the end of the day
    days: dict[date, tuple[dict[str, int], dict[str, int]]] = field(default_factory=dict)
    # payments that straddle a day: made by then, voided or failed later (they "never happened" for the statement)
    undone: dict[str, datetime] = field(default_factory=dict)  # payment id -> when it was voided or failed
    shortfall_days: list[date] = field(default_factory=list)  # money back that could not take back spent credit

    def snapshot(self, day: date) -> None:
        credit = {number: 0 for number, _ in ACCOUNTS}
        for note in self.notes.values():
            credit[note.account_number] += note.remaining
        self.days[day] = ({i: inv.balance for i, inv in self.invoices.items()}, credit)

    def hold_of(self, payment_id: str) -> CreditNote | None:
        return self.notes.get(f"cn_{payment_id}")

    def apply_money_back(self, back: MoneyBack, payment_id: str) -> None:
        self.payments[payment_id] = back.after
        for change in back.invoice_changes:
            self.invoices[change.after.invoice_id] = change.after
        if back.credit_before is not None:
            if back.credit_after is None:
                del self.notes[back.credit_before.credit_note_id]
            else:
                self.notes[back.credit_after.credit_note_id] = back.credit_after


def _simulate(draw: st.DrawFn) -> tuple[_Ledger, date]:
    ledger = _Ledger()
    for k in range(draw(st.integers(1, 4))):
        number, department = ACCOUNTS[draw(st.integers(0, 1))]
        amount = draw(st.integers(1, 30_000))
        due = SIM_DAY0 + timedelta(days=draw(st.integers(-120, 40)))
        invoice = Invoice(
            invoice_id=f"inv_{k:02d}",
            invoice_number=f"INV-{k:02d}",
            customer_id=CID,
            account_number=number,
            department=department,
            issue_date=min(SIM_DAY0, due),
            due_date=due,
            currency="USD",
            lines=[InvoiceLine(description="Usage", fee_code="WATER", unit_amount=amount, amount=amount)],
            amount=amount,
            balance=amount,
        )
        ledger.invoices[invoice.invoice_id] = invoice
    day = 0
    ledger.snapshot(SIM_DAY0)
    moves = ["pay", "pay", "pay_ach", "refund", "refund", "void", "reverse", "settle", "fail", "apply", "note"]
    moves += ["debit", "lower", "write_off"]
    for step in range(draw(st.integers(0, 18))):
        gap = draw(st.integers(0, 3))
        for skipped in range(1, gap + 1):
            ledger.snapshot(SIM_DAY0 + timedelta(days=day + skipped))
        day += gap
        now = datetime.combine(SIM_DAY0 + timedelta(days=day), time(8), tzinfo=UTC) + timedelta(minutes=step)
        move = draw(st.sampled_from(moves))
        amount = draw(st.integers(1, 25_000))
        _move(draw, ledger, move, amount, now)
        ledger.snapshot(now.date())
    return ledger, SIM_DAY0 + timedelta(days=day)


def _move(draw: st.DrawFn, ledger: _Ledger, move: str, amount: int, now: datetime) -> None:  # noqa: PLR0912
    standing = [p for p in ledger.payments.values() if p.status.value not in {"failed", "voided"}]
    if move in {"pay", "pay_ach"}:
        pid = f"pay_{len(ledger.payments):026d}"
        status = PaymentStatus.PENDING if move == "pay_ach" else PaymentStatus.POSTED
        plan = allocate_oldest_first(amount, "USD", list(ledger.invoices.values()))
        payment = Payment(
            payment_id=pid,
            customer_id=CID,
            amount=amount,
            currency="USD",
            method=MethodDetail(type=PaymentMethodType.ACH if move == "pay_ach" else PaymentMethodType.CARD),
            channel=Channel.PORTAL,
            status=status,
            history=[StatusChange(status=status, at=now, by="customer")],
            processor="sandbox",
            transaction_id=f"txn_{pid}",
            unapplied=plan.unapplied,
            created_at=now,
        )
        number, department = ACCOUNTS[0]
        account = Account(
            account_number=number, customer_id=CID, department=department, description="x", opened_on=SIM_DAY0
        )
        posting = plan_posting(
            payment, plan, now=now, credit_note_id=f"cn_{pid}", receipt_number=None, credit_account=account
        )
        ledger.payments[pid] = payment
        ledger.allocations.extend(posting.allocations)
        for change in posting.invoice_changes:
            ledger.invoices[change.after.invoice_id] = change.after
        if posting.credit is not None:
            ledger.notes[posting.credit.credit_note_id] = posting.credit
    elif move in {"refund", "void", "reverse"} and standing:
        payment = draw(st.sampled_from(standing))
        action = {"refund": StaffAction.REFUND, "void": StaffAction.VOID, "reverse": StaffAction.REVERSAL}
        try:
            moved = check_money_back(action[move], payment, min(amount, max(refundable(payment), 1)))
        except BusinessRuleError:
            return
        back = plan_money_back(
            action[move],
            payment,
            amount=moved,
            allocations=[a for a in ledger.allocations if a.payment_id == payment.payment_id],
            invoices=list(ledger.invoices.values()),
            credit=ledger.hold_of(payment.payment_id),
            actor="staff",
            note="x",
            now=now,
        )
        ledger.apply_money_back(back, payment.payment_id)
        if move == "void":
            ledger.undone[payment.payment_id] = now
        if back.shortfall:
            ledger.shortfall_days.append(now.date())
    elif move == "settle":
        for payment in standing:
            if payment.status is PaymentStatus.POSTED:
                history = [*payment.history, StatusChange(status=PaymentStatus.SETTLED, at=now, by="settlement")]
                ledger.payments[payment.payment_id] = payment.model_copy(
                    update={"status": PaymentStatus.SETTLED, "history": history}
                )
    elif move == "fail":
        pending = [p for p in standing if p.status is PaymentStatus.PENDING]
        if not pending:
            return
        payment = draw(st.sampled_from(pending))
        state = PaymentState(
            payment,
            [a for a in ledger.allocations if a.payment_id == payment.payment_id],
            list(ledger.invoices.values()),
            ledger.hold_of(payment.payment_id),
        )
        event = ProcessorEvent("evt", "charge.failed", payment.transaction_id or "", now, code="insufficient_funds")
        planned = plan_status_change(state, event, processor="sandbox", now=now)
        assert not isinstance(planned, str)
        change, shortfall = planned
        ledger.payments[payment.payment_id] = change.after
        for invoice_change in change.invoice_changes:
            ledger.invoices[invoice_change.after.invoice_id] = invoice_change.after
        if change.credit_before is not None:
            if change.credit_after is None:
                del ledger.notes[change.credit_before.credit_note_id]
            else:
                ledger.notes[change.credit_after.credit_note_id] = change.credit_after
        ledger.undone[payment.payment_id] = now
        if shortfall:
            ledger.shortfall_days.append(now.date())
    elif move == "apply":
        try:
            credit = plan_credit_application(
                list(ledger.notes.values()), list(ledger.invoices.values()), currency="USD", now=now
            )
        except BusinessRuleError:
            return
        for source in credit.source_changes:
            ledger.notes[source.after.credit_note_id] = source.after
        for invoice_change in credit.invoice_changes:
            ledger.invoices[invoice_change.after.invoice_id] = invoice_change.after
    elif move == "note":
        number, department = ACCOUNTS[draw(st.integers(0, 1))]
        # Numbered by the agency notes issued so far, not by len(notes): a refund deletes a payment's hold, and a
        # number counted from what is left could reuse an earlier note's id and silently replace that note.
        k = sum(1 for note_id in ledger.notes if note_id.startswith("cn_agency_"))
        ledger.notes[f"cn_agency_{k}"] = CreditNote(
            credit_note_id=f"cn_agency_{k}",
            number=f"CN-{k:03d}",
            customer_id=CID,
            account_number=number,
            department=department,
            currency="USD",
            amount=amount,
            remaining=amount,
            reason="Billing correction",
            issued_on=now.date(),
        )
    elif move in {"debit", "lower", "write_off"}:
        invoice = draw(st.sampled_from(sorted(ledger.invoices.values(), key=lambda i: i.invoice_id)))
        kind = AdjustmentKind.WRITE_OFF if move == "write_off" else AdjustmentKind.ADJUSTMENT
        signed = -amount if move == "lower" else amount
        if move != "debit":
            signed = (1 if move == "write_off" else -1) * min(amount, invoice.balance)
            if signed == 0:
                return
        change = plan_adjustment(invoice, kind, signed, description="x")
        ledger.invoices[invoice.invoice_id] = change.after
        ledger.adjustments.append(
            AdjustmentFacts(f"adj_{len(ledger.adjustments)}", invoice.invoice_id, kind.value, signed, now.date())
        )


def _read(ledger: _Ledger, *, until: date, today: date, account: str | None) -> list[LedgerEntry | Receivable]:
    """What ``adapters/dynamodb/history.py`` reads and feeds, in its order and with its filters."""
    reading = StatementReading(until=until, account_number=account)
    past = until < today
    out: list[LedgerEntry | Receivable] = []
    if account is not None or past:
        for a in ledger.allocations:
            reading.allocation(
                AllocationFacts(a.payment_id, a.invoice_id, a.account_number, a.amount, a.applied_at.date())
            )
    for adjustment in ledger.adjustments:
        reading.adjustment(adjustment)
    for note in ledger.notes.values():
        if (past or note.issued_on <= until) and account in {None, note.account_number}:
            out.extend(reading.credit_note(note))
    for payment in ledger.payments.values():
        if past or payment.created_at.date() <= until:
            if payment.status.value in {"failed", "voided"}:
                reading.payment_without_money(payment.payment_id)
            else:
                out.extend(reading.payment(payment))
    out.extend(reading.payments_done())
    for invoice in ledger.invoices.values():
        if account in {None, invoice.account_number}:
            facts = InvoiceFacts(
                invoice.invoice_id,
                invoice.invoice_number,
                invoice.account_number,
                invoice.department,
                invoice.issue_date,
                invoice.due_date,
                invoice.amount,
                invoice.balance,
                invoice.voided,
            )
            out.extend(reading.invoice(facts))
    out.extend(reading.finish())
    return out


@st.composite
def simulated(draw: st.DrawFn) -> tuple[_Ledger, date, date, str | None]:
    ledger, today = _simulate(draw)
    until = SIM_DAY0 + timedelta(days=draw(st.integers(0, (today - SIM_DAY0).days)))
    account = draw(st.sampled_from([None, None, ACCOUNTS[0][0], ACCOUNTS[1][0]]))
    return ledger, today, until, account


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=simulated())
def test_the_aging_at_the_end_explains_the_closing_balance_whatever_happened_since(case):
    ledger, today, until, account = case
    records = _read(ledger, until=until, today=today, account=account)
    start = SIM_DAY0 - timedelta(days=200)  # before every invoice's issue date
    statement = build_statement(
        records, customer_id=CID, currency="USD", start=start, end=until, account_number=account
    )
    aging = statement.aging
    # The aging's total is the closing balance plus the credit held, as the statement defines them
    assert aging.total_due == statement.closing + aging.credit
    assert sum(amount for _, amount in aging.buckets()) == aging.total_due

    # And, for the whole customer, it is what was owed on that day: each invoice's balance and the credit then
    # (a payment voided or failed later never happened; credit a refund could not take back is owed again)
    straddled = any(ledger.payments[pid].created_at.date() <= until < at.date() for pid, at in ledger.undone.items())
    if account is None and not straddled and not any(day <= until for day in ledger.shortfall_days):
        owed, credit = ledger.days[until]
        expected = {ledger.invoices[i].invoice_number: balance for i, balance in owed.items() if balance}
        assert {r.reference: r.amount for r in records if isinstance(r, Receivable) and r.due_date} == expected
        assert aging.credit == sum(credit.values())
        assert statement.closing == sum(owed.values()) - sum(credit.values())
