#!/usr/bin/env python3
"""``make deploy-check``: the offline bars a production stack must clear before any deploy.

Synthesizes a production-like configuration (``production_context``: stage prod, Stripe, staff MFA, a chart of
accounts, bank accounts and custom domains, in a region other than us-east-1 so that CloudFront's web ACL gets its
companion stack) into a temporary cloud assembly, then runs on every stack synthesized, each tool in turn:

- cfn-lint on the templates (the same ignore list as tests/infrastructure/test_quality_bars.py);
- cdk-nag: every AwsSolutions finding not acknowledged in infrastructure/nag.py fails;
- checkov on the templates: every finding not accepted in .checkov-skips.yaml fails, and so does an entry there
  that no longer matches anything;
- asl-validator (npm) on every state machine as deployed: the ASL asset with its substitutions filled in;
- the isolated import test (tests/deploy): every handler imported with only the built layers and the runtime's boto3.

Every tool runs even after one fails; the exit code is non-zero if any did. ``--only NAME`` runs a subset.
"""

from __future__ import annotations

# ruff: noqa: T201 - a command-line check: what it prints is its report
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "arportal" / "python")]

from scripts.deploy_check_support import (  # noqa: E402
    deployed_definitions,
    judge_checkov,
    load_checkov_skips,
    nag_findings,
)

CHECKOV = ROOT / "build" / "checkov-venv" / "bin" / "checkov"
CHECKOV_SKIPS = ROOT / ".checkov-skips.yaml"
ASL_VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"
# Why each is ignored: see CFN_LINT_IGNORED in tests/infrastructure/test_quality_bars.py (generated DependsOn,
# and runtime deprecation dates that would fail the check on a calendar day with no change to the code).
CFN_LINT_IGNORED = ["W3005", "E2531", "E2533", "W2531"]
ACCOUNT = "123456789012"
REGION = "us-east-2"  # not us-east-1: CloudFront's web ACL then gets its companion stack, checked too


def production_context() -> dict[str, Any]:
    """cdk.json's context as a production stage would override it (Stripe's keys in the agency's own secret)."""
    import app as app_module
    from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS

    context: dict[str, Any] = app_module.cdk_json_context()
    context.update(
        account=ACCOUNT,
        region=REGION,
        stage="prod",
        processor="stripe",
        processorSecretName="arportal/springfield/stripe",
        staffMfa=True,
        chartOfAccounts=DEMO_CHART_OF_ACCOUNTS,
        logoUrl="https://www.springfield.example.gov/assets/seal.png",
        alarmEmail="it-operations@springfield.example.gov",
        # An agency's own names, so the TLS policy checked is the one it would serve (not *.cloudfront.net's)
        apiDomain="api.pay.springfield.example.gov",
        apiCertificateArn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555",
        webDomain="pay.springfield.example.gov",
        webCertificateArn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/66666666-7777-8888-9999-000000000000",
    )
    return context


@dataclass(frozen=True)
class Synthesis:
    """The cloud assembly: the stack, and the us-east-1 companion stack (CloudFront's web ACL) outside us-east-1."""

    outdir: Path
    templates: dict[str, Path]  # stack name -> template file
    nag_reports: dict[str, Path | None]  # stack name -> cdk-nag's report (None: the checks did not run on it)

    def template(self, name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.templates[name].read_text())
        return loaded


def synthesize(outdir: Path) -> Synthesis:
    """The production-like app, synthesized as ``app.py`` does (cdk-nag applied), into ``outdir``."""
    import aws_cdk as cdk

    import app as app_module

    cdk_app = cdk.App(context=production_context(), outdir=str(outdir))
    app_module.build(cdk_app)
    assembly = cdk_app.synth()
    if overflows := app_module.environment_overflows(assembly):
        raise SystemExit("synth: " + "; ".join(overflows))
    stacks = {stack.stack_name: stack for stack in assembly.stacks}
    return Synthesis(
        outdir=outdir,
        templates={name: Path(stack.template_full_path) for name, stack in stacks.items()},
        nag_reports={
            name: next(iter(sorted(outdir.glob(f"AwsSolutions-*{stack.id}-NagReport.csv"))), None)
            for name, stack in stacks.items()
        },
    )


@dataclass
class Outcome:
    ok: bool
    summary: str
    detail: str = ""


def _run(
    command: list[str], *, own_python: bool = False, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``own_python``: a tool with its own venv (checkov) must not see the project's modules on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not (own_python and k == "PYTHONPATH")} | (extra_env or {})
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, cwd=ROOT, env=env)  # noqa: S603


def cfn_lint(synthesis: Synthesis) -> Outcome:
    found = Path(sys.executable).with_name("cfn-lint")
    templates = [str(path) for path in synthesis.templates.values()]
    result = _run([str(found), "--ignore-checks", *CFN_LINT_IGNORED, "--", *templates])
    findings = [line for line in result.stdout.splitlines() if line[:1] in {"E", "W", "I"} and " " in line]
    if result.returncode == 0:
        return Outcome(True, f"0 findings in {len(templates)} template(s)")
    return Outcome(False, f"{len(findings)} finding(s) (exit {result.returncode})", result.stdout + result.stderr)


def cdk_nag(synthesis: Synthesis) -> Outcome:
    missing = [name for name, report in synthesis.nag_reports.items() if report is None]
    if missing:
        return Outcome(False, f"no AwsSolutions report for {missing}: the checks were not applied")
    suppressed, unacknowledged = 0, []
    for report in synthesis.nag_reports.values():
        assert report is not None
        counts, found = nag_findings(report)
        suppressed += counts.get("Suppressed", 0)
        unacknowledged += found
    summary = f"{len(unacknowledged)} unacknowledged, {suppressed} acknowledged with a reason"
    return Outcome(not unacknowledged, summary, "\n".join(unacknowledged))


def checkov(synthesis: Synthesis) -> Outcome:
    if not CHECKOV.exists():
        return Outcome(False, f"{CHECKOV.relative_to(ROOT)} is missing: `make deploy-check` installs it")
    skips = load_checkov_skips(CHECKOV_SKIPS)
    # --skip-download: judge offline, by the pinned release's own checks (no Prisma Cloud guideline fetch)
    options = ["--framework", "cloudformation", "--output", "json", "--quiet", "--compact", "--skip-download"]
    templates = [str(path) for path in synthesis.templates.values()]
    result = _run([str(CHECKOV), "--file", *templates, *options], own_python=True)
    if result.returncode not in {0, 1} or not result.stdout.strip():
        return Outcome(False, f"checkov did not run (exit {result.returncode})", result.stderr[-4000:])
    judged = judge_checkov(result.stdout, skips)
    summary = (
        f"{len(judged.failures)} failed, {len(judged.accepted)} accepted by {CHECKOV_SKIPS.name} "
        f"({len(skips)} checks), {judged.passed} passed"
    )
    detail = judged.failures + [
        f"{check}: in {CHECKOV_SKIPS.name} but no longer found; remove it" for check in judged.unused
    ]
    return Outcome(not detail, summary, "\n".join(detail))


def asl_validator(synthesis: Synthesis) -> Outcome:
    if not ASL_VALIDATOR.exists():
        return Outcome(False, f"{ASL_VALIDATOR} is missing: run `npm ci`")
    definitions = {
        logical_id: definition
        for name in synthesis.templates
        for logical_id, definition in deployed_definitions(
            synthesis.template(name), synthesis.outdir, account=ACCOUNT, region=REGION
        ).items()
    }
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        for logical_id, definition in sorted(definitions.items()):
            path = Path(folder) / f"{logical_id}.asl.json"
            path.write_text(json.dumps(definition, indent=2))
            result = _run([str(ASL_VALIDATOR), "--json-path", str(path)])
            if result.returncode != 0:
                failures.append(f"{logical_id}: {result.stdout.strip()} {result.stderr.strip()}")
    if not definitions:
        return Outcome(False, "no state machine found in the template")
    summary = f"{len(definitions) - len(failures)}/{len(definitions)} state machines valid"
    return Outcome(not failures, summary, "\n".join(failures))


def import_test(synthesis: Synthesis) -> Outcome:
    """The handlers as this synthesis deploys them: its assets, layers and environment (``ARPORTAL_CDK_OUT``)."""
    tests = ROOT / "tests" / "deploy"
    if not tests.exists():
        return Outcome(False, "tests/deploy does not exist (the isolated import test)")
    command = [sys.executable, "-m", "pytest", "-p", "no:randomly", str(tests)]
    result = _run(command, extra_env={"ARPORTAL_CDK_OUT": str(synthesis.outdir)})
    lines = result.stdout.strip().splitlines()
    summary = next((line.strip("= ") for line in reversed(lines) if re.search(r"passed|failed|error", line)), "")
    return Outcome(
        result.returncode == 0,
        summary or f"pytest exit {result.returncode}",
        "" if result.returncode == 0 else result.stdout[-4000:],
    )


TOOLS: dict[str, Callable[[Synthesis], Outcome]] = {
    "cfn-lint": cfn_lint,
    "cdk-nag": cdk_nag,
    "checkov": checkov,
    "asl-validator": asl_validator,
    "import-test": import_test,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", action="append", choices=sorted(TOOLS), help="run only these tools (repeatable)")
    parser.add_argument("--outdir", type=Path, help="write the cloud assembly here instead of a temporary folder")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="deploy-check-") as temporary:
        started = time.monotonic()
        try:
            synthesis = synthesize(args.outdir or Path(temporary))
        except Exception:  # a stack that does not synthesize is the first finding; every tool needs the assembly
            traceback.print_exc()
            print("deploy-check: FAILED: synth")
            return 1
        stacks = ", ".join(synthesis.templates)
        print(f"synth: the production-like app in {time.monotonic() - started:.1f}s -> {stacks}")
        failed = []
        for name, tool in TOOLS.items():
            if args.only and name not in args.only:
                continue
            started = time.monotonic()
            outcome = tool(synthesis)
            print(f"{name}: {'PASS' if outcome.ok else 'FAIL'} - {outcome.summary} ({time.monotonic() - started:.1f}s)")
            if outcome.detail:
                print("    " + outcome.detail.replace("\n", "\n    "))
            if not outcome.ok:
                failed.append(name)
            sys.stdout.flush()
    print(f"deploy-check: {'FAILED: ' + ', '.join(failed) if failed else 'all passed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
