"""The workflow task function imports a machine's module on the first task it asks of it (``TASK_MODULES``), so the
table must name every task of every module, and only those."""

from __future__ import annotations

import importlib
from pathlib import Path

from workflow_tasks.handler import TASK_MODULES

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "workflow_tasks"


def test_the_table_names_every_task_of_every_module() -> None:
    for module, tasks in TASK_MODULES.items():
        assert set(tasks) == set(importlib.import_module(f"workflow_tasks.{module}").TASKS), module


def test_every_module_with_tasks_is_in_the_table() -> None:
    with_tasks = {p.stem for p in PACKAGE.glob("*.py") if "\nTASKS:" in p.read_text()}
    assert with_tasks == set(TASK_MODULES)


def test_a_task_is_in_one_module_only() -> None:
    tasks = [task for names in TASK_MODULES.values() for task in names]
    assert len(tasks) == len(set(tasks))
