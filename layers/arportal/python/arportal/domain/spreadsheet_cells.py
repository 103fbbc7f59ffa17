"""A CSV cell a spreadsheet opens as text, never as a formula (CSV injection, OWASP).

A cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``
unless it is a plain number: ``-12.50`` stays a number a spreadsheet sums. Used by every CSV we hand out: the
staff reports and exports, and an import's error report (which repeats what a source system sent).
"""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
