"""Where each name that ``arportal.ports`` re-exports comes from: read once from its ``if TYPE_CHECKING:`` imports,
the one list of them (type checkers read the same lines), and imported when the name is first asked for."""

from __future__ import annotations

import ast
import importlib
import sys
from functools import cache
from pathlib import Path


@cache
def sources(init_file: str) -> dict[str, str]:
    """Name -> the module it is imported from, in the ``if TYPE_CHECKING:`` block of ``init_file``."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module and statement.level == 0:
                    found.update({alias.asname or alias.name: statement.module for alias in statement.names})
    return found


def exported(package: str, name: str) -> object:
    """``package.name``, imported from its own module now; kept on the package, so it is looked up once."""
    module = sys.modules[package]
    source = sources(str(module.__file__)).get(name)
    if source is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    setattr(module, name, value)
    return value
