"""``local/moto_imports.py``: the patched moto starts without Batch and EC2, and both still work when asked for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    from local import moto_patches

    moto_patches.install(lambda *args: None)
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_batch
    print("before", "moto.ec2" in sys.modules, "moto.batch" in sys.modules)

    import moto.batch
    from moto.batch.utils import JobStatus
    print("after", hasattr(moto.batch, "batch_backends"), state_task_service_batch.JobStatus is JobStatus)
    """
)


def test_the_step_functions_interpreter_comes_without_batch_and_ec2_until_asked() -> None:
    # A process of its own: this one may have imported moto's Batch already (nothing here does, but a test may).
    env = {"PYTHONPATH": ":".join(str(ROOT / p) for p in ("layers/arportal/python", "functions", "."))}
    command = [sys.executable, "-c", SCRIPT]
    done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603

    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["before False False", "after True True"]
