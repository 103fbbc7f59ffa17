"""What ``deploy_check`` reads from the tools' output and the cloud assembly, kept apart so tests can feed it."""

from __future__ import annotations

import csv
import fnmatch
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

# ``${Name}`` in an ASL file, as Step Functions' DefinitionSubstitutions fill it
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
# How an ARN names a resource of each CloudFormation type the substitutions reference: (service, resource prefix)
ARN_SHAPES = {
    "AWS::Lambda::Function": ("lambda", "function:"),
    "AWS::StepFunctions::StateMachine": ("states", "stateMachine:"),
    "AWS::SNS::Topic": ("sns", ""),
    "AWS::SQS::Queue": ("sqs", ""),
    "AWS::Events::EventBus": ("events", "event-bus/"),
    "AWS::DynamoDB::Table": ("dynamodb", "table/"),
    "AWS::S3::Bucket": ("s3", ""),
}


def nag_findings(report: Path) -> tuple[Counter[str], list[str]]:
    """cdk-nag's report: the count per compliance state, and every finding neither compliant nor acknowledged."""
    with report.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    counts = Counter(row["Compliance"] for row in rows)
    unacknowledged = [
        f"{row['Rule ID']} {row['Resource ID']}: {row['Rule Info']}"
        for row in rows
        if row["Compliance"] not in {"Compliant", "Suppressed"}
    ]
    return counts, unacknowledged


@dataclass(frozen=True)
class CheckovSkip:
    """A checkov check this design accepts, for the resources it names (logical-id globs), and why."""

    check_id: str
    resources: tuple[str, ...]
    reason: str

    def covers(self, check_id: str, logical_id: str) -> bool:
        return check_id == self.check_id and any(fnmatch.fnmatchcase(logical_id, glob) for glob in self.resources)


def load_checkov_skips(path: Path) -> list[CheckovSkip]:
    """The committed skip list; an entry without resources or a reason is refused, not ignored."""
    raw = yaml.safe_load(path.read_text()) or {}
    skips = []
    for check_id, entry in raw.get("skips", {}).items():
        if not isinstance(entry, dict) or not entry.get("reason") or not entry.get("resources"):
            raise ValueError(f"{path.name}: {check_id} needs both resources and a reason")
        skips.append(CheckovSkip(check_id, tuple(entry["resources"]), " ".join(str(entry["reason"]).split())))
    return skips


@dataclass(frozen=True)
class CheckovResult:
    passed: int
    accepted: list[str]  # "CHECK resource" acknowledged by the skip list
    failures: list[str]  # "CHECK resource: name" nobody acknowledged
    unused: list[str]  # skip entries that matched no failure: stale, so their reason is no longer about the stack


def judge_checkov(output: str, skips: list[CheckovSkip]) -> CheckovResult:
    """Checkov's JSON report (one framework, or a list of them) judged against the skip list."""
    reports = json.loads(output) if output.strip() else []
    reports = reports if isinstance(reports, list) else [reports]
    passed, accepted, failures = 0, [], []
    used: set[str] = set()
    for report in reports:
        results = report.get("results", {})
        # --quiet leaves the passed checks out of the results; the summary still counts them
        passed += int(report.get("summary", {}).get("passed", len(results.get("passed_checks", []))))
        for failed in results.get("failed_checks", []):
            logical_id = failed["resource"].rsplit(".", 1)[-1]
            check = failed["check_id"]
            matched = [skip for skip in skips if skip.covers(check, logical_id)]
            if matched:
                used.add(check)
                accepted.append(f"{check} {logical_id}")
            else:
                failures.append(f"{check} {logical_id}: {failed.get('check_name', '')}")
    unused = [skip.check_id for skip in skips if skip.check_id not in used]
    return CheckovResult(passed=passed, accepted=accepted, failures=failures, unused=unused)


def _placeholder_value(value: Any, resources: dict[str, Any], *, account: str, region: str) -> str:
    """A literal a deployed stack would put where the template has an intrinsic (names and ARNs shaped as AWS's)."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"arportal-{value['Ref'].lower()}"
    if "Fn::GetAtt" in value and value["Fn::GetAtt"][1] == "Arn":
        logical_id = value["Fn::GetAtt"][0]
        service, prefix = ARN_SHAPES[resources[logical_id]["Type"]]
        return f"arn:aws:{service}:{region}:{account}:{prefix}arportal-{logical_id.lower()}"
    raise ValueError(f"no stand-in for the substitution {value}")


def deployed_definitions(template: dict[str, Any], outdir: Path, *, account: str, region: str) -> dict[str, Any]:
    """Each state machine's definition as Step Functions would run it: its ASL asset, substitutions filled in."""
    manifests = list(outdir.glob("*.assets.json"))
    by_key = {
        destination["objectKey"]: outdir / asset["source"]["path"]
        for manifest in manifests
        for asset in json.loads(manifest.read_text()).get("files", {}).values()
        for destination in asset["destinations"].values()
    }
    resources = template["Resources"]
    definitions = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::StepFunctions::StateMachine":
            continue
        properties = resource["Properties"]
        if "DefinitionS3Location" in properties:
            text = by_key[properties["DefinitionS3Location"]["Key"]].read_text()
        else:
            text = properties.get("DefinitionString") or json.dumps(properties["Definition"])
            if not isinstance(text, str):
                raise ValueError(f"{logical_id}: DefinitionString built from intrinsics; use DefinitionSubstitutions")
        values = {
            name: _placeholder_value(value, resources, account=account, region=region)
            for name, value in properties.get("DefinitionSubstitutions", {}).items()
        }
        missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
        if missing:
            raise ValueError(f"{logical_id}: no substitution for {missing}")
        filled = PLACEHOLDER.sub(lambda match, values=values: values[match.group(1)], text)  # type: ignore[misc]
        definitions[logical_id] = json.loads(filled)
    return definitions
