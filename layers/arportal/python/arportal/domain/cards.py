"""Card numbers must never reach the API: anything that looks like one is refused before it is read.

"Looks like one" is 13 to 19 digits (spaces or dashes between them allowed) that pass the Luhn check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_CANDIDATE = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def looks_like_card_number(text: str) -> bool:
    for match in _CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False


def card_number_paths(value: Any, path: str = "") -> Iterator[str]:
    """The JSON paths in ``value`` whose string or integer content looks like a card number."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from card_number_paths(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from card_number_paths(child, f"{path}[{index}]")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | str) and looks_like_card_number(str(value)):
        yield path or "body"
