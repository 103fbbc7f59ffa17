"""The function and layer assets carry bytecode for the runtime's Python, the same bytes wherever they are built
(``infrastructure/constructs/bytecode.py``), so the assets' hashes change only when the code does."""

from __future__ import annotations

from pathlib import Path

from infrastructure.constructs.bytecode import compiled_copy
from infrastructure.constructs.functions import ASSET_EXCLUDES, FUNCTION_ROOT


def _source(root: Path) -> Path:
    package = root / "source" / "shop"
    (package / "tests").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "handler.py").write_text("def lambda_handler(event, context):\n    return {'ok': True}\n")
    (package / "README.md").write_text("notes")
    (package / "tests" / "test_handler.py").write_text("def test_nothing():\n    pass\n")
    return root / "source"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_source_compiles_to_the_same_bytes_wherever_it_is_built(tmp_path: Path) -> None:
    source = _source(tmp_path)
    first = _files(compiled_copy(source, tmp_path / "build-a", ASSET_EXCLUDES, FUNCTION_ROOT))
    second = _files(compiled_copy(source, tmp_path / "elsewhere" / "build-b", ASSET_EXCLUDES, FUNCTION_ROOT))
    assert first == second
    assert set(first) == {
        "shop/__init__.py",
        "shop/handler.py",
        "shop/__pycache__/__init__.cpython-312.pyc",
        "shop/__pycache__/handler.cpython-312.pyc",
    }
    pyc = first["shop/__pycache__/handler.cpython-312.pyc"]
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # unchecked hash: loaded without reading the source
    assert FUNCTION_ROOT.encode() in pyc and str(tmp_path).encode() not in pyc  # named where Lambda puts it
