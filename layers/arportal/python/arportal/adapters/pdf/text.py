"""Text for the standard Helvetica faces: WinAnsi encoding with sensible replacements, and widths."""

from __future__ import annotations

import unicodedata

from arportal.adapters.pdf.metrics import HELVETICA, HELVETICA_BOLD

_FALLBACK = {
    "\u2212": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2032": "'",
    "\u2033": '"',
    "\u2264": "<=",
    "\u2265": ">=",
    "\u0141": "L",  # no decomposition: Ł and ł are letters of their own
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
}
_WIDTHS = {False: (0,) * 32 + HELVETICA, True: (0,) * 32 + HELVETICA_BOLD}
_CONTROLS_AS_SPACES = bytes([32] * 32 + list(range(32, 256)))  # tabs, newlines: a line of text stays one line


def _fallback_char(ch: str) -> bytes:
    if ch in _FALLBACK:
        return _FALLBACK[ch].encode("cp1252")
    if unicodedata.category(ch) in {"Cc", "Zl", "Zp"}:
        return b" "  # tabs and newlines would otherwise shift or break a line of text
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    try:
        return base.encode("cp1252") if base and base != ch else b"?"
    except UnicodeEncodeError:
        return b"?"


def encode_text(text: str) -> bytes:
    """``text`` in WinAnsiEncoding (Windows-1252), characters outside it replaced sensibly."""
    try:
        encoded = text.encode("cp1252")
    except UnicodeEncodeError:
        encoded = b"".join(_encode_char(ch) for ch in text)
    return encoded.translate(_CONTROLS_AS_SPACES)


def _encode_char(ch: str) -> bytes:
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        return _fallback_char(ch)


def glyph_widths(bold: bool = False) -> tuple[int, ...]:
    """Widths in 1/1000 of the font size, indexed by WinAnsi code (0..255)."""
    return _WIDTHS[bold]


def encoded_width(encoded: bytes, size: float, bold: bool = False) -> float:
    """Width in points of WinAnsi-encoded text at ``size``."""
    widths = _WIDTHS[bold]
    return sum(map(widths.__getitem__, encoded)) * size / 1000
