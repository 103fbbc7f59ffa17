"""Bank transactions: each line of a bank file, stored once by its ``line_key`` whatever file brought it.

    BANKLINE#<line_key>   LINE    the line as the bank gave it, the file that first brought it, its account, its
                                  status (received -> matched | suggested | unmatched | ignored -> decided), the
                                  match (score, reasons, suggestions) and what applying it did.

    BANKFILE#<file_id>    SEEN#<line_key>   a line this file carried that an earlier file brought (a pointer)

ByActivityDay DAYPK = BANKFILE#<file_id>, DAYSK = <line_key>: the lines a file carried, on the line itself when the
file brought it first, else on the pointer (the file's page).
OpenItems OPK = BANKLINES#<status>, OSK = <booking date>#<line_key>: the lines of one status, by booking date (the
unmatched queue reads ``suggested`` and ``unmatched``).

The line and its match are kept as maps of the domain's own fields (``bank_statements.BankLine``,
``bank_matches.LineMatch``), so a decision on the queue reads back exactly what matching saw.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from arportal.domain.bank_matches import Allocation, Candidate, LineMatch, MatchOutcome, MatchTarget
from arportal.domain.bank_statements import BankLine, LineKind
from arportal.ports.bank_files import StoredLine

QUEUE_PREFIX = "BANKLINES#"


def line_key(key: str) -> dict[str, str]:
    return {"PK": f"BANKLINE#{key}", "SK": "LINE"}


def file_lines_partition(file_id: str) -> str:
    return f"BANKFILE#{file_id}"


def queue_partition(status: str) -> str:
    return f"{QUEUE_PREFIX}{status}"


def queue_attributes(line: BankLine, status: str) -> dict[str, str]:
    return {"OPK": queue_partition(status), "OSK": f"{line.booking_date.isoformat()}#{line.line_key}"}


def mention_item(key: str, file_id: str) -> dict[str, Any]:
    return {
        "PK": file_lines_partition(file_id),
        "SK": f"SEEN#{key}",
        "type": "bank_line_seen",
        "DAYPK": file_lines_partition(file_id),
        "DAYSK": key,
        "line_key": key,
    }


def line_item(line: BankLine, *, file_id: str, account_id: str, status: str, at: datetime) -> dict[str, Any]:
    return {
        **line_key(line.line_key),
        "type": "bank_line",
        "DAYPK": file_lines_partition(file_id),
        "DAYSK": line.line_key,
        **queue_attributes(line, status),
        "line_key": line.line_key,
        "file_id": file_id,
        "account_id": account_id,
        "status": status,
        "received_at": at.isoformat(),
        "line": line_to_map(line),
    }


def stored_line_from_item(item: dict[str, Any]) -> StoredLine:
    match = item.get("match")
    return StoredLine(
        line=line_from_map(item["line"]),
        file_id=str(item["file_id"]),
        account_id=str(item["account_id"]),
        status=str(item["status"]),
        match=match_from_map(match) if match else None,
        applied=_plain(item["applied"]) if item.get("applied") else None,
    )


def line_to_map(line: BankLine) -> dict[str, Any]:
    raw = asdict(line)
    raw["booking_date"] = line.booking_date.isoformat()
    raw["value_date"] = line.value_date.isoformat() if line.value_date else None
    raw["kind"] = line.kind.value
    raw["structured_references"] = list(line.structured_references)
    raw["invoice_numbers"] = list(line.invoice_numbers)
    return raw


def line_from_map(raw: dict[str, Any]) -> BankLine:
    fields = dict(raw)
    fields["booking_date"] = date.fromisoformat(str(raw["booking_date"]))
    fields["value_date"] = date.fromisoformat(str(raw["value_date"])) if raw.get("value_date") else None
    fields["amount"] = int(raw["amount"])
    fields["kind"] = LineKind(raw["kind"])
    fields["structured_references"] = tuple(raw.get("structured_references") or ())
    fields["invoice_numbers"] = tuple(raw.get("invoice_numbers") or ())
    return BankLine(**fields)


def match_to_map(match: LineMatch) -> dict[str, Any]:
    plain: dict[str, Any] = _plain(asdict(match))
    return plain


def match_from_map(raw: dict[str, Any]) -> LineMatch:
    best = raw.get("best")
    return LineMatch(
        line_key=str(raw["line_key"]),
        outcome=MatchOutcome(raw["outcome"]),
        best=candidate_from_map(best) if best else None,
        suggestions=tuple(candidate_from_map(c) for c in raw.get("suggestions") or ()),
    )


def candidate_from_map(raw: dict[str, Any]) -> Candidate:
    return Candidate(
        target=MatchTarget(raw["target"]),
        score=int(raw["score"]),
        reasons=tuple(str(r) for r in raw.get("reasons") or ()),
        deposit_id=raw.get("deposit_id"),
        deposit_ids=tuple(str(d) for d in raw.get("deposit_ids") or ()),
        customer_id=raw.get("customer_id"),
        allocations=tuple(
            Allocation(invoice_id=str(a["invoice_id"]), customer_id=str(a["customer_id"]), amount=int(a["amount"]))
            for a in raw.get("allocations") or ()
        ),
        payment_id=raw.get("payment_id"),
        return_code=raw.get("return_code"),
        may_represent=bool(raw.get("may_represent", False)),
    )


def _plain(value: Any) -> Any:
    """Maps, lists and numbers as JSON has them: DynamoDB's Decimals back to int, tuples and enums to lists and
    strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, int):
        return value
    if hasattr(value, "as_integer_ratio"):  # Decimal from DynamoDB: the ledger stores only integers here
        return int(value)
    return str(value)
