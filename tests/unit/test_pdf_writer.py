"""The PDF writer makes files a reader opens: checked by parsing their structure here (xref offsets, page tree,
content streams, text), and by rendering with poppler's pdftoppm when the machine has it."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from arportal.adapters.pdf.text import encode_text
from arportal.adapters.pdf.writer import PdfDocument, TableColumn, TableRow, draw_table, fit_text

# An 8x8 blue baseline JPEG (made once with Pillow, which the layer does not carry).
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a"
    "333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112121815182f1a1a2f"
    "63423842636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363"
    "6363ffc00011080008000803012200021101031101ffc4001f000001050101010101010000000000000000010203040506070809"
    "0a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c115"
    "52d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a"
    "737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9ca"
    "d2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f01000301010101010101010100000000000001"
    "02030405060708090a0bffc400b51100020102040403040705040400010277000102031104052131061241510761711322328108"
    "144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a53545556575859"
    "5a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9"
    "bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00c4"
    "a28a2bd7380fffd9"
)


@dataclass
class ParsedPdf:
    page_count: int
    text: str  # every string shown with Tj, in order, one per line
    objects: dict[int, bytes]


def parse_pdf(data: bytes) -> ParsedPdf:
    """Parse a PDF the way a reader starts to: trailer -> xref -> objects -> page tree -> content streams.

    Fails (AssertionError) on anything a reader would choke on: a wrong offset, a missing object, a page count
    that disagrees with the page objects, a stream whose length is wrong or that does not inflate.
    """
    assert data.startswith(b"%PDF-1.")
    assert data.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data[startxref : startxref + 4] == b"xref"
    header = re.match(rb"xref\s+0 (\d+)\s+", data[startxref:])
    size = int(header.group(1))
    table = data[startxref + header.end() :]
    entries = [table[i * 20 : i * 20 + 20] for i in range(size)]
    assert entries[0].startswith(b"0000000000 65535 f")
    trailer = data[startxref + header.end() + size * 20 :]
    assert int(re.search(rb"/Size (\d+)", trailer).group(1)) == size
    objects: dict[int, bytes] = {}
    for number in range(1, size):
        offset = int(entries[number][:10])
        assert entries[number][17:18] == b"n"
        match = re.match(rb"(\d+) 0 obj\n(.*?)\nendobj\n", data[offset:], re.S)
        assert match and int(match.group(1)) == number, f"object {number} is not at offset {offset}"
        objects[number] = match.group(2)
    root = int(re.search(rb"/Root (\d+) 0 R", trailer).group(1))
    pages = int(re.search(rb"/Pages (\d+) 0 R", objects[root]).group(1))
    count = int(re.search(rb"/Count (\d+)", objects[pages]).group(1))
    kids = [int(k) for k in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[(.*?)\]", objects[pages]).group(1))]
    assert len(kids) == count
    texts: list[str] = []
    for kid in kids:
        assert b"/Type /Page " in objects[kid]
        contents = re.search(rb"/Contents \[(.*?)\]", objects[kid]).group(1)
        for ref in re.findall(rb"(\d+) 0 R", contents):
            texts += _stream_texts(objects[int(ref)])
    return ParsedPdf(count, "\n".join(texts), objects)


def _stream_texts(obj: bytes) -> list[str]:
    match = re.match(rb"<< (.*?) /Length (\d+) >>\nstream\n", obj, re.S)
    assert match, obj[:80]
    body = obj[match.end() : match.end() + int(match.group(2))]
    assert obj[match.end() + int(match.group(2)) :] == b"\nendstream"
    raw = zlib.decompress(body) if b"/FlateDecode" in match.group(1) else body
    return [_unescape(s).decode("cp1252") for s in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", raw)]


def _unescape(s: bytes) -> bytes:
    return re.sub(rb"\\(.)", rb"\1", s)


def test_a_page_with_text_lines_boxes_and_an_image_parses():
    doc = PdfDocument("Receipt (test) \\ ünïcode ✓", author="City of Springfield")
    page = doc.new_page()
    page.text(page.left, page.top, "City of Springfield (Water) \\ 100%", size=14, bold=True)
    page.text(page.right, page.top, "Right", align="right")
    page.line(page.left, 700, page.right, 700, width=1, gray=0.5)
    page.rect(page.left, 600, 100, 50, fill_gray=0.9)
    page.jpeg(page.left, 500, 40, 40, TINY_JPEG)
    page.jpeg(page.left + 50, 500, 40, 40, TINY_JPEG)  # the same bytes: one image object
    parsed = parse_pdf(doc.to_bytes())
    assert parsed.page_count == 1
    assert "City of Springfield (Water) \\ 100%" in parsed.text.splitlines()
    assert sum(b"/Subtype /Image" in body for body in parsed.objects.values()) == 1


def test_text_outside_winansi_is_replaced_sensibly():
    in_winansi = "Caf\u00e9 \u2013 \u201cok\u201d \u20ac5"
    assert encode_text(in_winansi) == in_winansi.encode("cp1252")
    assert encode_text("\u0141\u00f3d\u017a \u2192 5 \u2265 3\tx\ny") == b"L\xf3dz -> 5 >= 3 x y"
    assert encode_text("✓ 中") == b"? ?"


def test_widths_follow_helvetica_metrics():
    doc = PdfDocument("t")
    assert doc.text_width("M", 10) == pytest.approx(8.33)
    assert doc.text_width("i", 10) == pytest.approx(2.22)
    assert doc.text_width("M", 10, bold=True) == pytest.approx(8.33)
    assert doc.text_width("ii", 10, bold=True) == pytest.approx(5.56)
    cut = fit_text(doc, "A long description " * 10, 100, 10)
    assert cut.endswith("…") and doc.text_width(cut, 10) <= 100


def test_a_table_from_a_generator_flows_over_pages_with_headers_and_numbers():
    doc = PdfDocument("Statement")
    headers_drawn = []

    def header(page):
        headers_drawn.append(page.number)
        page.text(page.left, page.top, f"Header of page {page.number}", bold=True)
        return page.top - 20

    rows = ([f"row {i}", f"{i}.00"] for i in range(120))
    end = draw_table(
        doc,
        [TableColumn("Item", 300), TableColumn("Amount", 100, "right")],
        (TableRow(r, bold=r[0] == "row 119") if r[0] == "row 119" else r for r in rows),
        on_new_page=header,
    )
    parsed = parse_pdf(doc.to_bytes())
    assert end.rows == 120 and parsed.page_count == len(doc.pages) == len(headers_drawn) > 1
    lines = parsed.text.splitlines()
    assert lines.count("Item") == parsed.page_count  # the column header repeats on every page
    assert f"Page {parsed.page_count} of {parsed.page_count}" in lines
    assert [line for line in lines if line.startswith("row ")] == [f"row {i}" for i in range(120)]


def test_an_empty_document_still_has_a_page():
    assert parse_pdf(PdfDocument("Empty").to_bytes()).page_count == 1


def test_a_file_that_is_not_a_jpeg_is_refused():
    page = PdfDocument("x").new_page()
    with pytest.raises(ValueError, match="JPEG"):
        page.jpeg(0, 0, 10, 10, b"\x89PNG not a jpeg")


def test_it_renders(tmp_path: Path):
    doc = PdfDocument("Render check")
    page = doc.new_page()
    page.text(page.left, page.top, "Rendered by poppler", size=18, bold=True)
    page.jpeg(page.left, page.top - 80, 60, 60, TINY_JPEG)
    data = doc.to_bytes()
    parsed = parse_pdf(data)
    assert parsed.page_count == 1 and "Rendered by poppler" in parsed.text
    renderer = shutil.which("pdftoppm")
    if renderer:  # poppler-utils installed: a real reader draws it without complaint
        source = tmp_path / "check.pdf"
        source.write_bytes(data)
        result = subprocess.run(  # noqa: S603
            [renderer, "-png", "-r", "30", str(source), str(tmp_path / "page")], capture_output=True, check=False
        )
        assert result.returncode == 0 and not result.stderr, result.stderr
        png = next(tmp_path.glob("page*.png"))
        assert png.read_bytes().startswith(b"\x89PNG")
