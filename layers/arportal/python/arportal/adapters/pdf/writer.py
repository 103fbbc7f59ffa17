"""A small PDF 1.4 writer: text in Helvetica, lines, rectangles, JPEG images and paginated tables.

No third-party library: reportlab and friends are not in the Lambda layer, and documents here need only text,
rules, boxes and a logo. Coordinates are PDF points (1/72 inch) from the page's bottom-left corner, y growing
upward, as in the PDF specification; ``page.top`` / ``page.bottom`` give the margins' edges.

Text uses the standard Helvetica and Helvetica-Bold faces (every reader has them, nothing is embedded) in
WinAnsiEncoding; a character outside it is replaced by its unaccented form, a near equivalent, or ``?``.

Memory stays bounded for long documents: when a new page starts, the previous page's drawing operations are
compressed into one stream, so a 200-page statement holds ~0.5 MB rather than millions of small strings.
Drawing on an earlier page afterwards (page numbers) is allowed and adds a second content stream to it.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

from arportal import clock
from arportal.adapters.pdf.text import encode_text, encoded_width

Align = Literal["left", "right", "center"]


@lru_cache(maxsize=8192)  # coordinates repeat on every page (column edges, row baselines): format each once
def _num(value: float) -> str:
    """A coordinate to 1/100 point, without trailing zeros (hot: called for every operator)."""
    text = f"{value:.2f}"
    if text.endswith("00"):
        return text[:-3]
    return text[:-1] if text.endswith("0") else text


def _literal(encoded: bytes) -> bytes:
    return b"(" + encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _info_string(text: str) -> bytes:
    """Document-information strings in UTF-16BE (any character survives, unlike WinAnsi)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


class Page:
    """One page. Drawing methods append PDF operators; nothing is laid out for you beyond alignment."""

    def __init__(self, doc: PdfDocument, number: int) -> None:
        self.doc = doc
        self.number = number  # 1-based
        self.width, self.height = doc.page_size
        self._ops: list[bytes] = []
        self._sealed: list[bytes] = []  # compressed content streams already finished
        self._images: set[str] = set()

    @property
    def top(self) -> float:
        return self.height - self.doc.margin

    @property
    def bottom(self) -> float:
        return self.doc.margin

    @property
    def left(self) -> float:
        return self.doc.margin

    @property
    def right(self) -> float:
        return self.width - self.doc.margin

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10,
        bold: bool = False,
        align: Align = "left",
        gray: float = 0.0,
    ) -> float:
        """Draw one line of ``text`` with its baseline at ``y``; returns its width in points."""
        return self.encoded_text(x, y, encode_text(text), size=size, bold=bold, align=align, gray=gray)

    def encoded_text(
        self,
        x: float,
        y: float,
        encoded: bytes,
        *,
        size: float = 10,
        bold: bool = False,
        align: Align = "left",
        gray: float = 0.0,
        width: float | None = None,
    ) -> float:
        """``text`` for text already in WinAnsi (``encode_text``), with its ``width`` if it was measured."""
        if width is None:
            width = encoded_width(encoded, size, bold)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        font = "/F2" if bold else "/F1"
        op = f"BT {font} {_num(size)} Tf {_num(x)} {_num(y)} Td ".encode() + _literal(encoded) + b" Tj ET\n"
        # A fill colour set for grey text would outlive ET; q/Q keeps it to this text alone.
        self._ops.append(f"q {_num(gray)} g ".encode() + op + b"Q\n" if gray else op)
        return width

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5, gray: float = 0.0) -> None:
        self._ops.append(
            f"q {_num(width)} w {_num(gray)} G {_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S Q\n".encode()
        )

    def rect(
        self, x: float, y: float, w: float, h: float, *, fill_gray: float | None = None, stroke: bool = True
    ) -> None:
        """A rectangle with its lower-left corner at (x, y), filled with ``fill_gray`` (0 black .. 1 white)."""
        if fill_gray is None and not stroke:
            return
        paint = "B" if fill_gray is not None and stroke else ("f" if fill_gray is not None else "S")
        fill = f"{_num(fill_gray)} g " if fill_gray is not None else ""
        self._ops.append(f"q 0.5 w {fill}{_num(x)} {_num(y)} {_num(w)} {_num(h)} re {paint} Q\n".encode())

    def jpeg(self, x: float, y: float, w: float, h: float, data: bytes) -> None:
        """Draw a JPEG scaled into the box (lower-left corner at x, y); the same bytes are stored once per file."""
        name = self.doc.register_jpeg(data)
        self._images.add(name)
        self._ops.append(f"q {_num(w)} 0 0 {_num(h)} {_num(x)} {_num(y)} cm /{name} Do Q\n".encode())

    def seal(self) -> None:
        """Compress what has been drawn so far; later drawing goes into another content stream."""
        if self._ops:
            self._sealed.append(zlib.compress(b"".join(self._ops), 6))
            self._ops = []

    def streams(self) -> list[bytes]:
        self.seal()
        return self._sealed


class JpegInfo:
    def __init__(self, data: bytes) -> None:
        self.width, self.height, self.components = _jpeg_size(data)
        self.data = data


def _jpeg_size(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour components from the JPEG's start-of-frame marker."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG (no SOI marker)")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("malformed JPEG: expected a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height, data[pos + 9]
        pos += 2 + length
    raise ValueError("malformed JPEG: no start-of-frame marker")


class PdfDocument:
    def __init__(
        self,
        title: str,
        *,
        author: str = "",
        page_size: tuple[float, float] = (612, 792),
        margin: float = 54,
        created_at: datetime | None = None,
    ) -> None:
        self.title = title
        self.author = author
        self.page_size = page_size
        self.margin = margin
        self.created_at = created_at or clock.now()
        self.pages: list[Page] = []
        self._images: dict[str, JpegInfo] = {}
        self._image_names: dict[str, str] = {}

    @property
    def width(self) -> float:
        return self.page_size[0]

    @property
    def height(self) -> float:
        return self.page_size[1]

    def new_page(self) -> Page:
        if self.pages:
            self.pages[-1].seal()
        page = Page(self, len(self.pages) + 1)
        self.pages.append(page)
        return page

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        return self.encoded_width(encode_text(text), size, bold)

    @staticmethod
    def encoded_width(encoded: bytes, size: float, bold: bool = False) -> float:
        return encoded_width(encoded, size, bold)

    def register_jpeg(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self._image_names:
            info = JpegInfo(data)  # validates before the image is referenced
            name = f"Im{len(self._image_names) + 1}"
            self._image_names[digest] = name
            self._images[name] = info
        return self._image_names[digest]

    def to_bytes(self) -> bytes:
        if not self.pages:
            self.new_page()  # a PDF needs at least one page
        return b"".join(_serialize(self))


def _serialize(doc: PdfDocument) -> Iterator[bytes]:
    """Objects: 1 catalog, 2 page tree, 3-4 fonts, 5 info, then images, then each page and its streams."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(dictionary: bytes, data: bytes) -> bytes:
        return b"<< " + dictionary + f" /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"

    add(b"<< /Type /Catalog /Pages 2 0 R /Lang (en-US) >>")  # the language a screen reader speaks it in
    add(b"")  # the page tree, filled in once the pages' object numbers are known
    for font in (b"Helvetica", b"Helvetica-Bold"):
        add(b"<< /Type /Font /Subtype /Type1 /BaseFont /" + font + b" /Encoding /WinAnsiEncoding >>")
    stamp = doc.created_at.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")
    add(
        b"<< /Title "
        + _info_string(doc.title)
        + b" /Author "
        + _info_string(doc.author)
        + b" /Producer (Receivables Portal) /CreationDate ("
        + stamp.encode()
        + b") >>"
    )
    image_refs: dict[str, int] = {}
    colour = {1: b"/DeviceGray", 3: b"/DeviceRGB", 4: b"/DeviceCMYK"}
    for name, info in doc._images.items():
        space = colour.get(info.components, b"/DeviceRGB")
        header = (
            f"/Type /XObject /Subtype /Image /Width {info.width} /Height {info.height} /ColorSpace ".encode()
            + space
            + b" /BitsPerComponent 8 /Filter /DCTDecode"
        )
        image_refs[name] = add(stream(header, info.data))
    page_refs = []
    w, h = _num(doc.width), _num(doc.height)
    for page in doc.pages:
        contents = [add(stream(b"/Filter /FlateDecode", data)) for data in page.streams()]
        xobjects = " ".join(f"/{n} {image_refs[n]} 0 R" for n in sorted(page._images))
        resources = "/Font << /F1 3 0 R /F2 4 0 R >>" + (f" /XObject << {xobjects} >>" if xobjects else "")
        refs = " ".join(f"{c} 0 R" for c in contents)
        box = f"/MediaBox [0 0 {w} {h}]"
        page_refs.append(
            add(f"<< /Type /Page /Parent 2 0 R {box} /Resources << {resources} >> /Contents [{refs}] >>".encode())
        )
    kids = " ".join(f"{r} 0 R" for r in page_refs)
    objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_refs)} >>".encode()

    header = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    position = len(header)
    yield header
    for number, body in enumerate(objects, start=1):
        chunk = f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        offsets.append(position)
        position += len(chunk)
        yield chunk
    xref = [f"xref\n0 {len(objects) + 1}\n".encode(), b"0000000000 65535 f \n"]
    xref += [f"{offset:010d} 00000 n \n".encode() for offset in offsets]
    yield b"".join(xref)
    yield f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{position}\n%%EOF\n".encode()


# The table helper lives beside the writer; importing it from here keeps one entry point for layouts.
from arportal.adapters.pdf.table import (  # noqa: E402
    TableColumn,
    TableEnd,
    TableRow,
    draw_table,
    fit_text,
    number_all_pages,
)

__all__ = [
    "JpegInfo",
    "Page",
    "PdfDocument",
    "TableColumn",
    "TableEnd",
    "TableRow",
    "draw_table",
    "encode_text",
    "fit_text",
    "number_all_pages",
]
