"""Generated statements, rendered as BAI2, camt.053/camt.054 (.02, .04, .08) and the lockbox CSV, parse back
equal: every field the format carries survives, line keys included, and the control totals the renderer writes
are the ones the parser checks.

Kinds come from a fixed table of (kind, BAI2 type code, camt bank transaction code), not from the parser's own
classifier, so a wrong mapping fails here too."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from arportal.domain.bank_files import parse
from arportal.domain.bank_files.render import bai2_text, render_bai2, render_camt, render_lockbox_csv
from arportal.domain.bank_statements import (
    AccountStatement,
    BankFile,
    BankFileFormat,
    BankLine,
    LineKind,
    line_key_of,
)

KINDS = [
    # kind, BAI2 type code, camt code, credit?
    (LineKind.ACH_CREDIT, "165", "PMNT/RCDT/ATXN", True),
    (LineKind.WIRE, "195", "PMNT/RCDT/DMCT", True),
    (LineKind.BRANCH_DEPOSIT, "301", "PMNT/CNTR/CDPT", True),
    (LineKind.LOCKBOX, "115", "PMNT/LBOX/LBDP", True),
    (LineKind.PROCESSOR_DEPOSIT, "169", "PMNT/RCDT/ATXN", True),
    (LineKind.OTHER_CREDIT, "399", "ACMT/MCOP/INTR", True),
    (LineKind.ACH_RETURN, "555", "PMNT/IDDT/UPDD", False),
    (LineKind.OTHER_DEBIT, "698", "ACMT/MDOP/CHRG", False),
]
PAYERS = ["ACME WIDGETS", "Rivera Ana", "HARBOR DINER LLC", "O'BRIEN & SONS", "MÜLLER GMBH", "Lakeside Apts"]
WORDS = ["PAYMENT", "FOR", "INV-000123", "ACCT", "UT-200001", "water", "Q1", "<bill>", "A&B", "2026", "thanks", "#7"]
CURRENCIES = ["USD", "EUR", "JPY", "KWD"]
DAY = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
REFERENCE = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=4, max_size=16)
DIGITS = st.text(alphabet="0123456789", min_size=9, max_size=15)
CREATED = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive; the zone comes from timezones
    max_value=datetime(2035, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _words(draw: st.DrawFn, index: int) -> str:
    return " ".join([*draw(st.lists(st.sampled_from(WORDS), max_size=40)), f"ITEM{index}"])


@st.composite
def _line(draw: st.DrawFn, *, index: int, account: str, currency: str, day: date, bai2: bool) -> BankLine:
    kind, bai2_code, camt_code, credit = draw(st.sampled_from(KINDS))
    type_code = bai2_code if bai2 else camt_code
    magnitude = draw(st.integers(1, 10**10))
    amount = magnitude if credit else -magnitude
    payer = "STRIPE PAYMENTS" if kind is LineKind.PROCESSOR_DEPOSIT else draw(st.none() | st.sampled_from(PAYERS))
    trace = draw(st.none() | DIGITS)
    customer_reference = draw(st.none() | REFERENCE)
    returned = kind is LineKind.ACH_RETURN
    return_code = f"R{draw(st.integers(1, 99)):02d}" if returned else None
    words = _words(draw, index)
    bank_reference = draw(st.none() | REFERENCE.map(lambda ref: f"{ref}{index}"))
    if bai2:
        original = draw(st.none() | DIGITS) if returned else None
        remittance = bai2_text(
            payer=payer, trace=trace, return_code=return_code, original_trace=original, remittance=words
        )
        booking, value = day, draw(st.none() | DAY)
        extra: dict[str, object] = {"original_reference": original}
    else:
        remittance = words
        booking, value = day - timedelta(days=draw(st.integers(0, 3))), draw(st.none() | DAY)
        extra = {
            "payer_account": draw(st.none() | DIGITS),
            "structured_references": tuple(draw(st.lists(REFERENCE.map(lambda r: f"RF{r}"), max_size=2))),
            "invoice_numbers": tuple(draw(st.lists(REFERENCE.map(lambda r: f"INV-{r}"), max_size=2))),
            "original_reference": customer_reference if returned else None,
        }
    return BankLine(
        line_key=line_key_of(
            account_number=account,
            booking_date=booking,
            amount=amount,
            currency=currency,
            type_code=type_code,
            bank_reference=bank_reference,
            customer_reference=customer_reference,
            remittance=remittance,
        ),
        booking_date=booking,
        value_date=value,
        amount=amount,
        currency=currency,
        kind=kind,
        type_code=type_code,
        bank_reference=bank_reference,
        customer_reference=customer_reference,
        trace_number=trace,
        payer_name=payer,
        remittance=remittance,
        return_code=return_code,
        **extra,  # type: ignore[arg-type]
    )


@st.composite
def _statement(draw: st.DrawFn, *, account: str, bai2: bool) -> AccountStatement:
    currency = draw(st.sampled_from(CURRENCIES))
    day = draw(DAY)
    lines = tuple(
        draw(_line(index=index, account=account, currency=currency, day=day, bai2=bai2))
        for index in range(draw(st.integers(0, 6)))
    )
    opening = draw(st.none() | st.integers(-(10**11), 10**11))
    closing = None if opening is None else opening + sum(line.amount for line in lines)
    if bai2 and draw(st.booleans()):
        closing = draw(st.none() | st.integers(-(10**11), 10**11))  # BAI2 does not tie them to the details
    return AccountStatement(
        account_number=account,
        bank_id=draw(st.none() | st.sampled_from(["121000248", "026009593"])),
        currency=currency,
        statement_date=day,
        opening_balance=opening,
        closing_balance=closing,
        lines=lines,
    )


def _accounts(draw: st.DrawFn, *, iban: bool) -> list[str]:
    numbers = draw(st.lists(DIGITS, min_size=1, max_size=4, unique=True))
    return [f"DE89{number}" if iban and index % 2 else number for index, number in enumerate(numbers)]


@st.composite
def bai2_files(draw: st.DrawFn) -> BankFile:
    statements = [draw(_statement(account=account, bai2=True)) for account in _accounts(draw, iban=False)]
    # The renderer writes one group per (bank, day): the parser gives the statements back in that order
    groups: dict[tuple[str | None, date], list[AccountStatement]] = {}
    for statement in statements:
        groups.setdefault((statement.bank_id, statement.statement_date), []).append(statement)
    created = draw(CREATED).replace(second=0, microsecond=0)
    reference = draw(st.none() | REFERENCE)
    ordered = tuple(statement for group in groups.values() for statement in group)
    return BankFile(BankFileFormat.BAI2, reference, created, ordered)


@st.composite
def camt_files(draw: st.DrawFn) -> BankFile:
    statements = tuple(draw(_statement(account=account, bai2=False)) for account in _accounts(draw, iban=True))
    fmt = draw(st.sampled_from([BankFileFormat.CAMT_053, BankFileFormat.CAMT_054]))
    return BankFile(fmt, draw(REFERENCE), draw(CREATED).replace(microsecond=0), statements)


@given(bai2_files())
@settings(max_examples=150, deadline=None)
def test_bai2_round_trips(bank_file: BankFile) -> None:
    assert parse(render_bai2(bank_file)) == bank_file


@given(camt_files(), st.sampled_from(["02", "04", "08"]))
@settings(max_examples=150, deadline=None)
def test_camt_round_trips_in_each_version(bank_file: BankFile, version: str) -> None:
    assert parse(render_camt(bank_file, version=version)) == bank_file


@st.composite
def lockbox_files(draw: st.DrawFn) -> BankFile:
    keys = draw(st.lists(st.tuples(st.sampled_from(["4400067890", "4400011111"]), DAY), min_size=1, unique=True))
    statements = []
    for account, day in sorted(keys):
        lines = []
        for item in range(1, draw(st.integers(1, 5)) + 1):
            reference = f"{day:%Y%m%d}-{draw(st.integers(1, 999))}-{item}"
            amount = draw(st.integers(1, 10**9))
            lines.append(
                BankLine(
                    line_key=line_key_of(
                        account_number=account,
                        booking_date=day,
                        amount=amount,
                        currency="USD",
                        type_code="lockbox",
                        bank_reference=reference,
                    ),
                    booking_date=day,
                    value_date=None,
                    amount=amount,
                    currency="USD",
                    kind=LineKind.LOCKBOX,
                    type_code="lockbox",
                    bank_reference=reference,
                    customer_reference=draw(st.none() | DIGITS),
                    payer_name=draw(st.none() | st.sampled_from([*PAYERS, "Rivera, Ana", 'Say "Hi" Inc'])),
                    remittance=_words(draw, item),
                    invoice_numbers=tuple(draw(st.lists(REFERENCE.map(lambda r: f"INV-{r}"), max_size=3))),
                )
            )
        statements.append(AccountStatement(account, None, "USD", day, None, None, tuple(lines)))
    return BankFile(BankFileFormat.LOCKBOX_CSV, None, None, tuple(statements))


@given(lockbox_files())
@settings(max_examples=100, deadline=None)
def test_lockbox_csv_round_trips(bank_file: BankFile) -> None:
    assert parse(render_lockbox_csv(bank_file)) == bank_file


@given(bai2_files())
@settings(max_examples=50, deadline=None)
def test_any_altered_bai2_detail_amount_is_refused(bank_file: BankFile) -> None:
    from hypothesis import assume

    from arportal.domain.bank_statements import BankFileRejected

    assume(bank_file.lines)
    line = bank_file.lines[0]
    altered_line = replace(line, amount=line.amount + (1 if line.amount > 0 else -1))
    statements = tuple(
        replace(s, lines=tuple(altered_line if x is line else x for x in s.lines)) for s in bank_file.statements
    )
    original = render_bai2(bank_file).decode("latin-1").splitlines()
    altered = render_bai2(replace(bank_file, statements=statements)).decode("latin-1").splitlines()
    # Keep the original trailers (as a tampered file would) with the one altered 16 record
    tampered = [a if a.startswith("16,") else o for o, a in zip(original, altered, strict=True)]
    try:
        parse("\n".join(tampered).encode("latin-1"))
    except BankFileRejected as refused:
        assert "control total" in refused.message
    else:
        raise AssertionError("an altered amount was accepted")
