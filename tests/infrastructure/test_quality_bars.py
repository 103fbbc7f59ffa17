"""The bars every synthesis must clear: cdk-nag AwsSolutions and cfn-lint, with every exception explained."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk.assertions import Match

from tests.infrastructure.synth import Synthesized

pytestmark = pytest.mark.xdist_group("cdk")

# W3005 ("DependsOn is redundant with a Ref/GetAtt"): aws-cdk-lib itself makes every Lambda function and
# state machine depend on its role *and* the role's default policy, so the policy exists before the first
# invocation; the role half of that pair is what cfn-lint calls redundant. It is generated, harmless, and
# not ours to remove.
# E2531, E2533 and W2531 compare the Lambda runtime with AWS's deprecation dates as of the machine's date, so
# they would fail this suite on a calendar day with no change to the code (python3.12 from 2028-10-31). Which
# runtime is deployed is one constant (functions.RUNTIME); test_one_runtime_for_every_function keeps it one,
# so moving to the next runtime is a one-line change, made on purpose and not forced by the date.
# Nothing else is ignored.
CFN_LINT_IGNORED = ["W3005", "E2531", "E2533", "W2531"]


def test_cdk_nag_ran(synthesized: Synthesized) -> None:
    # An empty list of findings means something only if the checks were applied at all.
    (report,) = synthesized.outdir.glob(f"AwsSolutions-*{synthesized.stack.artifact_id}-NagReport.csv")
    assert "AwsSolutions-IAM5" in report.read_text()


def test_no_cdk_nag_errors(synthesized: Synthesized) -> None:
    # Given the stack synthesized with AwsSolutionsChecks (app.build applies them)
    # When the annotations are read
    errors = synthesized.annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    # Then every finding was fixed or acknowledged with a reason
    assert [f"{e.id}: {str(e.entry.data)[:160]}" for e in errors] == []


def test_no_cdk_nag_warnings(synthesized: Synthesized) -> None:
    warnings = synthesized.annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert [f"{w.id}: {str(w.entry.data)[:160]}" for w in warnings] == []


def test_no_other_synthesis_warnings(synthesized: Synthesized) -> None:
    # A CDK warning (an ignored property, a deprecated default) is a design smell worth a failing test.
    warnings = synthesized.annotations.find_warning("*", Match.any_value())
    assert [f"{w.id}: {str(w.entry.data)[:160]}" for w in warnings] == []


def test_every_suppression_has_a_specific_reason(synthesized: Synthesized) -> None:
    suppressions = [
        (logical_id, rule)
        for logical_id, resource in synthesized.resources.items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions, "expected the acknowledged findings to be recorded in the template metadata"
    for logical_id, rule in suppressions:
        assert len(rule["reason"]) >= 60, (logical_id, rule)
        if rule["id"] == "AwsSolutions-IAM5":
            # A blanket IAM5 suppression would hide the next, unexpected wildcard.
            assert rule.get("applies_to"), (logical_id, rule)


def _cfn_lint() -> str:
    beside_python = Path(sys.executable).with_name("cfn-lint")
    found = str(beside_python) if beside_python.exists() else shutil.which("cfn-lint")
    assert found, "cfn-lint is a dev dependency (pip install -e '.[dev]')"
    return found


def test_template_passes_cfn_lint(synthesized: Synthesized, tmp_path: Path) -> None:
    # Given the synthesized template on disk
    path = tmp_path / "template.json"
    path.write_text(json.dumps(synthesized.template.to_json()))
    # When cfn-lint checks it
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own template
        [_cfn_lint(), "--ignore-checks", *CFN_LINT_IGNORED, "--", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_is_built_with_docker(synthesized: Synthesized) -> None:
    # `python app.py` and `cdk synth` must work offline: no container image assets, no bundling.
    manifest = json.loads((synthesized.outdir / f"{synthesized.stack.artifact_id}.assets.json").read_text())
    assert manifest.get("dockerImages", {}) == {}


def test_one_runtime_for_every_function(synthesized: Synthesized) -> None:
    from infrastructure.constructs.functions import RUNTIME

    # Ours: handlers named <function>.handler.lambda_handler (aws-cdk-lib's own BucketDeployment picks its own)
    ours = {
        resource["Properties"]["Handler"]: resource["Properties"]["Runtime"]
        for resource in synthesized.resources.values()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"].get("Handler", "").endswith(".handler.lambda_handler")
    }
    assert len(ours) >= 7 and set(ours.values()) == {RUNTIME.name}, ours
