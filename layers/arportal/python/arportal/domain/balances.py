"""Balances per department, from the agency's systems of record, and what to say when one cannot answer.

A department's balance comes from one source: the built-in ledger (the sum of the customer's open invoices in
that department's accounts) or a connected system (an HTTPS connector chosen by configuration).

Invariants:
- an amount is an integer of minor units in the agency's currency; an answer carrying a float, a fraction or
  another currency is refused, never converted or rounded;
- ``fresh`` is True only for an answer obtained for this request (or within the connector's short cache);
  a source that cannot answer yields its last known answer with the time it was known, or no amount at all,
  and always an ``error`` saying so, so the console can never show a stale figure as a current one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from arportal.domain.models import Invoice

LEDGER_SOURCE = "ledger"


class BalanceAnswerError(ValueError):
    """A connected system answered, but not with something we can show as a balance."""


@dataclass(frozen=True)
class AccountBalance:
    account_number: str
    amount: int


@dataclass(frozen=True)
class SourceBalance:
    source: str  # "ledger" or the connected system's name
    department: str
    amount: int | None  # None: the source could not answer and nothing was ever known
    currency: str
    as_of: datetime | None  # when the source said so
    fresh: bool
    error: str | None = None
    accounts: tuple[AccountBalance, ...] = ()

    @property
    def message(self) -> str | None:
        """What the console shows beside a balance that is not current."""
        if self.error is None:
            return None
        if self.amount is None or self.as_of is None:
            return f"{self.source} unavailable ({self.error}); no balance known yet"
        return f"{self.source} unavailable ({self.error}); last known at {self.as_of.isoformat()}"


def ledger_balance(
    department: str,
    account_numbers: Sequence[str],
    open_invoices: Iterable[Invoice],
    *,
    currency: str,
    as_of: datetime,
) -> SourceBalance:
    """The built-in ledger's answer for one department: the open balances of the customer's invoices on these
    accounts. A voided invoice owes nothing; an account with nothing open shows 0, so every account is listed."""
    wanted = set(account_numbers)
    owing = dict.fromkeys(wanted, 0)
    for invoice in open_invoices:
        if invoice.account_number in wanted and not invoice.voided and invoice.balance > 0:
            owing[invoice.account_number] += invoice.balance
    return SourceBalance(
        source=LEDGER_SOURCE,
        department=department,
        amount=sum(owing.values()),
        currency=currency,
        as_of=as_of,
        fresh=True,
        accounts=tuple(AccountBalance(n, owing[n]) for n in sorted(owing)),
    )


def unavailable(
    source: str, department: str, currency: str, *, error: str, last_known: SourceBalance | None
) -> SourceBalance:
    """The answer for a source that failed: its last good answer (if it came from the same source), marked."""
    if last_known is not None and last_known.source == source and last_known.currency == currency:
        return replace(last_known, department=department, fresh=False, error=error)
    return SourceBalance(source, department, None, currency, None, fresh=False, error=error)


def parse_answer(
    payload: object, *, account_numbers: Sequence[str], currency: str, received_at: datetime
) -> tuple[int, tuple[AccountBalance, ...], datetime]:
    """A connected system's answer -> (total, per account, as of), or ``BalanceAnswerError``.

    The contract (docs/balance-sources.md): ``{"currency": "USD", "as_of": "<ISO 8601>"?, "accounts":
    [{"account_number": "...", "balance": <integer minor units, may be negative for credit>}]}``. Only the accounts
    asked for count; an account the system does not know is left out rather than guessed as zero.
    """
    if not isinstance(payload, Mapping):
        raise BalanceAnswerError("the answer is not a JSON object")
    if payload.get("currency") != currency:
        raise BalanceAnswerError(f"the answer is in {payload.get('currency')!r}, not {currency}")
    rows = payload.get("accounts")
    if not isinstance(rows, list):
        raise BalanceAnswerError("the answer has no 'accounts' list")
    asked = set(account_numbers)
    found: dict[str, int] = {}
    for row in rows:
        if not isinstance(row, Mapping) or not isinstance(row.get("account_number"), str):
            raise BalanceAnswerError("an account entry has no account_number")
        amount = row.get("balance")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise BalanceAnswerError(f"the balance of {row['account_number']} is not an integer of minor units")
        if row["account_number"] in asked:
            found[row["account_number"]] = found.get(row["account_number"], 0) + amount
    as_of = _as_of(payload.get("as_of"), received_at)
    per_account = tuple(AccountBalance(n, found[n]) for n in sorted(found))
    return sum(found.values()), per_account, as_of


def _as_of(value: object, received_at: datetime) -> datetime:
    if value is None:
        return received_at.astimezone(UTC)
    if not isinstance(value, str):
        raise BalanceAnswerError("as_of is not a timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BalanceAnswerError("as_of is not an ISO 8601 timestamp") from exc
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class BalanceSummary:
    balances: tuple[SourceBalance, ...]
    currency: str
    total: int  # the sum of every known amount, current or last known
    complete: bool  # every source answered now; otherwise ``total`` leans on a last known figure or misses one


def summarise(balances: Iterable[SourceBalance], currency: str) -> BalanceSummary:
    ordered = tuple(sorted(balances, key=lambda b: b.department))
    return BalanceSummary(
        balances=ordered,
        currency=currency,
        total=sum(b.amount for b in ordered if b.amount is not None),
        complete=all(b.fresh for b in ordered),
    )
