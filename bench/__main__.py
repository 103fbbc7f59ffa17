"""Run the benchmarks: ``python -m bench [name ...]`` (default: every module of bench/ with a ``run()``).

Each result is printed and written to ``bench/results/<name>.json``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from local.invoke import ensure_source_paths

ensure_source_paths()  # the layer and the handlers, as `make bench`'s PYTHONPATH would put them
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def modules() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def main(names: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    failed = 0
    for name in names or modules():
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "run", None)
        if run is None:
            continue
        started = time.perf_counter()
        try:
            result = run()
        except Exception as exc:  # one broken bench must not hide the others' figures
            print(f"{name}: FAILED {type(exc).__name__}: {exc}", file=sys.stderr)
            failed += 1
            continue
        result = {"benchmark": name, "took_s": round(time.perf_counter() - started, 1), **result}
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(json.dumps(result, indent=2, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
