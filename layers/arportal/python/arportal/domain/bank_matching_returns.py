"""Rule 4 of bank matching: an ACH return (a debit the agency collected, sent back by the payer's bank) to the
payment it reverses.

The return names its original entry: its trace number or the processor's transaction id (the line's
``original_reference``, end-to-end id, or a word of the remittance text). Found, with the amount equal: 100; the
amount different: 70. Not named: the debits of the same amount collected up to 60 days before the return (NACHA's
longest return window, for unauthorized debits), scored by the payer name against the debit's customer: 90 when
exactly one fits, booked within 5 banking days of its collection, and the name scores >= 95; otherwise
40 + 0.45 x name (at most 85). Each debit is returned at most once in a run. Every candidate carries the return
reason and whether NACHA lets the debit be presented again (``nacha_returns.may_represent``; the debit's
collection date stands for the original settlement, exact for a first presentment).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from arportal.domain import nacha_returns
from arportal.domain.bank_matches import Candidate, MatchTarget, ReturnableDebit
from arportal.domain.bank_matching_index import MatchIndex, money
from arportal.domain.bank_statements import BankLine
from arportal.domain.banking_days import banking_days_between

NAMED_SCORE, NAMED_AMOUNT_DIFFERS_SCORE = 100, 70
UNNAMED_SURE_SCORE, UNNAMED_CAP = 90, 85
RETURN_WINDOW = timedelta(days=60)
SURE_WITHIN_BANKING_DAYS = 5
NAME_SURE = 95.0
_WORD = re.compile(r"[0-9A-Za-z_]{6,}")


def _key(reference: str) -> str:
    return "".join(reference.split()).upper()


@dataclass
class DebitPool:
    by_reference: dict[str, ReturnableDebit] = field(default_factory=dict)  # trace and transaction id
    by_amount: dict[tuple[str, int], list[ReturnableDebit]] = field(default_factory=lambda: defaultdict(list))
    taken: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, debits: tuple[ReturnableDebit, ...]) -> DebitPool:
        pool = cls()
        for debit in sorted(debits, key=lambda d: (d.collected_on, d.payment_id)):
            pool.by_amount[(debit.currency, debit.amount)].append(debit)
            for reference in (debit.trace_number, debit.transaction_id):
                if reference:
                    pool.by_reference[_key(reference)] = debit
        return pool


def _returning(line: BankLine, debit: ReturnableDebit, score: int, reasons: list[str]) -> Candidate:
    code = nacha_returns.normalized(line.return_code) if line.return_code else None
    first = debit.first_presented_on or debit.collected_on
    again = nacha_returns.may_represent(code, debit.presentments, first, line.booking_date)
    reasons.append(f"return reason {code or 'not given'}: {nacha_returns.reason(code or '')}")
    if again:
        reasons.append(f"may be presented again (presentment {debit.presentments} of at most 3)")
    return Candidate(
        MatchTarget.RETURN, score, tuple(reasons), customer_id=debit.customer_id, payment_id=debit.payment_id,
        return_code=code, may_represent=again,
    )  # fmt: skip


def by_original(line: BankLine, pool: DebitPool) -> list[Candidate]:
    named = [line.original_reference, line.customer_reference, *_WORD.findall(line.remittance)]
    for reference in filter(None, named):
        debit = pool.by_reference.get(_key(reference))
        if debit is None or debit.payment_id in pool.taken or debit.currency != line.currency:
            continue
        if debit.amount == abs(line.amount):
            return [_returning(line, debit, NAMED_SCORE, [f"names {reference}, payment {debit.payment_id}'s entry"])]
        reasons = [f"names {reference}, payment {debit.payment_id}'s entry",
                   f"but the payment was {money(debit.amount, debit.currency)}"]  # fmt: skip
        return [_returning(line, debit, NAMED_AMOUNT_DIFFERS_SCORE, reasons)]
    return []


def by_amount(line: BankLine, pool: DebitPool, index: MatchIndex, closures: frozenset[date]) -> list[Candidate]:
    found = [
        d for d in pool.by_amount.get((line.currency, abs(line.amount)), ())
        if d.payment_id not in pool.taken and d.collected_on <= line.booking_date <= d.collected_on + RETURN_WINDOW
    ]  # fmt: skip
    scored = sorted(
        ((index.name_score(line.payer_name, d.customer_id)[0], d) for d in found),
        key=lambda sd: (-sd[0], -sd[1].collected_on.toordinal(), sd[1].payment_id),
    )
    candidates = []
    for name, debit in scored[:3]:
        days = banking_days_between(debit.collected_on, line.booking_date, closures)
        sure = len(found) == 1 and name >= NAME_SURE and days <= SURE_WITHIN_BANKING_DAYS
        score = UNNAMED_SURE_SCORE if sure else min(UNNAMED_CAP, round(40 + 0.45 * name))
        reasons = [
            f"amount {money(debit.amount, debit.currency)} of payment {debit.payment_id}, collected "
            f"{debit.collected_on.isoformat()} ({days} banking day(s) before)",
            f"payer {line.payer_name!r} is {name:.0f}% like {index.label(debit.customer_id)}",
        ]
        if len(found) > 1:
            reasons.append(f"{len(found)} debits of this amount in the last 60 days")
        candidates.append(_returning(line, debit, score, reasons))
    return candidates
