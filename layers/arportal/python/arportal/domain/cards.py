"""Card numbers must never reach the API: anything that looks like one is refused before it is read.

How a text is judged
--------------------

1. **Normalise.** Unicode NFKC (full-width digits U+FF10-U+FF19 become ASCII, circled and superscript digits become
   digits); every Unicode decimal digit (``unicodedata.decimal``: Arabic-Indic U+0660-U+0669, Devanagari, ...)
   becomes its ASCII digit; invisible characters are dropped outright (format characters such as the zero-width
   space, joiners, the BOM and bidi marks; combining marks; the other default-ignorable code points such as
   variation selectors and Hangul fillers). A digit string split by invisible characters *is* one run of digits
   to whoever reads it, so it is one run here too, whatever its grouping.

2. **Find words.** A *word* is a run of letters and digits; between two words there is a *separator*: any run of
   other characters (spaces of any kind and number, newlines, tabs, ``.`` ``-`` ``/`` ``_`` ``,`` ...). A word
   of digits only is a *digit group*.

3. **Judge.** A candidate passes the Luhn check and has 13 to 19 digits. The candidates are:

   - every digit group of 13 to 19 digits on its own (``4954692227382654``), and such a run of digits inside a
     word with letters (``card4954692227382654``), unless the word is hexadecimal (a UUID's or a hash's digits);
   - consecutive digit groups of **3 to 6 digits** joined through the separators between them: the whole chain
     of such groups (``4954.6922 2738/2654``), and any stretch of it written with one separator (in
     ``ref 123: 4954.6922.2738.2654`` the ``.``-separated stretch; whitespace around a separator does not count,
     so ``4242 - 4242`` and ``4242-4242`` are the same separator). A word with letters, or a digit group of 1-2 or
     7+ digits, ends a chain.

Why groups of 3 to 6 digits
---------------------------

Card numbers are written in groups of 4 (4-4-4-4, 4-4-4-4-3 for 19 digits), or 4-6-5 / 4-6-4 (Amex, Diners):
always groups of 3 to 6. Dates and times are written in groups of 1 or 2 (``2026-12-02 12:00:00`` is 4-2-2-2-2-2:
14 digits that would pass the Luhn check one time in ten), and so are amounts' cents; a minimum of 3 keeps every
date, time, timestamp and amount out of any join, and a maximum of 6 keeps long references (``1234567890 1234``)
from being glued onto short numbers. Digits in a word with letters never join others: ULIDs, UUIDs, hashes and
our prefixed ids (``pay_01J...``, ``UT-200001``, ``R-2611-7K3M9Q``) are ids, not numbers written in groups (a UUID
``0af50512-1709-4984-...`` would otherwise join ``50512``, ``1709`` and ``4984``).

The trade-off, stated: a number spelled digit by digit or in pairs (``42 42 42 ...``) is not joined (a deliberate
spelling; nothing refuses ``four two four two`` either), nor is one glued to a hexadecimal word
(``abc4954692227382654``). A list of three or more 3-to-6-digit numbers joined only by punctuation
(``1001, 1002, 1003, 1004``, two phone numbers run together, ``192.168.100.200:8080``) is refused about one time
in ten for each 13-to-19-digit stretch it holds, as a plain run of 13 to 19 digits (an E.164 phone number such as
``+8613800138000``, a timestamp in milliseconds) always was. Those are rare in what this API takes, and the
refusal names the field, so the person rewords it; a card number kept in a note is a breach that cannot be
undone.

A number inside a longer run of digits (more than 19, or a group of 7 to 12 digits next to others) is not looked
for: long references and barcodes would trip it constantly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

MIN_DIGITS, MAX_DIGITS = 13, 19
MIN_GROUP, MAX_GROUP = 3, 6

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) beyond the format (Cf) and mark (Mn, Me) categories.
_IGNORABLE_RANGES = (
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})


class _Fold(dict[int, int | None]):
    """``str.translate`` table, filled on first sight of each code point: decimal digit -> ASCII digit,
    invisible -> removed, anything else -> itself."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        folded: int | None = code
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES or any(a <= code <= b for a, b in _IGNORABLE_RANGES):
            folded = None
        else:
            digit = unicodedata.decimal(char, None)
            if digit is not None:
                folded = ord("0") + digit
        self[code] = folded
        return folded


_FOLD = _Fold()
# Words: maximal runs of letters and digits. Between two words there is always a separator: anything but letters
# and digits ("_" is a separator too).
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"[0-9]+")
_HEX_WORD = re.compile(r"[0-9A-Fa-f]+")
_SPACE = re.compile(r"\s+")
_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2d, minus 9 when it is over 9


def normalise(text: str) -> str:
    """``text`` as it is judged: NFKC, every decimal digit in ASCII, invisible characters gone."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


def luhn_valid(digits: str) -> bool:
    odd = digits[::-1][0::2]
    even = digits[::-1][1::2].translate(_DOUBLED)
    return sum(map(int, odd + even)) % 10 == 0


def _is_card(digits: str) -> bool:
    return MIN_DIGITS <= len(digits) <= MAX_DIGITS and luhn_valid(digits)


def _separator_kind(separator: str) -> str:
    return _SPACE.sub("", separator) or " "


@lru_cache(maxsize=1 << 16)
def _luhn_sums(digits: str) -> tuple[int, int]:
    """Luhn sums of ``digits`` when its last digit is at an even (not doubled) or odd (doubled) place from the right:
    a stretch's sum is the sum of its groups' sums, each picked by the number of digits to its right."""
    backwards = digits[::-1]
    plain, doubled = backwards[0::2], backwards[1::2]
    return (
        sum(map(int, plain + doubled.translate(_DOUBLED))),
        sum(map(int, plain.translate(_DOUBLED) + doubled)),
    )


def _run_spans(run: list[tuple[int, int, str]], kinds: list[str]) -> Iterator[tuple[int, int]]:
    """A run of 3-to-6-digit groups: the whole run, and every stretch of it written with one separator."""
    if len(run) < 2:
        return
    if _is_card("".join(g[2] for g in run)):
        yield run[0][0], run[-1][1]
    sums = [_luhn_sums(g[2]) for g in run]
    for last in range(1, len(run)):
        length, total = len(run[last][2]), sums[last][0]
        for first in range(last - 1, -1, -1):
            if kinds[first] != kinds[last - 1]:
                break
            total += sums[first][length % 2]
            length += len(run[first][2])
            if length > MAX_DIGITS:
                break
            if length >= MIN_DIGITS and total % 10 == 0:
                yield run[first][0], run[last][1]


def card_number_spans(normalised: str) -> Iterator[tuple[int, int]]:
    """Where card numbers are in an already ``normalise``-d text (possibly overlapping spans)."""
    run: list[tuple[int, int, str]] = []  # consecutive words of 3 to 6 digits
    kinds: list[str] = []  # kinds[i]: the separator between run[i] and run[i + 1]
    for word in _WORD.finditer(normalised):
        text, start, end = word.group(), word.start(), word.end()
        if _DIGITS.fullmatch(text):
            if _is_card(text):
                yield start, end
            if MIN_GROUP <= len(text) <= MAX_GROUP:
                if run:
                    kinds.append(_separator_kind(normalised[run[-1][1] : start]))
                run.append((start, end, text))
                continue
        elif not _HEX_WORD.fullmatch(text):
            # Letters and digits in one word: an identifier's digits never join others, but a whole card number
            # in it is one (``card4954692227382654``). Hexadecimal words (UUIDs, hashes) are ids through and through.
            for digits in _DIGITS.finditer(text):
                if _is_card(digits.group()):
                    yield start + digits.start(), start + digits.end()
        yield from _run_spans(run, kinds)
        run, kinds = [], []
    yield from _run_spans(run, kinds)


def looks_like_card_number(text: str) -> bool:
    return next(card_number_spans(normalise(text)), None) is not None


def redact_card_numbers(text: str, replacement: str = "[card number removed]") -> str:
    """``text`` with every card number in it replaced (normalised where it had one): for logging what was sent."""
    normal = normalise(text)
    merged: list[list[int]] = []
    for start, end in sorted(card_number_spans(normal)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return text
    kept, position = [], 0
    for start, end in merged:
        kept += [normal[position:start], replacement]
        position = end
    kept.append(normal[position:])
    return "".join(kept)


def _scalar_text(value: Any) -> str | None:
    """The text of a JSON scalar as a card number could hide in it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
        return None  # more than 19 digits: not a card number (and str() of a huge int is refused by Python)
    return repr(value)


KEY_PLACEHOLDER = "<key>"


def card_number_paths(value: Any, path: str = "") -> Iterator[str]:
    """The JSON paths in ``value`` whose key, string or number looks like a card number.

    A key that looks like one is named ``<key>`` in the path: a path never repeats a card number. Iterative,
    so a deeply nested value cannot exhaust the stack."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            children = []
            for key, child in item.items():
                name = KEY_PLACEHOLDER if looks_like_card_number(str(key)) else str(key)
                child_path = f"{where}.{name}" if where else name
                if name == KEY_PLACEHOLDER:
                    yield child_path
                children.append((child_path, child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{where}[{index}]", child) for index, child in enumerate(item)]))
        else:
            text = _scalar_text(item)
            if text is not None and looks_like_card_number(text):
                yield where or "body"
