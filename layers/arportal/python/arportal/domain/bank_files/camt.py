"""ISO 20022 camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification) into a ``BankFile``.

Any version ``camt.05x.001.NN`` is read (tested: .02, .04, .08): the elements read here keep their names across
versions, save three that moved, and both spellings are read: a transaction's amount (``TxDtls/Amt`` from .04,
``TxDtls/AmtDtls/TxAmt/Amt`` in .02), the net total (``TtlNetNtry/Amt`` from .04, ``TtlNetNtryAmt`` in .02) and
a party's name (``Dbtr/Nm`` to .07, ``Dbtr/Pty/Nm`` from .08).

The XML goes through defusedxml: a DOCTYPE, an entity or an external reference refuses the file. The ISO XSDs
are not shipped here, so the structure is checked by hand: the document element, each statement's account,
each entry's amount, direction and booking date.

Checks that refuse the file: ``TxsSummry/TtlNtries`` (count, sum of amounts, net) against the entries, opening
booked balance (OPBD, or PRCD) plus the booked entries against the closing booked balance (CLBD), and a batch
entry's transactions against the entry's amount. Only booked entries become lines (a notification's pending or
information-only entries do not move money yet).

A reversal (``RvslInd``): ISO's rule is that ``CdtDbtInd`` already gives the reversal's own direction; some banks
instead repeat the original's direction. Where balances are given, the reading that reconciles them is taken
(ISO's first); without balances, ISO's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as SafeTree  # type: ignore[import-untyped]

from arportal.domain.bank_files._common import minor_units, reject, unique_keys
from arportal.domain.bank_files.camt_entries import Entry, entries_of, kind_of
from arportal.domain.bank_statements import AccountStatement, BankFile, BankFileFormat, BankLine

_NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.001\.(\d{2})\}Document$")
OPENING = ("OPBD", "PRCD")
CLOSING = "CLBD"


def parse_camt(data: bytes) -> BankFile:
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise reject("the XML has a DOCTYPE: refused (no DTDs, no entities)") from None
    except defusedxml.EntitiesForbidden:
        raise reject("the XML declares entities: refused") from None
    except defusedxml.ExternalReferenceForbidden:
        raise reject("the XML refers to an external resource: refused") from None
    except (ParseError, ValueError) as exc:
        raise reject(f"not well-formed XML: {exc}") from None
    matched = _NAMESPACE.match(root.tag)
    if not matched:
        raise reject(f"not a camt.053 or camt.054 document: root element {root.tag[:120]!r}")
    message = matched.group(1)
    _strip_namespaces(root)
    container, item = ("BkToCstmrStmt", "Stmt") if message == "camt.053" else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
    body = root.find(container)
    if body is None:
        raise reject(f"{message}: no {container} element")
    header = body.find("GrpHdr")
    created = _datetime(_text(header, "CreDtTm")) if header is not None else None
    statements = tuple(_statement(node, created) for node in body.findall(item))
    if not statements:
        raise reject(f"{message}: no {item} element")
    return BankFile(
        BankFileFormat.CAMT_053 if message == "camt.053" else BankFileFormat.CAMT_054,
        _text(header, "MsgId") if header is not None else None,
        created,
        statements,
    )


def _strip_namespaces(root: Element) -> None:
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]


def _text(node: Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise reject(f"date-time {text!r} is not ISO 8601") from None
    # A time without a zone is the bank's local time; kept as written, labelled UTC (as BAI2's).
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _balance(node: Element, codes: tuple[str, ...] | str, currency: str, where: str) -> tuple[int, date | None] | None:
    wanted = (codes,) if isinstance(codes, str) else codes
    for code in wanted:
        for balance in node.findall("Bal"):
            if (_text(balance, "Tp/CdOrPrtry/Cd") or _text(balance, "Tp/CdOrPrtry/Prtry")) != code:
                continue
            amount = minor_units(_text(balance, "Amt") or "", currency, where=f"{where} balance {code}")
            if _text(balance, "CdtDbtInd") == "DBIT":
                amount = -amount
            day = _text(balance, "Dt/Dt") or (_text(balance, "Dt/DtTm") or "")[:10] or None
            return amount, date.fromisoformat(day) if day else None
    return None


def _statement(node: Element, created: datetime | None) -> AccountStatement:
    where = f"statement {_text(node, 'Id') or '?'}"
    account = _text(node, "Acct/Id/IBAN") or _text(node, "Acct/Id/Othr/Id")
    if not account:
        raise reject(f"{where}: no account (Acct/Id/IBAN or Acct/Id/Othr/Id)")
    currency = _text(node, "Acct/Ccy") or _first_currency(node) or "USD"
    bank_id = (
        _text(node, "Acct/Svcr/FinInstnId/BICFI")
        or _text(node, "Acct/Svcr/FinInstnId/BIC")
        or _text(node, "Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId")
    )
    opening = _balance(node, OPENING, currency, where)
    closing = _balance(node, CLOSING, currency, where)
    entries = entries_of(node, account=account, currency=currency, where=where)
    lines = _reconciled(node, entries, opening=opening, closing=closing, currency=currency, where=where)
    day = (
        (closing[1] if closing else None)
        or _day(_text(node, "FrToDt/ToDtTm"))
        or _day(_text(node, "CreDtTm"))
        or (created.date() if created else None)
        or (lines[0].booking_date if lines else None)
    )
    if day is None:
        raise reject(f"{where}: no date (no closing balance, period, creation time or entry)")
    return AccountStatement(
        account_number=account,
        bank_id=bank_id,
        currency=currency,
        statement_date=day,
        opening_balance=opening[0] if opening else None,
        closing_balance=closing[0] if closing else None,
        lines=lines,
    )


def _day(text: str | None) -> date | None:
    parsed = _datetime(text)
    return parsed.date() if parsed else None


def _first_currency(node: Element) -> str | None:
    found = node.find(".//Amt")
    return found.get("Ccy") if found is not None else None


def _reconciled(
    node: Element,
    entries: list[Entry],
    *,
    opening: tuple[int, date | None] | None,
    closing: tuple[int, date | None] | None,
    currency: str,
    where: str,
) -> tuple[BankLine, ...]:
    _check_summary(node, entries, currency, where)
    booked = [entry for entry in entries if entry.booked]
    iso = sum(entry.signed for entry in booked)
    if opening is None or closing is None or opening[0] + iso == closing[0]:
        return unique_keys([line for entry in booked for line in entry.lines])
    flipped = sum(-entry.signed if entry.reversal else entry.signed for entry in booked)
    if opening[0] + flipped == closing[0]:
        return unique_keys([line for entry in booked for line in _flip_if_reversal(entry)])
    raise reject(
        f"{where}: opening balance {opening[0]} plus booked entries {iso} is not the closing balance {closing[0]}"
    )


def _flip_if_reversal(entry: Entry) -> Iterator[BankLine]:
    for line in entry.lines:
        if not entry.reversal:
            yield line
            continue
        returned = line.return_code is not None
        kind = kind_of(
            line.type_code, credit=line.amount < 0, returned=returned, payer=line.payer_name, text=line.remittance
        )
        yield replace(line, amount=-line.amount, kind=kind)


def _check_summary(node: Element, entries: list[Entry], currency: str, where: str) -> None:
    summary = node.find("TxsSummry/TtlNtries")
    if summary is None:
        return
    count = _text(summary, "NbOfNtries")
    if count is not None and (not count.isdigit() or int(count) != len(entries)):
        raise reject(f"{where}: TtlNtries says {count} entries but the statement has {len(entries)}")
    stated_sum = _text(summary, "Sum")
    actual_sum = sum(abs(entry.signed) for entry in entries)
    if stated_sum is not None and minor_units(stated_sum, currency, where=where) != actual_sum:
        raise reject(f"{where}: TtlNtries sum {stated_sum} but the entries add up to {actual_sum} minor units")
    net_text = _text(summary, "TtlNetNtry/Amt") or _text(summary, "TtlNetNtryAmt")
    if net_text is not None:
        net = minor_units(net_text, currency, where=where)
        indicator = _text(summary, "TtlNetNtry/CdtDbtInd") or _text(summary, "CdtDbtInd")
        net = -net if indicator == "DBIT" else net
        actual = sum(entry.signed for entry in entries)
        # either reading of reversals (see the module's note); the balances then decide between them
        flipped = sum(-entry.signed if entry.reversal else entry.signed for entry in entries)
        if net not in {actual, flipped}:
            raise reject(f"{where}: TtlNtries net {net} but the entries net {actual} minor units")
