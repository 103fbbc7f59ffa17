"""A table that flows over as many pages as its rows need, repeating its column header on each page.

Rows are consumed one at a time (a generator is fine), drawn, and forgotten: a table of 10,000 rows never holds
more than the current page's operators uncompressed. Import it from ``arportal.adapters.pdf.writer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from arportal.adapters.pdf.text import encode_text, encoded_width, glyph_widths

if TYPE_CHECKING:
    from arportal.adapters.pdf.writer import Align, Page, PdfDocument

_PAD = 4.0
_CAP_HEIGHT = 0.718  # Helvetica's cap height, in units of the font size: centres text in its row
_ELLIPSIS = "\u2026".encode("cp1252")


@dataclass(frozen=True)
class TableColumn:
    header: str
    width: float
    align: Align = "left"


@dataclass(frozen=True)
class TableRow:
    """A row with a style; plain sequences of strings are rows too."""

    cells: Sequence[str]
    bold: bool = False
    shade: float | None = None  # background grey (0 black .. 1 white); None: the table's banding


@dataclass(frozen=True)
class TableEnd:
    """Where the table stopped: draw what follows it (totals, notes) from ``y`` down on ``page``."""

    page: Page
    y: float
    rows: int


def fit_text(doc: PdfDocument, text: str, width: float, size: float, bold: bool = False) -> str:
    """``text``, cut and ended with an ellipsis if it is wider than ``width`` points."""
    return fit_encoded(encode_text(text), width, size, bold).decode("cp1252")


def fit_encoded(encoded: bytes, width: float, size: float, bold: bool = False) -> bytes:
    """WinAnsi text cut to ``width`` points, with an ellipsis when something was cut."""
    return _fit(encoded, width, size, bold)[0]


def _fit(encoded: bytes, width: float, size: float, bold: bool) -> tuple[bytes, float]:
    full = encoded_width(encoded, size, bold)
    if full <= width:
        return encoded, full
    widths = glyph_widths(bold)
    budget = (width - encoded_width(_ELLIPSIS, size, bold)) * 1000 / size
    # Widths only add up, so the first prefix that overflows marks the cut.
    for cut, used in enumerate(accumulate(widths[code] for code in encoded)):
        if used > budget:
            fitted = encoded[:cut] + _ELLIPSIS
            return fitted, encoded_width(fitted, size, bold)
    return encoded, full


def draw_table(
    doc: PdfDocument,
    columns: Sequence[TableColumn],
    rows: Iterable[Sequence[str] | TableRow],
    *,
    on_new_page: Callable[[Page], float],
    font_size: float = 9,
    row_height: float | None = None,
    banded: bool = True,
    number_pages: bool = True,
    page: Page | None = None,
    y: float | None = None,
) -> TableEnd:
    """Draw ``rows`` under a header of ``columns``, starting at the left margin.

    Each new page is made with ``doc.new_page()`` and handed to ``on_new_page``, which draws the page's own
    header and returns the y (from the bottom) where the table starts. Pass ``page`` and ``y`` to start on a page
    you already drew (e.g. a first page with a summary above the table). With ``number_pages`` every page of the
    document is numbered "Page n of N" once all rows are drawn; leave it off for all but a document's last table.
    """
    height = row_height or round(font_size * 1.7, 2)
    if page is None or y is None:
        page = doc.new_page()
        y = on_new_page(page)
    x_left = doc.margin
    table_width = sum(c.width for c in columns)
    lefts = []
    for column in columns:
        lefts.append(x_left)
        x_left += column.width

    def draw_row(target: Page, top: float, cells: Sequence[str], *, bold: bool, shade: float | None) -> float:
        bottom = top - height
        if shade is not None:
            target.rect(doc.margin, bottom, table_width, height, fill_gray=shade, stroke=False)
        baseline = bottom + (height - _CAP_HEIGHT * font_size) / 2
        for column, left, cell in zip(columns, lefts, cells, strict=False):
            text, text_width = _fit(encode_text(cell), column.width - 2 * _PAD, font_size, bold)
            if column.align == "right":
                x = left + column.width - _PAD
            elif column.align == "center":
                x = left + column.width / 2
            else:
                x = left + _PAD
            target.encoded_text(x, baseline, text, size=font_size, bold=bold, align=column.align, width=text_width)
        return bottom

    def draw_header(target: Page, top: float) -> float:
        bottom = draw_row(target, top, [c.header for c in columns], bold=True, shade=0.85)
        target.line(doc.margin, bottom, doc.margin + table_width, bottom, width=0.75)
        return bottom

    y = draw_header(page, y)
    count = 0
    for row in rows:
        styled = row if isinstance(row, TableRow) else TableRow(cells=row)
        if y - height < page.bottom:
            page.line(doc.margin, y, doc.margin + table_width, y, width=0.75)
            page = doc.new_page()
            y = draw_header(page, on_new_page(page))
        shade = styled.shade
        if shade is None and banded and count % 2 == 1:
            shade = 0.95
        y = draw_row(page, y, styled.cells, bold=styled.bold, shade=shade)
        count += 1
    page.line(doc.margin, y, doc.margin + table_width, y, width=0.75)
    if number_pages:
        number_all_pages(doc)
    return TableEnd(page=page, y=y, rows=count)


def number_all_pages(doc: PdfDocument, *, size: float = 8) -> None:
    """ "Page n of N" centred in the bottom margin of every page."""
    total = len(doc.pages)
    for page in doc.pages:
        page.text(page.width / 2, doc.margin / 2, f"Page {page.number} of {total}", size=size, align="center", gray=0.3)
