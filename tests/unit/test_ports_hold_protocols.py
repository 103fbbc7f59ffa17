"""Every Protocol of the product lives in ``arportal/ports/`` and is re-exported by ``arportal.ports``, so a reader
finds every seam of the hexagon in one place. The import contracts (pyproject.toml, ``make lint``) keep the
layers pointing one way; this keeps the seams where the contracts expect them."""

from __future__ import annotations

import ast
from pathlib import Path

import arportal.ports

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "arportal" / "python"
PORTS = LAYER / "arportal" / "ports"
# Protocols deliberately outside ports/, and why.
ELSEWHERE = {
    # The one clock's own type. arportal/clock.py is a leaf (the "one-clock-is-a-leaf" contract) that the domain
    # reads (ids, timestamps); a Clock in ports/ would make clock.py, and so the domain, import ports.
    ("arportal/clock.py", "Clock"),
}


def _protocols(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(
            (isinstance(b, ast.Name) and b.id == "Protocol") or (isinstance(b, ast.Attribute) and b.attr == "Protocol")
            for b in node.bases
        )
    ]


def _sources() -> list[Path]:
    return sorted([*LAYER.rglob("*.py"), *(ROOT / "functions").rglob("*.py")])


def test_protocols_live_in_ports() -> None:
    stray = set()
    for path in _sources():
        if PORTS in path.parents:
            continue
        where = path.relative_to(LAYER if LAYER in path.parents else ROOT).as_posix()
        stray |= {(where, name) for name in _protocols(path)}
    assert stray <= ELSEWHERE, f"move these Protocols to arportal/ports/: {sorted(stray - ELSEWHERE)}"


def test_every_port_is_re_exported_by_arportal_ports() -> None:
    declared = {name for path in PORTS.glob("*.py") for name in _protocols(path)}
    assert declared, "no Protocols found in ports/"
    missing = sorted(declared - set(arportal.ports.__all__))
    assert not missing, f"add to arportal/ports/__init__.py: {missing}"
    assert all(isinstance(getattr(arportal.ports, name), type) for name in declared)
