"""Several lines, one invoice: the lines of one payer in a file that together pay one open invoice (a payer who
splits a bill across two wires, or pays it in instalments that the bank reports on one day).

Lines are grouped by payer name key and currency; a group of 2 to 8 lines is searched for subsets of two or more
lines whose sum is an open invoice's balance (within the tolerance) of a customer whose name the payer's resembles
(>= 90, ``MatchIndex.customers_named``). The largest such subset wins, the closest sum first. Built once per
``match`` call; groups are small, so the search is bounded (at most 2^8 subsets a group, each a binary search among
the open invoices of the customers named like the payer). When several customers' invoices fit, none is applied.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from arportal.domain.bank_matches import MatchSettings, OpenInvoice
from arportal.domain.bank_matching_index import MatchIndex, name_key
from arportal.domain.bank_statements import BankLine, LineKind

PAYER_KINDS = frozenset({LineKind.ACH_CREDIT, LineKind.WIRE, LineKind.LOCKBOX, LineKind.OTHER_CREDIT})
MAX_GROUP_LINES = 8
NAME_FLOOR = 90.0
INVOICES_PER_CUSTOMER = 50


@dataclass(frozen=True)
class SharedInvoice:
    invoice: OpenInvoice
    others: int  # the other lines paying it with this one
    total: int  # what the lines sum to
    unique: bool  # no other customer named like the payer has an invoice these lines fit


class SharedInvoices:
    """Each line's group (its payer's other lines in the file), searched only when a line of it first needs it:
    most lines are matched by a reference or a number before this rule is reached."""

    def __init__(self, lines: Sequence[BankLine], index: MatchIndex, settings: MatchSettings) -> None:
        self._lines, self._index, self._tolerance = lines, index, settings.amount_tolerance
        self._groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._group_of: dict[int, tuple[str, str]] = {}
        for position, line in enumerate(lines):
            if line.kind in PAYER_KINDS and line.amount > 0 and (key := name_key(line.payer_name or "")):
                self._groups[(key, line.currency)].append(position)
                self._group_of[position] = (key, line.currency)
        self._found: dict[tuple[str, str], dict[int, SharedInvoice]] = {}

    def of(self, position: int, settled: Callable[[int], bool]) -> SharedInvoice | None:
        """The invoice the line at ``position`` pays with other lines of its payer not ``settled`` already."""
        group = self._group_of.get(position)
        if group is None:
            return None
        if group not in self._found:
            self._found[group] = self._search([p for p in self._groups[group] if not settled(p)], group[1])
        return self._found[group].get(position)

    def _search(self, positions: list[int], currency: str) -> dict[int, SharedInvoice]:
        if not 2 <= len(positions) <= MAX_GROUP_LINES:
            return {}
        owed = sorted(
            ((i.balance, i.invoice_id, i)
             for hit in self._index.customers_named(self._lines[positions[0]].payer_name)
             for i in self._index.invoices_of.get(hit.customer_id, ())[:INVOICES_PER_CUSTOMER]
             if i.currency == currency and not self._index.taken.get(i.invoice_id)),
            key=lambda o: (o[0], o[1]),
        )  # fmt: skip
        found = _best_subset(self._lines, positions, [o[0] for o in owed], [o[2] for o in owed], self._tolerance)
        if not found:
            return {}
        subset, fitting, total = found
        unique = len({i.customer_id for i in fitting}) == 1
        return {p: SharedInvoice(fitting[0], len(subset) - 1, total, unique) for p in subset}


def _best_subset(
    lines: Sequence[BankLine], positions: list[int], balances: list[int], owed: list[OpenInvoice], tolerance: int
) -> tuple[tuple[int, ...], list[OpenInvoice], int] | None:
    """The largest subset of the lines (two or more) whose sum fits an invoice of ``owed`` (sorted by balance),
    the closest fit first, with every invoice it fits as closely."""
    for size in range(len(positions), 1, -1):
        best: tuple[int, tuple[int, ...], list[OpenInvoice], int] | None = None
        for subset in combinations(positions, size):
            total = sum(lines[p].amount for p in subset)
            low, high = (
                bisect.bisect_left(balances, total - tolerance),
                bisect.bisect_right(balances, total + tolerance),
            )
            if low == high:
                continue
            gap = min(abs(b - total) for b in balances[low:high])
            if best is None or gap < best[0]:
                fitting = [owed[k] for k in range(low, high) if abs(balances[k] - total) == gap]
                best = (gap, subset, fitting, total)
        if best:
            return best[1], best[2], best[3]
    return None
