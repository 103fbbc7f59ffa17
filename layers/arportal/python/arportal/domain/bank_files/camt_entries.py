"""A camt statement's or notification's entries (``Ntry``) into bank lines: one line per entry, or one per
transaction (``NtryDtls/TxDtls``) when a batch entry carries several with their amounts.

Kinds from the ISO bank transaction code (Domain/Family/Sub-family): received credit transfers (``RCDT``) are ACH
credits, or wires for domestic/cross-border/financial-institution transfers; counter and cheque deposits are
branch deposits; lockbox (``LBOX``) is lockbox; a debit with return information (``RtrInf``) or an unpaid/returned
direct debit sub-family is an ACH return. A proprietary three-digit code is read as a BAI2 type code (US banks
send those). A credit naming a card processor is its payout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element

from arportal.domain.bank_files._common import (
    minor_units,
    names_processor,
    original_trace_in,
    reject,
    return_code_in,
)
from arportal.domain.bank_files.bai2 import classify_type_code
from arportal.domain.bank_statements import BankLine, LineKind, line_key_of

WIRE_SUBFAMILIES = frozenset({"DMCT", "XBCT", "FICT", "PRCT", "BOOK"})
RETURN_SUBFAMILIES = frozenset({"UPDD", "PRDD", "RRTN", "ARET"})
BRANCH_FAMILIES = frozenset({"CNTR", "RCHQ", "CHQD"})
_NOT_PROVIDED = "NOTPROVIDED"


@dataclass(frozen=True)
class Entry:
    signed: int  # as CdtDbtInd says
    reversal: bool
    booked: bool
    lines: tuple[BankLine, ...]


def _text(node: Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _texts(node: Element | None, path: str) -> list[str]:
    if node is None:
        return []
    return [" ".join(found.text.split()) for found in node.findall(path) if found.text and found.text.strip()]


def _day(node: Element, path: str, where: str) -> str | None:
    text = _text(node, f"{path}/Dt") or (_text(node, f"{path}/DtTm") or "")[:10] or None
    if text is not None and (len(text) != 10 or not text[:4].isdigit()):
        raise reject(f"{where}: {path} {text!r} is not a date")
    return text


def bank_transaction_code(node: Element | None) -> str | None:
    domain = _text(node, "BkTxCd/Domn/Cd")
    family = _text(node, "BkTxCd/Domn/Fmly/Cd")
    sub = _text(node, "BkTxCd/Domn/Fmly/SubFmlyCd")
    if domain and family:
        return f"{domain}/{family}/{sub or ''}".rstrip("/")
    return _text(node, "BkTxCd/Prtry/Cd")


def kind_of(type_code: str, *, credit: bool, returned: bool, payer: str | None, text: str) -> LineKind:
    if type_code.isdigit() and len(type_code) == 3:
        return classify_type_code(int(type_code), credit=credit, text=text, payer=payer)
    parts = type_code.split("/")
    family = parts[1] if len(parts) > 1 else ""
    sub = parts[2] if len(parts) > 2 else ""
    if not credit:
        return LineKind.ACH_RETURN if returned or sub in RETURN_SUBFAMILIES else LineKind.OTHER_DEBIT
    if family == "LBOX":
        return LineKind.LOCKBOX
    if family in BRANCH_FAMILIES or sub in {"CDPT", "CCHQ"}:
        return LineKind.BRANCH_DEPOSIT
    if names_processor(payer, text):
        return LineKind.PROCESSOR_DEPOSIT
    if family == "RCDT":
        return LineKind.WIRE if sub in WIRE_SUBFAMILIES else LineKind.ACH_CREDIT
    return LineKind.OTHER_CREDIT


def entries_of(node: Element, *, account: str, currency: str, where: str) -> list[Entry]:
    return [
        _entry(entry, account=account, currency=currency, where=f"{where} entry {index}")
        for index, entry in enumerate(node.findall("Ntry"), start=1)
    ]


def _amount(node: Element | None, path: str, currency: str, where: str) -> int | None:
    found = node.find(path) if node is not None else None
    if found is None or found.text is None:
        return None
    if (found.get("Ccy") or currency) != currency:
        raise reject(f"{where}: an amount in {found.get('Ccy')} on an account in {currency}")
    return minor_units(found.text, currency, where=where)


def _sign(node: Element | None, where: str, default: int | None = None) -> int:
    indicator = _text(node, "CdtDbtInd")
    if indicator == "CRDT":
        return 1
    if indicator == "DBIT":
        return -1
    if default is not None and indicator is None:
        return default
    raise reject(f"{where}: CdtDbtInd {indicator!r} is neither CRDT nor DBIT")


def _entry(node: Element, *, account: str, currency: str, where: str) -> Entry:
    magnitude = _amount(node, "Amt", currency, where)
    if magnitude is None:
        raise reject(f"{where}: no amount (Amt)")
    signed = _sign(node, where) * magnitude
    status = _text(node, "Sts/Cd") or _text(node, "Sts")
    booked = status in {None, "BOOK"}
    booking = _day(node, "BookgDt", where)
    if booked and booking is None:
        raise reject(f"{where}: a booked entry without a booking date (BookgDt)")
    reversal = (_text(node, "RvslInd") or "").lower() in {"true", "1"}
    if not booked or signed == 0:
        return Entry(signed, reversal, booked, ())
    transactions = node.findall("NtryDtls/TxDtls")
    amounts = [_transaction_amount(tx, currency, where) for tx in transactions]
    facts = _EntryFacts(node, account, currency, booking or "", _day(node, "ValDt", where))
    if len(transactions) > 1 and all(amount is not None for amount in amounts):
        signed_parts = [
            _sign(tx, where, default=_sign(node, where)) * (amount or 0)
            for tx, amount in zip(transactions, amounts, strict=True)
        ]
        if sum(signed_parts) != signed:
            raise reject(f"{where}: its transactions add up to {sum(signed_parts)}, the entry says {signed}")
        lines = tuple(
            facts.line(tx, amount, index=index)
            for index, (tx, amount) in enumerate(zip(transactions, signed_parts, strict=True), start=1)
            if amount != 0
        )
        return Entry(signed, reversal, booked, lines)
    return Entry(signed, reversal, booked, (facts.line(transactions, signed, index=None),))


def _transaction_amount(tx: Element, currency: str, where: str) -> int | None:
    amount = _amount(tx, "Amt", currency, where)
    return amount if amount is not None else _amount(tx, "AmtDtls/TxAmt/Amt", currency, where)


@dataclass(frozen=True)
class _EntryFacts:
    node: Element
    account: str
    currency: str
    booking: str
    value: str | None

    def line(self, tx: Element | list[Element], amount: int, *, index: int | None) -> BankLine:
        """One line: from one transaction of a batch (``index``), or from the entry with all its details."""
        details = tx if isinstance(tx, list) else [tx]
        first = details[0] if details else None
        entry_reference = _text(self.node, "AcctSvcrRef")
        own_reference = _text(first, "Refs/AcctSvcrRef") if index is not None else None
        key_reference = own_reference or (f"{entry_reference}#{index}" if entry_reference and index else None)
        key_reference = key_reference or entry_reference or _text(first, "Refs/AcctSvcrRef")
        type_code = (
            (bank_transaction_code(first) if index is not None else None)
            or bank_transaction_code(self.node)
            or "UNKNOWN"
        )
        end_to_end = _text(first, "Refs/EndToEndId")
        customer_reference = (end_to_end if end_to_end != _NOT_PROVIDED else None) or _text(first, "Refs/InstrId")
        remittance = " ".join(text for detail in details for text in _texts(detail, "RmtInf/Ustrd")) or (
            # banks without remittance information often describe the movement here instead
            " ".join(text for detail in details for text in _texts(detail, "AddtlTxInf"))
            or (_text(self.node, "AddtlNtryInf") or "")
        )
        payer = _text(first, "RltdPties/Dbtr/Pty/Nm") or _text(first, "RltdPties/Dbtr/Nm")
        return_reason = _text(first, "RtrInf/Rsn/Cd") or _text(first, "RtrInf/Rsn/Prtry")
        kind = kind_of(type_code, credit=amount > 0, returned=return_reason is not None, payer=payer, text=remittance)
        is_return = kind is LineKind.ACH_RETURN
        booking_date = _date(self.booking)
        return BankLine(
            line_key=line_key_of(
                account_number=self.account,
                booking_date=booking_date,
                amount=amount,
                currency=self.currency,
                type_code=type_code,
                bank_reference=key_reference,
                customer_reference=customer_reference,
                remittance=remittance,
            ),
            booking_date=booking_date,
            value_date=_date(self.value) if self.value else None,
            amount=amount,
            currency=self.currency,
            kind=kind,
            type_code=type_code,
            bank_reference=own_reference or entry_reference or _text(first, "Refs/AcctSvcrRef"),
            customer_reference=customer_reference,
            trace_number=_text(first, "Refs/ClrSysRef"),
            payer_name=payer,
            payer_account=_text(first, "RltdPties/DbtrAcct/Id/IBAN") or _text(first, "RltdPties/DbtrAcct/Id/Othr/Id"),
            remittance=remittance,
            structured_references=tuple(
                ref for detail in details for ref in _texts(detail, "RmtInf/Strd/CdtrRefInf/Ref")
            ),
            invoice_numbers=tuple(nb for detail in details for nb in _texts(detail, "RmtInf/Strd/RfrdDocInf/Nb")),
            return_code=(return_reason or return_code_in(remittance)) if is_return else None,
            original_reference=(customer_reference or original_trace_in(remittance)) if is_return else None,
        )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise reject(f"{text!r} is not a date") from None
