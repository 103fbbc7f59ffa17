"""``docs/integrations.md`` documents the bulk import's CSV columns as the code has them: each kind's table lists
exactly its columns, required where the code requires them, so a person exporting from a legacy system can trust
the page (and the templates say the same)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arportal.domain.import_columns import LAYOUTS
from arportal.domain.imports import ImportKind

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"
ROW = re.compile(r"^\| `([a-z0-9_]+)` \| (yes)? \|")


def _table(kind: ImportKind) -> list[tuple[str, bool]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"(`{kind.value}`): ")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if rows and not line.startswith("|"):
            break
        found = ROW.match(line)
        if found:
            rows.append((found.group(1), found.group(2) == "yes"))
    return rows


@pytest.mark.parametrize("kind", list(ImportKind))
def test_each_kind_s_columns_are_documented_as_the_code_has_them(kind: ImportKind) -> None:
    assert _table(kind) == [(c.name, c.required) for c in LAYOUTS[kind].columns]


def test_the_file_failures_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for code in ("not_utf8", "malformed_line", "malformed_csv", "unknown_column", "missing_column",
                 "duplicate_column", "wrong_field_count", "no_records", "interrupted"):  # fmt: skip
        assert f"| `{code}` |" in text, code
