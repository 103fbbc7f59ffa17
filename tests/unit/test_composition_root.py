"""The functions get their adapters from the composition root (``arportal/wiring/``), never by importing
``arportal.adapters`` themselves: one place builds each adapter, once per container, from the settings.

Every import counts, wherever it is: at the top of a module, inside a function (the lazy imports that keep a cold
start small) and under ``if TYPE_CHECKING:``. The import contracts in pyproject.toml keep the layers pointing one
way; this keeps the functions from reaching past the wiring to the adapters.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
# Every function package is held to the rule, including any added later.
WIRED_FUNCTIONS = tuple(sorted(p.name for p in FUNCTIONS.iterdir() if (p / "handler.py").is_file()))
FORBIDDEN = "arportal.adapters"


def adapter_imports(source: str) -> list[tuple[int, str]]:
    """(line, imported module) of every import of ``arportal.adapters`` (or below it) in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from arportal import adapters`` names the package through its parent.
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found += [(node.lineno, name) for name in names if name == FORBIDDEN or name.startswith(FORBIDDEN + ".")][:1]
    return found


def test_the_wired_functions_import_no_adapters() -> None:
    assert len(WIRED_FUNCTIONS) >= 8, WIRED_FUNCTIONS  # every function package, not a handful
    leaks = []
    for package in WIRED_FUNCTIONS:
        modules = sorted((FUNCTIONS / package).rglob("*.py"))
        assert modules, f"no function package functions/{package}"
        for path in modules:
            for line, name in adapter_imports(path.read_text(encoding="utf-8")):
                leaks.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not leaks, "build these in arportal/wiring/ instead:\n" + "\n".join(leaks)


def test_the_scan_finds_every_form_of_import() -> None:
    source = (
        "import arportal.adapters.s3\n"
        "from arportal.adapters.dynamodb import codec\n"
        "from arportal import adapters\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from arportal.adapters.sandbox import AchAction\n"
        "def lazy():\n"
        "    from arportal.adapters.processors import processor_for\n"
        "from arportal.wiring import stores\n"
        "from arportal import adapters_notes, wiring\n"
        "from . import adapters\n"
    )
    assert [line for line, _ in adapter_imports(source)] == [1, 2, 3, 6, 8]


# Services several functions use: each is constructed in one module of the product (the wiring), so the console,
# the portal and the workflows cannot drift apart in how they build it.
BUILT_IN_ONE_PLACE = ("ReceiptServices", "StaffActionServices")


def constructions(source: str, name: str) -> int:
    """How many calls in ``source`` construct ``name`` (``Name(...)`` or ``module.Name(...)``)."""
    calls = (node.func for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call))
    return sum(
        (isinstance(f, ast.Name) and f.id == name) or (isinstance(f, ast.Attribute) and f.attr == name) for f in calls
    )


def test_shared_services_are_constructed_in_one_module() -> None:
    sources = sorted([*(ROOT / "layers" / "arportal" / "python").rglob("*.py"), *FUNCTIONS.rglob("*.py")])
    for service in BUILT_IN_ONE_PLACE:
        where = [str(p.relative_to(ROOT)) for p in sources if constructions(p.read_text(encoding="utf-8"), service)]
        assert len(where) == 1, f"{service} is constructed in {where}: build it once, in arportal/wiring/"


def test_the_count_finds_every_form_of_construction() -> None:
    source = (
        "from arportal.services import receipts\n"
        "from arportal.services.receipts import ReceiptServices\n"
        "a = ReceiptServices(records=r)\n"
        "b = receipts.ReceiptServices(records=r)\n"
        "class ReceiptServices: ...\n"
        "c: ReceiptServices\n"
    )
    assert constructions(source, "ReceiptServices") == 2
