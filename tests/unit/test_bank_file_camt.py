"""camt.053/camt.054 (.02, .04, .08): the golden files read entry by entry, batch bookings split, reversals in
both banks' conventions, a notification and the statement of the same movements giving the same line keys, and
every refusal (hardened XML, totals, balances, structure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from arportal.domain.bank_files import parse
from arportal.domain.bank_statements import BankFileFormat, BankFileRejected, LineKind

DATA = Path(__file__).resolve().parents[1] / "data" / "bank_files"


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _refused(data: bytes) -> str:
    with pytest.raises(BankFileRejected) as refused:
        parse(data)
    return refused.value.message


def test_v02_statement_header_balances_and_account() -> None:
    bank_file = parse(_read("camt053_v02_operating.xml"))
    assert bank_file.format is BankFileFormat.CAMT_053
    assert bank_file.file_reference == "STMT20260302-0001"
    assert bank_file.created_at == datetime(2026, 3, 3, 5, 30, tzinfo=timezone(timedelta(hours=-5)))
    (statement,) = bank_file.statements
    assert (statement.account_number, statement.bank_id, statement.currency) == ("4400012345", "BOFAUS3N", "USD")
    assert statement.statement_date == date(2026, 3, 2)
    assert (statement.opening_balance, statement.closing_balance) == (2_500_000, 2_817_500)


def test_v02_batch_entry_becomes_one_line_per_transaction() -> None:
    lines = parse(_read("camt053_v02_operating.xml")).lines
    first, second = lines[0], lines[1]
    assert (first.line_key, first.amount, second.line_key, second.amount) == (
        "4400012345:B0302-77#1",
        100_000,
        "4400012345:B0302-77#2",
        50_000,
    )
    assert first.bank_reference == second.bank_reference == "B0302-77"
    assert (first.kind, first.type_code) == (LineKind.ACH_CREDIT, "PMNT/RCDT/ATXN")
    assert (first.customer_reference, first.trace_number) == ("CCD-0001", "091000015550001")
    assert (first.payer_name, first.payer_account) == ("Acme Widgets Inc", "XXXXXX6789")
    assert first.remittance == "INV-000123 WATER AND SEWER Q1"  # two Ustrd joined
    assert (second.payer_name, second.remittance) == ("Rivera, Ana", "ACCOUNT UT-200001")


def test_v02_wire_structured_reference_and_booking_date_time() -> None:
    wire = parse(_read("camt053_v02_operating.xml")).lines[2]
    assert (wire.kind, wire.amount, wire.booking_date) == (LineKind.WIRE, 200_000, date(2026, 3, 2))
    assert wire.structured_references == ("RF18 5390 0754 7034",)
    assert wire.customer_reference == "20260302QMGFT015000777"  # InstrId when there is no EndToEndId


def test_v02_return_carries_its_reason_and_the_original_reference() -> None:
    returned = parse(_read("camt053_v02_operating.xml")).lines[3]
    assert (returned.kind, returned.amount, returned.return_code) == (LineKind.ACH_RETURN, -25_000, "R01")
    assert returned.original_reference == "pay_01HQ7RETURNED42"


def test_iso_reversal_keeps_its_own_direction() -> None:
    reversal = parse(_read("camt053_v02_operating.xml")).lines[4]
    assert (reversal.amount, reversal.kind) == (-7_500, LineKind.OTHER_DEBIT)


def test_v04_iban_latin1_and_a_bank_that_repeats_the_original_direction_on_reversals() -> None:
    bank_file = parse(_read("camt053_v04_iban.xml"))
    (statement,) = bank_file.statements
    assert (statement.account_number, statement.bank_id, statement.currency) == (
        "DE89370400440532013000",
        "COBADEFFXXX",
        "EUR",
    )
    assert statement.opening_balance == 10_000  # PRCD stands in for OPBD
    credit, reversal = statement.lines
    assert credit.payer_name == "Müller Bäckerei GmbH"  # declared ISO-8859-1
    assert credit.payer_account == "DE02120300000000202051"
    assert credit.customer_reference is None  # NOTPROVIDED is no reference
    assert (credit.structured_references, credit.invoice_numbers) == (("RF712348231",), ("INV-000301",))
    # CdtDbtInd says CRDT, but only a debit reconciles the balances: the flip is this bank's convention
    assert (reversal.amount, reversal.kind) == (-4_000, LineKind.OTHER_DEBIT)
    assert bank_file.created_at == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)


def test_a_notification_then_the_statement_give_the_same_line_keys() -> None:
    notification = parse(_read("camt054_v08_intraday.xml"))
    statement = parse(_read("camt053_v08_same_day.xml"))
    assert notification.format is BankFileFormat.CAMT_054
    early = {line.line_key: line for line in notification.lines}
    late = {line.line_key: line for line in statement.lines}
    assert len(early) == 2  # the pending entry is no line yet
    assert set(early) < set(late)
    for key, line in early.items():
        assert late[key] == line
    assert any(":h" in key for key in early)  # one has no AcctSvcrRef: its hashed key still agrees


def test_v08_party_names_processor_payouts_and_negative_opening() -> None:
    bank_file = parse(_read("camt053_v08_same_day.xml"))
    (statement,) = bank_file.statements
    assert statement.bank_id == "121000248"
    assert (statement.opening_balance, statement.closing_balance) == (-100_000, 927_404)
    ach, payout, fee = statement.lines
    assert ach.payer_name == "Lakeside Apartments LLC"
    assert (payout.kind, payout.amount) == (LineKind.PROCESSOR_DEPOSIT, 987_654)
    assert (fee.kind, fee.type_code, fee.remittance) == (LineKind.OTHER_DEBIT, "ACMT/MDOP/CHRG", "WIRE FEES")


# --- refusals ---------------------------------------------------------------------------------------------------

DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ELEMENT Document ANY>]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&lol2;</x></Document>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "http://attacker.example/camt.dtd">
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>"""


@pytest.mark.parametrize("xml", [DOCTYPE, BILLION_LAUGHS, EXTERNAL])
def test_a_doctype_entities_or_external_references_are_refused(xml: bytes) -> None:
    assert "DOCTYPE" in _refused(xml)


def test_xml_that_is_not_camt_is_refused() -> None:
    assert "not a camt.053 or camt.054" in _refused(b"<?xml version='1.0'?><Document xmlns='urn:x'/>")
    pain = b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>"
    assert "not a camt.053 or camt.054" in _refused(pain)


def test_malformed_xml_is_refused() -> None:
    assert "not well-formed" in _refused(_read("camt053_v02_operating.xml")[:-40])


def test_an_altered_entry_amount_breaks_the_balances_or_the_summary() -> None:
    altered = _read("camt053_v02_operating.xml").replace(b">2000.00<", b">2000.01<")
    assert "TtlNtries sum 3825.00" in _refused(altered)
    balances_only = _read("camt053_v08_same_day.xml").replace(b"<TxsSummry>", b"<!--").replace(b"</TxsSummry>", b"-->")
    assert "is not the closing balance 927404" in _refused(balances_only.replace(b">15.00<", b">16.00<"))


def test_a_wrong_entry_count_or_net_is_refused() -> None:
    count = _read("camt053_v08_same_day.xml").replace(b"<NbOfNtries>3<", b"<NbOfNtries>4<")
    assert "says 4 entries but the statement has 3" in _refused(count)
    net = _read("camt053_v08_same_day.xml").replace(b"<Amt>10274.04</Amt>", b"<Amt>10274.05</Amt>")
    assert "net" in _refused(net)


def test_a_batch_whose_transactions_do_not_add_up_is_refused() -> None:
    altered = _read("camt053_v02_operating.xml").replace(b'"USD">500.00<', b'"USD">499.00<')
    assert "its transactions add up to 149900, the entry says 150000" in _refused(altered)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (b"<CdtDbtInd>DBIT</CdtDbtInd>\n        <Sts>", b"<CdtDbtInd>DEBIT</CdtDbtInd>\n        <Sts>", "CdtDbtInd"),
        (b'"USD">250.00<', b'"USD">250.001<', "more decimals than USD allows"),
        (b'"USD">250.00<', b'"USD">two hundred<', "not a number"),
        (b'"USD">250.00<', b'"EUR">250.00<', "an amount in EUR on an account in USD"),
        (b"<Id><Othr><Id>4400012345</Id></Othr></Id>", b"", "no account"),
        (b"<BookgDt><Dt>2026-03-02</Dt></BookgDt>\n        <AcctSvcrRef>RTN", b"<AcctSvcrRef>RTN", "booking date"),
        (b"<Ccy>USD</Ccy>", b"<Ccy>usd</Ccy>", "an amount in USD on an account in usd"),
        (b"<Dt><Dt>2026-03-02</Dt></Dt>", b"<Dt><Dt>2026-02-30</Dt></Dt>", "malformed: "),
        (b"<NbOfNtries>4<", b"<NbOfNtries>four<", "TtlNtries says four entries"),
    ],
)
def test_malformed_entries_are_refused(old: bytes, new: bytes, reason: str) -> None:
    data = _read("camt053_v02_operating.xml")
    assert old in data
    assert reason in _refused(data.replace(old, new, 1))
