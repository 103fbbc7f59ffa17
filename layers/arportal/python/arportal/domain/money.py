"""Money: an integer count of minor units plus an ISO 4217 currency.

Invariants kept by this module:
- an amount is never a float; arithmetic between different currencies is an error, not a conversion;
- ``allocate`` splits a total into parts that always add up to the total exactly (largest remainder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# Minor-unit exponents of the currencies an agency is likely to bill in; anything else defaults to 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JOD": 3}


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined."""


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount. ``Money(1250, "USD")`` is $12.50."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise TypeError(f"Money needs integer minor units, got {type(self.minor).__name__}")
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isupper()):
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def is_zero(self) -> bool:
        return self.minor == 0

    def is_positive(self) -> bool:
        return self.minor > 0

    def min(self, other: Money) -> Money:
        self._same(other)
        return self if self.minor <= other.minor else other

    def to_decimal(self) -> Decimal:
        """The amount in major units, exactly (for display and CSV, never for arithmetic)."""
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def format(self) -> str:
        """``12.50 USD``: unambiguous in any locale, and what the CSV exports use."""
        places = exponent(self.currency)
        return f"{self.to_decimal():.{places}f} {self.currency}"

    def as_dict(self) -> dict[str, int | str]:
        return {"amount": self.minor, "currency": self.currency}


def total(amounts: Sequence[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def allocate(whole: Money, weights: Sequence[int]) -> list[Money]:
    """Split ``whole`` in proportion to non-negative integer ``weights``; the parts sum to ``whole``.

    Largest-remainder method: each part gets the floor of its exact share, then the minor units left
    over go one each to the parts with the largest remainders (earlier parts win ties), so no
    rounding can create or lose a cent.
    """
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    weight_sum = sum(weights)
    if not weights or weight_sum == 0:
        raise ValueError("at least one positive weight is needed")
    sign = -1 if whole.minor < 0 else 1
    magnitude = abs(whole.minor)
    floors = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    leftover = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Money(sign * part, whole.currency) for part in floors]
