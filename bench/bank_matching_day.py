"""The generated realistic day of ``bench/bank_matching.py``: the book (customers, open invoices, expected
deposits, returnable debits), the bank lines, and the truth of each line (what it really is), from one seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from arportal.domain.bank_matches import ExpectedDeposit, KnownPayer, MatchBook, OpenInvoice, ReturnableDebit
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.domain.banking_days import add_banking_days
from arportal.domain.remittance_reference import formatted, reference_for

LINES, INVOICES, CUSTOMERS, DEPOSITS, DEBITS = 10_000, 100_000, 20_000, 300, 1_000
DAY = date(2031, 3, 12)  # a Wednesday
FIRST = [
    "James",
    "Maria",
    "Robert",
    "Lan",
    "Ahmed",
    "Olga",
    "Chen",
    "Priya",
    "David",
    "Fatima",
    "Luis",
    "Grace",
    "Kwame",
    "Sofia",
    "Ivan",
    "Aiko",
    "Omar",
    "Elena",
    "Noah",
    "Zara",
    "Liam",
    "Mei",
    "Tomas",
    "Nadia",
]
LAST = [
    "Rivera",
    "Okafor",
    "Nguyen",
    "Smith",
    "Kowalski",
    "Haddad",
    "Johansson",
    "Garcia",
    "Patel",
    "Kim",
    "Müller",
    "Rossi",
    "Novak",
    "Silva",
    "Tanaka",
    "Dubois",
    "Mensah",
    "Ivanova",
    "Cohen",
    "Larsen",
    "Fernandes",
    "Schmidt",
    "Yilmaz",
    "Moreau",
    "Brennan",
    "Castillo",
    "Sato",
    "Petrov",
    "Owusu",
    "Hughes",
]
SYLLABLES = ["ka", "lo", "ven", "dra", "mi", "sor", "tel", "an", "ber", "gu", "ris", "ton", "val", "ne", "jo", "hal"]
TRADES = ["Plumbing", "Bakery", "Holdings", "Auto Repair", "Dental", "Farms", "Logistics", "Cafe", "Builders"]
FLAT_FEES = [2_500, 3_500, 5_000, 7_550, 12_000, 15_000]  # permits and flat charges: many invoices share them
SHARES = [  # (scenario, share of the payer lines)
    ("reference", 0.30),
    ("bad_check_digit", 0.05),
    ("invoice_number", 0.20),
    ("partial", 0.05),
    ("account", 0.05),
    ("amount_name", 0.15),
    ("combined", 0.08),
    ("split", 0.04),
    ("unknown", 0.08),
]


@dataclass(frozen=True)
class Truth:
    kind: str  # deposit | invoices | return | ignored | none
    ids: frozenset[str]  # the deposits, the customer, or the payment the line is
    scenario: str = ""


def _surname(rng: random.Random) -> str:
    """A common surname one time in three (so names repeat, as they do), else a rarer one."""
    if rng.random() < 0.33:
        return rng.choice(LAST)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _customers(rng: random.Random) -> list[KnownPayer]:
    payers = []
    for n in range(CUSTOMERS):
        cid = f"CUS-{n + 100_000:08d}"
        company = rng.random() < 0.25
        name = f"{_surname(rng)} {rng.choice(TRADES)} LLC" if company else f"{rng.choice(FIRST)} {_surname(rng)}"
        aliases = (f"{name.split(maxsplit=1)[0].upper()} TRADING",) if rng.random() < 0.05 else ()
        payers.append(KnownPayer(cid, name, reference_for(cid), (f"UT-{200_000 + n}",), aliases))
    return payers


def _invoices(rng: random.Random, payers: list[KnownPayer]) -> list[OpenInvoice]:
    invoices = []
    for n in range(INVOICES):
        payer = payers[n % CUSTOMERS] if n < CUSTOMERS else rng.choice(payers)
        balance = rng.choice(FLAT_FEES) if rng.random() < 0.35 else rng.randint(1_000, 300_000)
        due = DAY - timedelta(days=rng.randint(-30, 120))
        invoices.append(
            OpenInvoice(
                payer.customer_id, f"inv_{n:020d}", f"UT-2031-{n:06d}", payer.account_numbers[0], balance, "USD", due
            )
        )
    return invoices


def _variant(rng: random.Random, name: str) -> str:
    """The payer's name as a bank writes it."""
    roll, up = rng.random(), name.upper()
    if roll < 0.4:
        return up
    if roll < 0.7:
        i = rng.randrange(1, len(up) - 1)
        return up[:i] + up[i + 1 :] if up[i] != " " else up  # a letter dropped
    if roll < 0.85:
        return name
    return up.replace(" LLC", " L.L.C.")


def _reference_text(rng: random.Random, cid: str) -> tuple[str, tuple[str, ...]]:
    ref = reference_for(cid)
    roll = rng.random()
    if roll < 0.25:
        return "", (ref,)
    if roll < 0.5:
        return f"PAYMENT {formatted(ref)} THANK YOU", ()
    if roll < 0.75:
        return f"ref {formatted(ref).lower()} water bill", ()
    parts = formatted(ref).split()
    return f"INV PMT {' '.join(parts[:2])}\n{' '.join(parts[2:])}\nCITY OF SPRINGFIELD", ()


def _invoice_text(rng: random.Random, number: str) -> str:
    written = rng.choice([number, number.lower(), number.replace("-", " "), number.replace("-0", "-").lstrip()])
    return rng.choice([f"INVOICE {written}", f"pmt for {written} thanks", f"/INV/{written}/"])


def generate(lines: int, seed: int = 15) -> tuple[MatchBook, list[BankLine], list[Truth]]:
    rng = random.Random(seed)
    payers = _customers(rng)
    invoices = _invoices(rng, payers)
    by_customer: dict[str, list[OpenInvoice]] = {}
    for invoice in invoices:
        by_customer.setdefault(invoice.customer_id, []).append(invoice)
    fresh = list(by_customer)  # each scenario takes a customer of its own, so the truth is unambiguous
    rng.shuffle(fresh)
    out: list[tuple[BankLine, Truth]] = []
    deposits = _deposit_lines(rng, out)
    debits = _return_lines(rng, payers, out, lines // 50)
    for k in range(lines // 100):
        out.append(
            (
                BankLine(f"fee{k}", DAY, None, -rng.randint(100, 5_000), "USD", LineKind.OTHER_DEBIT, "699"),
                Truth("ignored", frozenset()),
            )
        )
    names = {p.customer_id: p for p in payers}
    k = 0
    while len(out) < lines:
        scenario = rng.choices([s for s, _ in SHARES], [w for _, w in SHARES])[0]
        cid = fresh.pop()
        out.extend(_payer_lines(rng, scenario, f"p{k}", names[cid], by_customer[cid]))
        k += 1
    rng.shuffle(out)
    book = MatchBook(tuple(deposits), tuple(invoices), tuple(payers), tuple(debits))
    return book, [line for line, _ in out[:lines]], [truth for _, truth in out[:lines]]


def _deposit_lines(rng: random.Random, out: list[tuple[BankLine, Truth]]) -> list[ExpectedDeposit]:
    deposits = []
    for n in range(DEPOSITS):
        expected = add_banking_days(DAY, -rng.randint(0, 1))
        source = "counter" if n % 5 == 0 else rng.choice(["stripe", "sandbox"])
        trace = f"0210000{n:08d}" if source != "counter" and rng.random() < 0.5 else None
        deposits.append(
            ExpectedDeposit(f"po_{n:06d}", source, rng.randint(50_000, 5_000_000) * 10 + n % 10, "USD", expected, trace)
        )
    grouped = {d.deposit_id for d in deposits[-60:] if d.source != "counter"}
    for d in deposits[:-60]:
        kind = LineKind.BRANCH_DEPOSIT if d.source == "counter" else LineKind.PROCESSOR_DEPOSIT
        out.append(
            (
                BankLine(f"dep{d.deposit_id}", DAY, None, d.amount, "USD", kind, "165", trace_number=d.bank_trace_id),
                Truth("deposit", frozenset({d.deposit_id})),
            )
        )
    by_day: dict[tuple[str, date], list[ExpectedDeposit]] = {}
    for d in deposits[-60:]:
        if d.deposit_id in grouped:
            by_day.setdefault((d.source, d.expected_on), []).append(d)
    for (source, day), group in by_day.items():
        ids = frozenset(d.deposit_id for d in group)
        total = sum(d.amount for d in group)
        out.append(
            (
                BankLine(f"dep{source}{day}", DAY, None, total, "USD", LineKind.PROCESSOR_DEPOSIT, "165"),
                Truth("deposit", ids),
            )
        )
    return deposits


def _return_lines(
    rng: random.Random, payers: list[KnownPayer], out: list[tuple[BankLine, Truth]], returns: int
) -> list[ReturnableDebit]:
    debits = []
    for n in range(DEBITS):
        payer = rng.choice(payers)
        collected = add_banking_days(DAY, -rng.randint(1, 5))
        debits.append(
            ReturnableDebit(
                payer.customer_id,
                f"pay_{n:026d}",
                rng.randint(1_000, 90_000),
                "USD",
                collected,
                f"0910000{n:08d}",
                f"txn_{n:010d}",
            )
        )
    names = {p.customer_id: p.name for p in payers}
    for n, debit in enumerate(rng.sample(debits, returns)):
        named = rng.random() < 0.7
        code = rng.choice(["R01", "R01", "R09", "R02", "R03", "R10", "R29"])
        out.append(
            (
                BankLine(
                    f"ret{n}",
                    DAY,
                    None,
                    -debit.amount,
                    "USD",
                    LineKind.ACH_RETURN,
                    "555",
                    payer_name=names[debit.customer_id].upper(),
                    return_code=code,
                    original_reference=debit.trace_number if named else None,
                ),
                Truth("return", frozenset({debit.payment_id})),
            )
        )
    return debits


def _payer_lines(
    rng: random.Random, scenario: str, key: str, payer: KnownPayer, invoices: list[OpenInvoice]
) -> list[tuple[BankLine, Truth]]:
    cid, name = (
        payer.customer_id,
        _variant(rng, payer.aliases[0] if payer.aliases and rng.random() < 0.5 else payer.name),
    )
    kind = rng.choice([LineKind.WIRE, LineKind.ACH_CREDIT, LineKind.ACH_CREDIT])
    target = rng.choice(invoices)
    truth = Truth("invoices", frozenset({cid}), scenario)

    def bank_line(suffix: str, amount: int, **kw: object) -> BankLine:
        return BankLine(
            f"{key}{suffix}",
            DAY,
            None,
            amount,
            "USD",
            kw.pop("kind", kind),
            "195",  # type: ignore[arg-type]
            payer_name=kw.pop("payer_name", name),
            **kw,
        )  # type: ignore[arg-type]

    if scenario == "reference":
        text, structured = _reference_text(rng, cid)
        amount = sum(i.balance for i in invoices) if rng.random() < 0.5 else rng.randint(1_000, 200_000)
        return [(bank_line("", amount, remittance=text, structured_references=structured), truth)]
    if scenario == "bad_check_digit":
        ref = reference_for(cid)
        bad = ref[:2] + f"{(int(ref[2:4]) + 3) % 100:02d}" + ref[4:]
        return [(bank_line("", target.balance, remittance=f"REF {formatted(bad)}"), truth)]
    if scenario in ("invoice_number", "partial"):
        amount = target.balance if scenario == "invoice_number" else rng.randint(1, target.balance - 1)
        if rng.random() < 0.3:
            return [(bank_line("", amount, kind=LineKind.LOCKBOX, invoice_numbers=(target.invoice_number,)), truth)]
        return [(bank_line("", amount, remittance=_invoice_text(rng, target.invoice_number)), truth)]
    if scenario == "account":
        open_total = sum(i.balance for i in invoices)
        return [(bank_line("", open_total, remittance=f"ACCOUNT {payer.account_numbers[0]}"), truth)]
    if scenario == "amount_name":
        return [(bank_line("", target.balance, remittance="WATER BILL"), truth)]
    if scenario == "combined" and len(invoices) >= 2:
        chosen = rng.sample(invoices, min(len(invoices), rng.randint(2, 4)))
        return [(bank_line("", sum(i.balance for i in chosen), remittance="BILLS"), truth)]
    if scenario == "split" and target.balance >= 2_000:
        first = rng.randint(1_000, target.balance - 1_000)
        return [(bank_line("a", first), truth), (bank_line("b", target.balance - first), truth)]
    amount = rng.randint(1_000, 500_000) * 10 + 3  # nobody's: an amount no invoice has, a name nobody has
    return [
        (
            bank_line("", amount, payer_name=f"UNKNOWN PAYER {key}", remittance="PMT"),
            Truth("none", frozenset(), "unknown"),
        )
    ]
