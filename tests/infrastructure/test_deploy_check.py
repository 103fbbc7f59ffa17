"""``make deploy-check`` (scripts/deploy_check.py) without its slow synthesis: the production-like configuration is
one, the checkov skip list explains every entry, and what the script reads from each tool fails when it should."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from infrastructure import deployment_config
from scripts import deploy_check
from scripts.deploy_check_support import (
    CheckovSkip,
    deployed_definitions,
    judge_checkov,
    load_checkov_skips,
    nag_findings,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_checked_configuration_is_a_production_one() -> None:
    config = deployment_config.load(deploy_check.production_context())
    assert config.stage == "prod" and config.processor == "stripe" and config.staff_mfa is True
    assert config.chart_of_accounts is not None and config.bank_accounts


def test_every_checkov_skip_names_its_resources_and_why() -> None:
    skips = load_checkov_skips(deploy_check.CHECKOV_SKIPS)
    assert skips
    for skip in skips:
        assert re.fullmatch(r"CKV_AWS_[0-9]+", skip.check_id), skip
        assert "*" not in skip.resources, f"{skip.check_id}: name the resources, not all of them"
        assert len(skip.reason) >= 80, f"{skip.check_id}: say why it is accepted"


def test_a_skip_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "skips.yaml"
    path.write_text("skips:\n  CKV_AWS_117:\n    resources: [Functions*]\n")
    with pytest.raises(ValueError, match="CKV_AWS_117 needs both resources and a reason"):
        load_checkov_skips(path)


def checkov_report(*failed: tuple[str, str]) -> str:
    failures = [
        {"check_id": check, "resource": f"AWS::Lambda::Function.{lid}", "check_name": "n"} for check, lid in failed
    ]
    return json.dumps({"results": {"failed_checks": failures}, "summary": {"passed": 7, "failed": len(failures)}})


def test_checkov_failures_are_accepted_only_for_the_resources_named() -> None:
    skips = [
        CheckovSkip("CKV_AWS_116", ("FunctionsPortalApi*",), "synchronous"),
        CheckovSkip("CKV_AWS_117", ("Functions*",), "no VPC"),
    ]
    judged = judge_checkov(
        checkov_report(("CKV_AWS_116", "FunctionsPortalApiAEC4"), ("CKV_AWS_116", "FunctionsWorkflowTasksEF88")),
        skips,
    )
    assert judged.passed == 7
    assert judged.accepted == ["CKV_AWS_116 FunctionsPortalApiAEC4"]
    assert judged.failures == ["CKV_AWS_116 FunctionsWorkflowTasksEF88: n"]
    assert judged.unused == ["CKV_AWS_117"]  # a stale entry is reported, so its reason cannot outlive the stack


def test_an_unacknowledged_nag_finding_is_reported(tmp_path: Path) -> None:
    report = tmp_path / "AwsSolutions-Stack-NagReport.csv"
    report.write_text(
        "Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info\n"
        '"AwsSolutions-S1","Stack/Bucket/Resource","Non-Compliant","N/A","Error","no access logs"\n'
        '"AwsSolutions-IAM5","Stack/Role/Resource","Suppressed","a reason","Error","wildcard"\n'
        '"AwsSolutions-KMS5","Stack/Key/Resource","Compliant","N/A","Error","rotation"\n'
    )
    counts, unacknowledged = nag_findings(report)
    assert counts == {"Non-Compliant": 1, "Suppressed": 1, "Compliant": 1}
    assert unacknowledged == ["AwsSolutions-S1 Stack/Bucket/Resource: no access logs"]


def synthesized_machine(tmp_path: Path, asl: str, substitutions: dict[str, object]) -> dict[str, object]:
    (tmp_path / "asset.abc.json").write_text(asl)
    manifest = {
        "files": {"abc": {"source": {"path": "asset.abc.json"}, "destinations": {"d": {"objectKey": "abc.json"}}}}
    }
    (tmp_path / "Stack.assets.json").write_text(json.dumps(manifest))
    return {
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "DefinitionS3Location": {"Bucket": "b", "Key": "abc.json"},
                    "DefinitionSubstitutions": substitutions,
                },
            },
            "Tasks": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    }


def test_state_machines_are_validated_with_their_substitutions_filled_in(tmp_path: Path) -> None:
    asl = (ROOT / "statemachines" / "payment_retry.asl.json").read_text()
    template = synthesized_machine(
        tmp_path,
        asl,
        {
            "WorkflowTasksFunctionArn": {"Fn::GetAtt": ["Tasks", "Arn"]},
            "LedgerTableName": {"Ref": "Ledger"},
            "EventBusName": {"Ref": "Bus"},
            "ImportBucketName": {"Ref": "Imports"},
        },
    )
    [definition] = deployed_definitions(template, tmp_path, account="123456789012", region="us-east-1").values()
    text = json.dumps(definition)
    assert "${" not in text and "arn:aws:lambda:us-east-1:123456789012:function:arportal-tasks" in text
    assert asl_validator(tmp_path, definition).returncode == 0


def test_a_placeholder_without_a_substitution_stops_the_check(tmp_path: Path) -> None:
    template = synthesized_machine(tmp_path, '{"StartAt": "${Missing}"}', {})
    with pytest.raises(ValueError, match=r"Machine: no substitution for \['Missing'\]"):
        deployed_definitions(template, tmp_path, account="123456789012", region="us-east-1")


def test_asl_validator_refuses_a_broken_machine(tmp_path: Path) -> None:
    broken = {"StartAt": "Nowhere", "States": {"Done": {"Type": "Succeed"}}}
    result = asl_validator(tmp_path, broken)
    assert result.returncode != 0, result.stdout


def asl_validator(folder: Path, definition: object) -> subprocess.CompletedProcess[str]:
    assert deploy_check.ASL_VALIDATOR.exists(), "asl-validator comes from npm: run `npm ci`"
    path = folder / "machine.asl.json"
    path.write_text(json.dumps(definition))
    return subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [str(deploy_check.ASL_VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, check=False
    )
