"""Bank files written from the model: BAI2, camt.053/camt.054 (.02, .04, .08) and the lockbox CSV, with correct
control totals, record counts, summaries and balances. The property tests round-trip generated statements
through them, and the local runtime uses them to make demo bank files.

BAI2 has no field for the payer, a trace or a return code: banks write them in the 16 record's text, and so does
this renderer, which writes each line's ``remittance`` as the text (wrapped into 88 continuations at 80
columns). ``bai2_text`` composes such a text the way the parser reads it back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from arportal.domain.bank_statements import AccountStatement, BankFile, BankFileFormat, BankLine
from arportal.domain.money import exponent

RECORD_WIDTH = 80
USTRD_WIDTH = 140


def bai2_text(
    *,
    payer: str | None = None,
    trace: str | None = None,
    return_code: str | None = None,
    original_trace: str | None = None,
    remittance: str = "",
) -> str:
    parts = [
        remittance,
        f"ORIG CO NAME:{payer}" if payer else "",
        f"TRACE:{trace}" if trace else "",
        f"RETURN REASON:{return_code}" if return_code else "",
        f"ORIG TRACE:{original_trace}" if original_trace else "",
    ]
    return " ".join(part for part in parts if part)


# --- BAI2 -------------------------------------------------------------------------------------------------------


def _wrapped(code: str, fields: list[str], text: str | None = None) -> list[str]:
    """One logical record as physical records of at most 80 columns: fields break at commas, text at spaces."""
    records: list[str] = []
    current = code
    for value in fields:
        piece = f",{value}"
        if len(current) + len(piece) > RECORD_WIDTH - 1 and current not in {code, "88"}:
            # A 16 breaks without "/": the parser reads its remaining fields from the 88 (a "/" would default them)
            records.append(current if text is not None else current + "/")
            current = "88"
        current += piece
    if text is None:
        return [*records, current + "/"]
    current += ","
    first = True  # the first word of a record follows its comma directly
    for word in text.split(" "):
        candidate = current + word if first else f"{current} {word}"
        if len(candidate) > RECORD_WIDTH and not first:
            records.append(current)
            current = f"88,{word}"
        else:
            current = candidate
        first = False
    return [*records, current]


def render_bai2(bank_file: BankFile, *, sender: str = "BANK", receiver: str = "AGENCY") -> bytes:
    created = bank_file.created_at
    stamp = [created.strftime("%y%m%d"), created.strftime("%H%M")] if created else ["000101", "0000"]
    out = _wrapped("01", [sender, receiver, *stamp, bank_file.file_reference or "", "80", "", "2"])
    file_total, groups = 0, 0
    for (bank_id, as_of), statements in _groups(bank_file.statements):
        group_lines = _wrapped(
            "02", [receiver, bank_id or "", "1", as_of.strftime("%y%m%d"), "0000", statements[0].currency, "2"]
        )
        group_total = 0
        for statement in statements:
            account_lines, account_total = _bai2_account(statement)
            group_lines += account_lines
            group_total += account_total
        group_lines += _wrapped("98", [str(group_total), str(len(statements)), str(len(group_lines) + 1)])
        out += group_lines
        file_total += group_total
        groups += 1
    out += _wrapped("99", [str(file_total), str(groups), str(len(out) + 1)])
    return ("\r\n".join(out) + "\r\n").encode("latin-1")


def _groups(statements: Iterable[AccountStatement]) -> list[tuple[tuple[str | None, date], list[AccountStatement]]]:
    groups: dict[tuple[str | None, date], list[AccountStatement]] = {}
    for statement in statements:
        groups.setdefault((statement.bank_id, statement.statement_date), []).append(statement)
    return list(groups.items())


def _bai2_account(statement: AccountStatement) -> tuple[list[str], int]:
    summary: list[str] = []
    total = 0
    for code, amount in (("010", statement.opening_balance), ("015", statement.closing_balance)):
        if amount is not None:
            summary += [code, str(amount), "", ""]
            total += amount
    credits = [line for line in statement.lines if line.amount > 0]
    debits = [line for line in statement.lines if line.amount < 0]
    summary += [
        "100",
        str(statement.credits),
        str(len(credits)),
        "",
        "400",
        str(statement.debits),
        str(len(debits)),
        "",
    ]
    total += statement.credits + statement.debits
    records = _wrapped("03", [statement.account_number, statement.currency, *summary])
    for line in statement.lines:
        funds = ["V", line.value_date.strftime("%y%m%d"), ""] if line.value_date else ["0"]
        fields = [
            line.type_code,
            str(abs(line.amount)),
            *funds,
            line.bank_reference or "",
            line.customer_reference or "",
        ]
        records += _wrapped("16", fields, line.remittance)
        total += abs(line.amount)
    records += _wrapped("49", [str(total), str(len(records) + 1)])
    return records, total


# --- camt -------------------------------------------------------------------------------------------------------


def render_camt(bank_file: BankFile, *, version: str = "08") -> bytes:
    """camt.053 or camt.054 (as ``bank_file.format`` says) in version ``version`` ("02", "04", "08", ...)."""
    message = "camt.054" if bank_file.format is BankFileFormat.CAMT_054 else "camt.053"
    container, item = ("BkToCstmrStmt", "Stmt") if message == "camt.053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    created = bank_file.created_at.isoformat() if bank_file.created_at else "2000-01-01T00:00:00"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{message}.001.{version}">',
        f"<{container}><GrpHdr><MsgId>{_x(bank_file.file_reference or 'MSG')}</MsgId>",
        f"<CreDtTm>{created}</CreDtTm></GrpHdr>",
    ]
    for number, statement in enumerate(bank_file.statements, start=1):
        parts.append(f"<{item}>{_camt_statement(statement, number, int(version))}</{item}>")
    parts.append(f"</{container}></Document>")
    return "\n".join(parts).encode()


def _x(text: str) -> str:
    return escape(text)


def _decimal(amount: int, currency: str) -> str:
    places = exponent(currency)
    whole, rest = divmod(abs(amount), 10**places)
    return f"{whole}.{rest:0{places}d}" if places else str(whole)


def _amount(amount: int, currency: str) -> str:
    return f"<Amt Ccy={quoteattr(currency)}>{_decimal(amount, currency)}</Amt>"


def _direction(amount: int) -> str:
    return f"<CdtDbtInd>{'CRDT' if amount >= 0 else 'DBIT'}</CdtDbtInd>"


def _camt_statement(statement: AccountStatement, number: int, version: int) -> str:
    currency = statement.currency
    account = (
        f"<IBAN>{_x(statement.account_number)}</IBAN>"
        if statement.account_number[:2].isalpha()
        else f"<Othr><Id>{_x(statement.account_number)}</Id></Othr>"
    )
    servicer = (
        f"<Svcr><FinInstnId><ClrSysMmbId><MmbId>{_x(statement.bank_id)}</MmbId></ClrSysMmbId></FinInstnId></Svcr>"
        if statement.bank_id
        else ""
    )
    day = statement.statement_date.isoformat()
    period = f"<FrToDt><FrDtTm>{day}T00:00:00</FrDtTm><ToDtTm>{day}T23:59:59</ToDtTm></FrToDt>"
    parts = [f"<Id>STMT-{number}</Id>{period}<Acct><Id>{account}</Id><Ccy>{currency}</Ccy>{servicer}</Acct>"]
    for code, amount in (("OPBD", statement.opening_balance), ("CLBD", statement.closing_balance)):
        if amount is not None:
            parts.append(
                f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>{_amount(amount, currency)}"
                f"{_direction(amount)}<Dt><Dt>{statement.statement_date.isoformat()}</Dt></Dt></Bal>"
            )
    net = sum(line.amount for line in statement.lines)
    total = sum(abs(line.amount) for line in statement.lines)
    net_xml = (
        f"<TtlNetNtry><Amt>{_decimal(net, currency)}</Amt>{_direction(net)}</TtlNetNtry>"
        if version >= 4
        else f"<TtlNetNtryAmt>{_decimal(net, currency)}</TtlNetNtryAmt>{_direction(net)}"
    )
    parts.append(
        f"<TxsSummry><TtlNtries><NbOfNtries>{len(statement.lines)}</NbOfNtries>"
        f"<Sum>{_decimal(total, currency)}</Sum>{net_xml}</TtlNtries></TxsSummry>"
    )
    parts += [_camt_entry(line, version) for line in statement.lines]
    return "".join(parts)


def _bank_transaction_code(type_code: str) -> str:
    pieces = type_code.split("/")
    if len(pieces) >= 2:
        sub = f"<SubFmlyCd>{_x(pieces[2])}</SubFmlyCd>" if len(pieces) > 2 else ""
        family = f"<Fmly><Cd>{_x(pieces[1])}</Cd>{sub}</Fmly>"
        return f"<BkTxCd><Domn><Cd>{_x(pieces[0])}</Cd>{family}</Domn></BkTxCd>"
    return f"<BkTxCd><Prtry><Cd>{_x(type_code)}</Cd></Prtry></BkTxCd>"


def _camt_entry(line: BankLine, version: int) -> str:
    currency = line.currency
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version >= 8 else "<Sts>BOOK</Sts>"
    value = f"<ValDt><Dt>{line.value_date.isoformat()}</Dt></ValDt>" if line.value_date else ""
    reference = f"<AcctSvcrRef>{_x(line.bank_reference)}</AcctSvcrRef>" if line.bank_reference else ""
    refs = "".join(
        [
            f"<EndToEndId>{_x(line.customer_reference)}</EndToEndId>" if line.customer_reference else "",
            f"<ClrSysRef>{_x(line.trace_number)}</ClrSysRef>" if line.trace_number else "",
        ]
    )
    amount = (
        _amount(line.amount, currency)
        if version >= 4
        else f"<AmtDtls><TxAmt>{_amount(line.amount, currency)}</TxAmt></AmtDtls>"
    )
    return (
        f"<Ntry>{_amount(line.amount, currency)}{_direction(line.amount)}{status}"
        f"<BookgDt><Dt>{line.booking_date.isoformat()}</Dt></BookgDt>{value}{reference}"
        f"{_bank_transaction_code(line.type_code)}<NtryDtls><TxDtls>"
        f"{f'<Refs>{refs}</Refs>' if refs else ''}{amount}{_parties(line, version)}{_remittance(line)}"
        f"{f'<RtrInf><Rsn><Cd>{_x(line.return_code)}</Cd></Rsn></RtrInf>' if line.return_code else ''}"
        "</TxDtls></NtryDtls></Ntry>"
    )


def _parties(line: BankLine, version: int) -> str:
    if not (line.payer_name or line.payer_account):
        return ""
    name = ""
    if line.payer_name:
        name = f"<Pty><Nm>{_x(line.payer_name)}</Nm></Pty>" if version >= 8 else f"<Nm>{_x(line.payer_name)}</Nm>"
    debtor = f"<Dbtr>{name}</Dbtr>" if name else ""
    account = (
        f"<DbtrAcct><Id><Othr><Id>{_x(line.payer_account)}</Id></Othr></Id></DbtrAcct>" if line.payer_account else ""
    )
    return f"<RltdPties>{debtor}{account}</RltdPties>"


def _remittance(line: BankLine) -> str:
    unstructured = "".join(f"<Ustrd>{_x(chunk)}</Ustrd>" for chunk in _chunks(line.remittance, USTRD_WIDTH))
    documents = "".join(f"<RfrdDocInf><Nb>{_x(number)}</Nb></RfrdDocInf>" for number in line.invoice_numbers)
    creditor = "".join(f"<CdtrRefInf><Ref>{_x(ref)}</Ref></CdtrRefInf>" for ref in line.structured_references)
    structured = f"<Strd>{documents}{creditor}</Strd>" if documents or creditor else ""
    body = unstructured + structured
    return f"<RmtInf>{body}</RmtInf>" if body else ""


def _chunks(text: str, width: int) -> list[str]:
    chunks: list[str] = []
    for word in text.split():
        if chunks and len(chunks[-1]) + 1 + len(word) <= width:
            chunks[-1] += f" {word}"
        else:
            chunks.append(word)
    return chunks


# --- lockbox CSV ------------------------------------------------------------------------------------------------


def render_lockbox_csv(bank_file: BankFile) -> bytes:
    """Each line's ``bank_reference`` must be ``<YYYYMMDD>-<batch>-<item>``, as the parser makes it."""
    from arportal.domain.bank_files.lockbox_csv import HEADER

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    count, total = 0, 0
    for statement in bank_file.statements:
        for line in statement.lines:
            _, batch, item = (line.bank_reference or "--").split("-", 2)
            writer.writerow(
                [
                    batch,
                    item,
                    line.booking_date.isoformat(),
                    statement.account_number,
                    line.customer_reference or "",
                    _decimal(line.amount, line.currency),
                    line.payer_name or "",
                    ";".join(line.invoice_numbers),
                    line.remittance,
                ]
            )
            count += 1
            total += line.amount
    writer.writerow(["TOTAL", str(count), _decimal(total, "USD")])
    return buffer.getvalue().encode()
