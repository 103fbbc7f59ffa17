"""``docs/architecture.md`` names the module that owns each step of the main flows: every path it names must exist,
so the map cannot point at a module that was moved or removed. A path starting with ``arportal/`` is under the
layer (``layers/arportal/python/``), any other is relative to the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "arportal" / "python"
DOC = ROOT / "docs" / "architecture.md"
TOP = ("arportal", "functions", "statemachines", "infrastructure", "local", "web", "layers", "docs", "tests", "bench")
# A path: one of the top-level folders, then path characters (a glob's "*" allowed), ending in a name or a "/".
PATH = re.compile(rf"(?<![\w./-])((?:{'|'.join(TOP)})/[\w.*/-]*[\w*/])")
BACKTICKED = re.compile(r"`([^`\n]+)`")
MERMAID = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)


def named_paths(text: str) -> set[str]:
    """The paths in backticks and in the Mermaid diagrams' labels."""
    spans = BACKTICKED.findall(text) + MERMAID.findall(text)
    return {found for span in spans for found in PATH.findall(span)}


def exists(path: str) -> bool:
    base = LAYER if path.startswith("arportal/") else ROOT
    if "*" in path:
        return any(base.glob(path))
    return (base / path).exists()


def test_every_path_the_architecture_doc_names_exists() -> None:
    paths = named_paths(DOC.read_text(encoding="utf-8"))
    assert len(paths) > 40, sorted(paths)  # the parser found the map, not a handful of stray words
    missing = sorted(p for p in paths if not exists(p))
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_the_doc_covers_every_layer_every_function_and_the_main_flows() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## The layers", "## Pay", "## Approve", "## Settle", "## Integrate"):
        assert heading in text
    paths = named_paths(text)
    for layer in ("domain", "services", "ports", "adapters", "api"):
        assert f"arportal/{layer}/" in paths
    functions = {p.name for p in (ROOT / "functions").iterdir() if (p / "handler.py").is_file()}
    assert functions
    assert all(any(p.startswith(f"functions/{name}/") for p in paths) for name in functions), functions


def test_the_parser_reads_backticks_and_diagram_labels() -> None:
    text = (
        "see `arportal/services/payments.py` and `functions/portal_api/routes/pay.py`, not arportal/loose.py\n"
        '```mermaid\nflowchart LR\n  a["statemachines/*.asl.json<br/>x"] --> b["local/relay.py"]\n```\n'
    )
    assert named_paths(text) == {
        "arportal/services/payments.py",
        "functions/portal_api/routes/pay.py",
        "statemachines/*.asl.json",
        "local/relay.py",
    }
    assert exists("arportal/services/payments.py") and exists("statemachines/*.asl.json")
    assert not exists("arportal/ledger.py")
