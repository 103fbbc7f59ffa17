"""The demo agency's ledger, generated: the same seed and anchor date always give the same records.

Every figure agrees with the ledger's rules: an invoice's ``paid`` is the sum of its allocations and
``credited`` of the credit applied to it, so ``balance = amount - paid - credited`` and its status follows;
a payment is its allocations plus what is unapplied plus what was refunded. Declined attempts leave no
allocation; a duplicate payment sits unapplied until it is refunded. Pending (ACH in flight) payments are
applied, as the posting transaction applies them.

The records are the ledger as it stands once the agency's systems have loaded theirs through the integration API
and the platform's history has happened (``seed_source`` tells the two apart). So loaded records are named as the
door names them: invoices, credit notes and sales orders get the ids the batch service derives from their numbers.
Their numbers are the agency's and unique in it; the seed picks the block they are drawn from
(``number_block``), so two seeds loaded into one table (the tests do) never name the same account or bill.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from arportal import clock
from arportal.adapters.dynamodb import entity_items
from arportal.domain.models import (
    Account,
    CreditNote,
    Customer,
    CustomerKind,
    Invoice,
    PostalAddress,
    SalesOrder,
    Schedule,
    ScheduleKind,
)
from arportal.domain.models import Department as DepartmentRecord
from arportal.domain.status import invoice_status_for
from local import seed_names as names
from local.seed_bills import BY_CODE, DEPARTMENTS, Bill, Order, bills, demo_citations, orders, with_late_penalty
from local.seed_payments import Payer, Portion, credit_note
from local.seed_payments import at as at_time
from local.seed_source import SourceBatch, invoice_id, is_loaded, order_id, source_records

DEMO_CUSTOMER_EMAIL = "customer@demo.local"
HISTORY_DAYS = 548  # eighteen months
BLOCKS = 100  # number blocks a seed may pick: seeds that differ modulo this never share a number
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def number_block(seed: int) -> int:
    """The seed's block of the agency's numbers: accounts ``PT-1BBnnn``, bills ``PT2604-BBnnnn``."""
    return seed % BLOCKS


class Ids:
    """ULIDs and references as ``arportal.domain.ids`` makes them, with the randomness from a seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    @staticmethod
    def _encode(value: int, length: int) -> str:
        return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(length)))

    def new(self, prefix: str, at: datetime) -> str:
        return f"{prefix}_{self._encode(int(at.timestamp() * 1000), 10)}{self._encode(self.rng.getrandbits(80), 16)}"

    def reference(self, prefix: str, at: datetime) -> str:
        return f"{prefix}-{at:%y%m}-{self._encode(self.rng.getrandbits(30), 6)}"

    def customer(self) -> str:
        return f"CUS-{self._encode(self.rng.getrandbits(40), 8)}"


@dataclass
class DemoData:
    records: list[entity_items.Record] = field(default_factory=list)
    pointers: list[dict[str, Any]] = field(default_factory=list)  # TXN# items
    demo_customer_id: str = ""

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for record in self.records:
            kind = entity_items.TYPE_OF[type(record)]
            found[kind] = found.get(kind, 0) + 1
        return {**found, "transaction": len(self.pointers)}

    def to_items(self) -> list[dict[str, Any]]:
        return [entity_items.to_item(r) for r in self.records] + self.pointers

    def source(self) -> SourceBatch:
        """What the agency's systems load through the integration API (documents aside: ``seed_documents``)."""
        return source_records(self.records)

    def platform_items(self) -> list[dict[str, Any]]:
        """The platform's own records, as items: departments, payments with their allocations and receipts,
        autopay and plans, transaction pointers. Not the loaded records nor the money applied to them."""
        return [item for r in self.records if not is_loaded(r) for item in entity_items.items_of(r)] + self.pointers

    def settled(self) -> list[Invoice | CreditNote]:
        """The loaded invoices and credit notes the history applied money to, with the figures it left."""
        return [r for r in self.records if isinstance(r, Invoice | CreditNote) and _has_money_applied(r)]


def _has_money_applied(record: Invoice | CreditNote) -> bool:
    if isinstance(record, Invoice):
        return bool(record.paid or record.credited)
    return bool(record.applications)


class Generator:
    def __init__(self, seed: int, *, today: date, customers: int, currency: str, demo_login_subject: str | None):
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.today, self.customers, self.currency = today, customers, currency
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.demo_login_subject = demo_login_subject
        self.data = DemoData()
        self.block = number_block(seed)
        self.account_seq = {d.code: d.first_account + self.block * 1_000 for d in DEPARTMENTS}
        self.bill_seq: dict[str, int] = {}  # per series: a department's invoices, credit notes, sales orders
        self.payer = Payer(self.rng, self.ids, today=today, currency=currency, out=self.data)

    def run(self) -> DemoData:
        self.data.records.extend(DepartmentRecord(code=d.code, name=d.name) for d in DEPARTMENTS)
        for index in range(self.customers):
            self._customer(demo=index == 0)
        return self.data

    def _customer(self, *, demo: bool) -> None:
        rng = self.rng
        business = not demo and rng.random() < 0.2
        customer = self._profile(business=business, demo=demo)
        self.data.records.append(customer)
        if demo:
            self.data.demo_customer_id = customer.customer_id
        self.payer.start_customer(customer, business=business)
        portions: list[Portion] = []
        for department in self._departments(business=business, demo=demo):
            account = self._account(customer, department, business=business)
            self.data.records.append(account)
            autopay = self._autopay(account) if department == "utilities" and not demo and rng.random() < 0.15 else None
            offset = 7 if demo else rng.randint(0, 60)
            if demo and department == "parking":
                account_bills = demo_citations(rng, self.today)
            else:
                account_bills = bills(
                    department, rng, start=self.start, today=self.today, business=business, utility_offset_days=offset
                )
            for bill in account_bills:
                portions.extend(self._invoice(customer, account, bill, autopay=autopay, demo=demo))
            for order in orders(department, rng, today=self.today, demo=demo):
                self.data.records.append(self._sales_order(account, order))
        self.payer.pay(customer, portions)
        if demo or rng.random() < 0.08:  # credit left on the account: an adjustment nobody has applied yet
            account = self._last_account()
            note = credit_note(rng, customer, account, self.today, currency=self.currency, numbers=self.number)
            self.data.records.append(note)

    def _profile(self, *, business: bool, demo: bool) -> Customer:
        rng = self.rng
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        if demo:
            name, email = "Jordan Rivera", DEMO_CUSTOMER_EMAIL
        elif business:
            suffix = rng.choice(names.BUSINESS_SUFFIXES)
            name = f"{rng.choice(names.BUSINESS_WORDS)} {rng.choice(names.BUSINESS_KINDS)} {suffix}".strip()
            email = f"billing@{name.split()[0].lower()}{rng.randint(1, 99)}.{rng.choice(names.EMAIL_DOMAINS)}"
        else:
            name = f"{first} {last}"
            handle = f"{first}.{last}".lower().replace("'", "")
            email = f"{handle}{rng.randint(1, 999)}@{rng.choice(names.EMAIL_DOMAINS)}"
        address = PostalAddress(
            line1=f"{rng.randint(100, 4999)} {rng.choice(names.STREETS)} {rng.choice(names.STREET_SUFFIXES)}",
            line2=f"Suite {rng.randint(100, 400)}" if business and rng.random() < 0.4 else None,
            city="Springfield",
            region="IL",
            postal_code=rng.choice(names.ZIP_CODES),
        )
        return Customer(
            customer_id=self.ids.customer(),
            kind=CustomerKind.BUSINESS if business else CustomerKind.INDIVIDUAL,
            name=name,
            email=email,
            phone=f"+1 217-555-01{rng.randint(0, 99):02d}",
            address=address,
            login_subject=self.demo_login_subject if demo else None,
            created_at=at_time(rng, self.start - timedelta(days=rng.randint(30, 3_000))),
        )

    def _departments(self, *, business: bool, demo: bool) -> list[str]:
        if demo:
            return ["property_tax", "utilities", "parking"]
        rng = self.rng
        chances = {"property_tax": 0.5, "utilities": 0.75, "permits": 0.6 if business else 0.15, "parking": 0.25}
        chosen = [code for code, chance in chances.items() if rng.random() < chance] or ["utilities"]
        return sorted(rng.sample(chosen, min(len(chosen), 3)), key=list(chances).index)

    def _account(self, customer: Customer, department: str, *, business: bool) -> Account:
        spec = BY_CODE[department]
        number = self.account_seq[department]
        self.account_seq[department] += 1
        return Account(
            account_number=f"{spec.prefix}-{number}",
            customer_id=customer.customer_id,
            department=department,
            description=spec.account_description + (" (commercial)" if business else ""),
            service_address=customer.address,
            opened_on=self.start - timedelta(days=self.rng.randint(10, 4_000)),
        )

    def _last_account(self) -> Account:
        return next(r for r in reversed(self.data.records) if isinstance(r, Account))

    def _autopay(self, account: Account) -> Schedule:
        schedule = Schedule(
            schedule_id=self.ids.new("sch", at_time(self.rng, self.start)),
            customer_id=account.customer_id,
            kind=ScheduleKind.AUTOPAY,
            account_number=account.account_number,
            payment_method_id=f"pm_sbx_{self.rng.getrandbits(40):010x}",
            currency=self.currency,
            days_before_due=self.rng.choice((0, 0, 3, 5)),
            created_at=at_time(self.rng, self.start - timedelta(days=self.rng.randint(1, 400))),
        )
        self.data.records.append(schedule)
        return schedule

    def _fate(self, bill: Bill, *, autopay: Schedule | None, demo: bool, latest: bool) -> str:
        """open | paid | late | partial | overdue | plan: what happened to this invoice."""
        yesterday = self.today - timedelta(days=1)
        if demo:
            if bill.due > self.today:
                return "open"
            return "overdue" if latest else "paid"
        if autopay is not None:
            return "paid" if bill.due - timedelta(days=autopay.days_before_due) <= yesterday else "open"
        roll = self.rng.random()
        if bill.due > self.today:
            return "open" if roll < 0.6 else "paid" if roll < 0.88 else "partial"
        if 40 <= (self.today - bill.due).days <= 200 and bill.lines[0].fee_code.startswith("PT_") and roll < 0.08:
            return "plan"
        return "paid" if roll < 0.84 else "late" if roll < 0.9 else "partial" if roll < 0.94 else "overdue"

    def _invoice(
        self, customer: Customer, account: Account, bill: Bill, *, autopay: Schedule | None, demo: bool
    ) -> list[Portion]:
        dept = BY_CODE[account.department]
        latest = (
            account.department in {"parking", "utilities"}
            and bill.due <= self.today
            and bill.due > self.today - timedelta(days=90)
        )
        fate = self._fate(bill, autopay=autopay, demo=demo, latest=latest)
        if demo and account.department == "utilities" and fate == "overdue":
            fate = "partial"
        if (
            account.department == "parking"
            and fate in {"late", "overdue"}
            and bill.due < self.today - timedelta(days=30)
        ):
            bill = with_late_penalty(bill)
        number = self.number(dept.prefix, bill.issue)
        amount = sum(line.amount for line in bill.lines)
        credited = 0
        if fate in {"paid", "late", "partial"} and self.rng.random() < 0.03:
            credited = max(100, amount * self.rng.randint(10, 25) // 100)
        draft = _Draft(invoice_id(number), number, customer.customer_id, account, bill, amount, credited)
        self.payer.drafts.append(draft)
        if credited:
            note = credit_note(
                self.rng, customer, account, self.today, currency=self.currency, numbers=self.number, applied_to=draft
            )
            self.data.records.append(note)
        return self.payer.portions_for(draft, fate, autopay=autopay)

    def number(self, series: str, day: date) -> str:
        """The next number of a series (``PT``, ``UT``, ... for bills, ``CN``, ``SO``): ``UT2604-420017``."""
        self.bill_seq[series] = self.bill_seq.get(series, 0) + 1
        return f"{series}{day:%y%m}-{self.block:02d}{self.bill_seq[series]:04d}"

    def _sales_order(self, account: Account, order: Order) -> SalesOrder:
        number = self.number("SO", order.day)
        return SalesOrder(
            order_id=order_id(number),
            number=number,
            customer_id=account.customer_id,
            account_number=account.account_number,
            department=account.department,
            order_date=order.day,
            currency=self.currency,
            lines=list(order.lines),
            total=sum(line.amount for line in order.lines),
        )


@dataclass
class _Draft:
    """An invoice whose ``paid`` is known only once its payments exist."""

    invoice_id: str
    invoice_number: str
    customer_id: str
    account: Account
    bill: Bill
    amount: int
    credited: int
    paid: int = 0

    @property
    def open_balance(self) -> int:
        return self.amount - self.credited - self.paid

    def build(self, currency: str) -> Invoice:
        balance = self.amount - self.paid - self.credited
        return Invoice(
            invoice_id=self.invoice_id,
            invoice_number=self.invoice_number,
            customer_id=self.customer_id,
            account_number=self.account.account_number,
            department=self.account.department,
            issue_date=self.bill.issue,
            due_date=self.bill.due,
            currency=currency,
            lines=list(self.bill.lines),
            amount=self.amount,
            paid=self.paid,
            credited=self.credited,
            balance=balance,
            status=invoice_status_for(self.amount, balance),
            period_start=self.bill.period_start,
            period_end=self.bill.period_end,
        )


def generate(
    seed: int = 42,
    *,
    today: date | None = None,
    customers: int = 300,
    currency: str = "USD",
    demo_login_subject: str | None = None,
) -> DemoData:
    """The demo agency as of ``today`` (default: the product clock's today). Customer 0 is the demo customer."""
    anchor = today or clock.today()
    generator = Generator(seed, today=anchor, customers=customers, currency=currency,
                          demo_login_subject=demo_login_subject)  # fmt: skip
    data = generator.run()
    data.records.extend(d.build(currency) for d in generator.payer.drafts)
    return data
