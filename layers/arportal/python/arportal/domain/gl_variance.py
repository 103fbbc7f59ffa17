"""The subledger-to-GL variance and the GL side of revenue recognition accuracy (docs/finance.md "Metrics").

The GL side of a receipt is what the day's journal credited for it: the ``payment`` lines on revenue and credit
held (those naming an invoice or a credit note; not the clearing debit, the convenience fee nor the interfund
lines), net of debits, over every batch of the day (a correction's reversal mirrors its batch, so the two cancel
and the replacement counts). The subledger side is the daily totals' ``rcv.amt``: each payment ever applied,
for its amount, on the day it was taken (the day its ``payment.posted`` / ``payment.pending`` event was
journaled).

The journal of banking day J takes the calendar days after the previous banking day up to J, so a range of days
is compared over the journals that take them: from the day after the banking day before the first one's journal,
to the last one's journal day (a range ending on a Saturday reaches Monday's journal, and Monday's Sunday).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from arportal.domain.banking_days import NO_CLOSURES, is_banking_day, next_banking_day, previous_banking_day
from arportal.domain.journals import Journal

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class JournalDay:
    """What the GL holds for one banking day's journal, over all its batches."""

    day: date
    receipts: dict[str, int]  # currency -> net credits of payment lines on revenue and credit held
    corrected: bool  # one of its batches was reversed by a correction: its receipts were posted again


@dataclass(frozen=True)
class GlVariance:
    period_start: date  # the calendar days the compared journals take
    period_end: date
    subledger: int
    gl: int
    variance: int  # subledger - gl; a day without its journal counts as nothing in the GL
    available: bool  # every journal of the period is stored
    missing_days: list[date]  # banking days of the period without a journal


def receipts_of_lines(lines: Iterable[tuple[str, str, int, int, bool]]) -> dict[str, int]:
    """Net credits per currency of ``(kind, currency, debit, credit, names an invoice or credit note)`` lines of
    kind ``payment`` that name an invoice (revenue) or a credit note (credit held)."""
    out: dict[str, int] = {}
    for kind, currency, debit, credit, on_revenue in lines:
        if kind == "payment" and on_revenue:
            out[currency] = out.get(currency, 0) + credit - debit
    return out


def receipts_of_journal(journal: Journal) -> dict[str, int]:
    """The same, from a journal as built (stored on its batch: ``JournalBatch.receipts``)."""
    return receipts_of_lines(
        (x.kind, x.currency, x.debit, x.credit, bool(x.source.invoice_id or x.source.credit_note_id))
        for x in journal.lines
    )


def receipts_of_json(document: Mapping[str, Any]) -> dict[str, int]:
    """The same, from a batch's stored JSON file (docs/finance.md "The files")."""
    return receipts_of_lines(
        (
            str(line.get("kind")),
            str(line.get("currency")),
            int(line.get("debit", 0)),
            int(line.get("credit", 0)),
            bool((line.get("source") or {}).get("invoice_id") or (line.get("source") or {}).get("credit_note_id")),
        )
        for line in document.get("lines", [])
    )


def journal_day_of(day: date, closures: frozenset[date] = NO_CLOSURES) -> date:
    """The banking day whose journal takes ``day``'s movements."""
    return day if is_banking_day(day, closures) else next_banking_day(day, closures)


def journal_days(start: date, end: date, closures: frozenset[date] = NO_CLOSURES) -> list[date]:
    """The banking days whose journals take the days of the range, in order."""
    if end < start:
        return []
    last = journal_day_of(end, closures)
    days = [journal_day_of(start, closures)]
    while days[-1] < last:
        days.append(next_banking_day(days[-1], closures))
    return days


def covered(days: list[date], closures: frozenset[date] = NO_CLOSURES) -> tuple[date, date]:
    """The calendar days the journals of ``days`` (in order) take."""
    return previous_banking_day(days[0], closures) + _DAY, days[-1]


def taken_by(journal_day: date, closures: frozenset[date] = NO_CLOSURES) -> list[date]:
    """The calendar days one banking day's journal takes."""
    first = previous_banking_day(journal_day, closures) + _DAY
    return [first + i * _DAY for i in range((journal_day - first).days + 1)]


def gl_variance(
    received: Mapping[date, int],
    journals: Mapping[date, JournalDay | None],
    *,
    currency: str,
    closures: frozenset[date] = NO_CLOSURES,
) -> GlVariance:
    """``received``: the subledger's ``rcv.amt`` per calendar day; ``journals``: each banking day of the period
    (``journal_days``) with what its journal holds, or None when it has none."""
    days = sorted(journals)
    start, end = covered(days, closures)
    subledger = sum(v for d, v in received.items() if start <= d <= end)
    gl = sum(j.receipts.get(currency, 0) for j in journals.values() if j is not None)
    missing = [d for d in days if journals[d] is None]
    return GlVariance(start, end, subledger, gl, subledger - gl, not missing, missing)


def corrected_days(journals: Mapping[date, JournalDay | None], closures: frozenset[date] = NO_CLOSURES) -> set[date]:
    """The calendar days whose receipts a correction posted again (every line of a corrected batch is reversed)."""
    return {d for j in journals.values() if j is not None and j.corrected for d in taken_by(j.day, closures)}
