"""The DynamoDB adapters stay in small modules, one per aggregate or store, and know nothing of the sandbox.

Keys and item mappings used to live in two hubs (``keys.py``, ``items.py``) that every store imported; they are
now one ``*_items`` module per aggregate beside ``table_layout`` and ``entity_items``. These checks keep a hub
from growing back, and keep the sandbox processor's records in its own adapter (``adapters/sandbox_store.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

DYNAMODB = Path(__file__).resolve().parents[2] / "layers" / "arportal" / "python" / "arportal" / "adapters" / "dynamodb"
MAX_LINES = 300


def _modules() -> list[Path]:
    return sorted(DYNAMODB.rglob("*.py"))


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_dynamodb_module_grows_into_a_hub() -> None:
    sizes = {p.relative_to(DYNAMODB).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_the_old_hubs_are_gone() -> None:
    assert not (DYNAMODB / "keys.py").exists() and not (DYNAMODB / "items.py").exists()


def test_dynamodb_adapters_import_nothing_of_the_sandbox() -> None:
    leaks = {
        p.relative_to(DYNAMODB).as_posix(): sorted(n for n in _imported(p) if n.startswith("arportal.adapters.sandbox"))
        for p in _modules()
    }
    assert {name: found for name, found in leaks.items() if found} == {}
