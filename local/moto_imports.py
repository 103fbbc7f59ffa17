"""moto's Step Functions interpreter, imported without moto's Batch and EC2.

The interpreter imports a module for each service a task may call. Its Batch task imports one enum from
``moto.batch.utils``, and importing anything under ``moto.batch`` first runs ``moto/batch/__init__``, which loads
Batch's backend and with it all of EC2's (instance types and regions read from large JSON files): ~0.75 CPU
seconds of every start, for services the product never calls. ``import_step_functions`` imports the interpreter
while ``moto.batch`` is an empty stand-in package (its submodules load from the real directory) and removes the
stand-in straight after: a later ``import moto.batch`` runs the real package, which reuses the ``utils`` module
already loaded (so the interpreter's Batch task and Batch's backend share one enum).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_INTERPRETER = "moto.stepfunctions.parser.models"


def import_step_functions() -> None:
    if _INTERPRETER in sys.modules or "moto.batch" in sys.modules:
        importlib.import_module(_INTERPRETER)
        return
    spec = importlib.util.find_spec("moto.batch")
    if spec is None or spec.submodule_search_locations is None:  # not a package: nothing to stand in for
        importlib.import_module(_INTERPRETER)
        return
    stand_in = types.ModuleType("moto.batch")
    stand_in.__path__ = list(spec.submodule_search_locations)
    stand_in.__spec__ = spec
    sys.modules["moto.batch"] = stand_in
    try:
        importlib.import_module(_INTERPRETER)
    finally:
        if sys.modules.get("moto.batch") is stand_in:
            del sys.modules["moto.batch"]
