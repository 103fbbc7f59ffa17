"""The deployment config refuses mistakes: each problem named by key, with the reason and the fix (issue 17)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infrastructure import config_values, iso4217
from infrastructure.deployment_config import CONTEXT_KEYS, DeploymentConfigError, load
from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS
from tests.infrastructure.synth import ROOT

CDK_JSON: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]


def refusal(**changes: Any) -> str:
    with pytest.raises(DeploymentConfigError) as raised:
        load({**CDK_JSON, **changes})
    return str(raised.value)


@pytest.mark.parametrize(
    ("changes", "key", "reason", "fix"),
    [
        ({"staffMfa": "ture"}, "staffMfa", "'ture' is not a boolean", "write true or false"),
        ({"staffMfa": "yes"}, "staffMfa", "'yes' is not a boolean", "write true or false"),
        ({"staffConvenienceFees": 0}, "staffConvenienceFees", "0 is not a boolean", "write true or false"),
        (
            {"approvalThreshold": "-5"},
            "approvalThreshold",
            "not a key of this app",
            "did you mean 'approvalThresholdMinor'",
        ),
        ({"approvalThresholdMinor": "-5"}, "approvalThresholdMinor", "greater than or equal to 0", "at least 0"),
        ({"currency": "XXX"}, "currency", "no currency is involved", "the ISO 4217 code of the agency's currency"),
        ({"currency": "XTS"}, "currency", "reserved by ISO 4217 for testing", "e.g. USD"),
        ({"currency": "XAU"}, "currency", "precious metal", "e.g. USD"),
        ({"currency": "USN"}, "currency", "fund code", "e.g. USD"),
        ({"currency": "usd"}, "currency", "not an active ISO 4217 currency code", "did you mean 'USD'"),
        ({"currency": "BGN"}, "currency", "BGN was withdrawn from ISO 4217", "EUR"),  # euro since 2026-01-01
        ({"currency": "XOF"}, "currency", "0 decimal places in ISO 4217 but the portal would show 2", "another"),
        ({"logoUrl": "http://www.springfield.example.gov/seal.png"}, "logoUrl", "not an https URL", "https://"),
        ({"logoUrl": "seal.png"}, "logoUrl", "not an https URL", "https://"),
        ({"timeZone": "America/Chicgo"}, "timeZone", "not an IANA time zone", "did you mean 'America/Chicago'"),
        ({"timeZone": "CST"}, "timeZone", "not an IANA time zone", "America/Chicago"),
        ({"region": "us-est-1"}, "region", "not an AWS region", "did you mean"),
        # SES has no endpoint in Hong Kong, Pipes none yet in Mexico (Central), in botocore's endpoint data
        ({"region": "ap-east-1"}, "region", "ap-east-1 does not offer ses, sesv2", "a region that does, e.g. ap-"),
        ({"region": "mx-central-1"}, "region", "mx-central-1 does not offer pipes", "a region that does"),
        ({"processor": "strpie"}, "processor", "'strpie' is not one of the choices", "did you mean 'stripe'"),
        ({"staff_mfa": False}, "staff_mfa", "not a key of this app", "did you mean 'staffMfa'"),
        ({"bankMatching": {"autoapplyScore": 95}}, "bankMatching.autoapplyScore", "not a key here", "'autoApplyScore'"),
        ({"convenienceFees": {"card": {"basis_point": 3}}}, "convenienceFees.card.basis_point", "not a key", "points"),
        ({"convenienceFees": {"cards": {}}}, "convenienceFees.cards", "not one of the choices", "did you mean 'card'"),
        ({"bankAccounts": "{"}, "bankAccounts", "not JSON", "quote the whole value"),
        ({"senderEmail": None}, "senderEmail", "missing, and it has no default", "-c senderEmail=VALUE"),
    ],
)
def test_each_mistake_stops_the_synth_with_the_key_the_reason_and_the_fix(
    changes: dict[str, Any], key: str, reason: str, fix: str
) -> None:
    message = refusal(**changes)
    line = next(line for line in message.splitlines() if line.startswith(f"  - {key}: "))
    assert reason in line and "fix:" in line and fix in line.split("fix:", 1)[1], line


def test_an_unmapped_department_names_the_chart_the_department_and_the_fix() -> None:
    parking = {"name": "Parking", "base_url": "https://parking.example.gov/api"}
    message = refusal(chartOfAccounts=DEMO_CHART_OF_ACCOUNTS, balanceSources={"parking_fines": parking})
    assert "chartOfAccounts: no fund and account for department 'parking_fines'" in message
    assert "fix: map each under chartOfAccounts.departments" in message


def test_every_problem_is_reported_at_once() -> None:
    message = refusal(staffMfa="ture", approvalThreshold=-5, currency="XXX")
    assert [line.split(":")[0] for line in message.splitlines()[1:]] == [
        "  - approvalThreshold",
        "  - currency",
        "  - staffMfa",
    ]


@pytest.mark.parametrize(("given", "read"), [(True, True), (False, False), ("true", True), ("false", False)])
def test_booleans_are_json_booleans_or_the_command_lines_true_and_false(given: object, read: bool) -> None:
    assert load({**CDK_JSON, "staffMfa": given}).staff_mfa is read


def test_cdks_own_keys_are_left_to_cdk() -> None:
    cdk_keys = {
        "@aws-cdk/core:newStyleStackSynthesis": True,
        "aws:cdk:enable-path-metadata": True,
        "aws:cdk:bundling-stacks": ["**"],
        "availability-zones:account=123456789012:region=us-east-1": ["us-east-1a"],
        "acknowledged-issue-numbers": [32775],
        "cli-telemetry": False,
    }
    assert load({**CDK_JSON, **cdk_keys}).agency == "springfield"


def test_the_demo_config_is_valid_and_names_its_time_zone() -> None:
    config = load(CDK_JSON)
    assert (config.time_zone, config.currency) == ("America/Chicago", "USD")
    assert load({k: v for k, v in CDK_JSON.items() if k != "timeZone"}).time_zone == "UTC"


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ca-central-1"])
def test_a_region_offering_every_service_is_accepted(region: str) -> None:
    assert load({**CDK_JSON, "region": region}).region == region
    assert load(CDK_JSON, default_region=region).region is None


def test_the_clis_default_region_is_checked_when_the_config_names_none() -> None:
    with pytest.raises(DeploymentConfigError, match=r"region: unset, so CDK_DEFAULT_REGION .* ap-east-1 does not"):
        load(CDK_JSON, default_region="ap-east-1")
    assert load({**CDK_JSON, "region": "us-east-1"}, default_region="ap-east-1").region == "us-east-1"


def test_every_context_key_is_camel_case_so_it_cannot_be_taken_for_a_cdk_key() -> None:
    assert all(key[0].islower() and key.isalnum() for key in CONTEXT_KEYS), CONTEXT_KEYS


def test_the_iso_list_knows_the_common_currencies_and_their_decimals() -> None:
    assert {code: iso4217.MINOR_UNITS[code] for code in ("USD", "EUR", "JPY", "KWD", "CAD")} == {
        "USD": 2,
        "EUR": 2,
        "JPY": 0,
        "KWD": 3,
        "CAD": 2,
    }
    assert not set(iso4217.MINOR_UNITS) & set(iso4217.NOT_CURRENCIES)
    assert load({**CDK_JSON, "currency": "JPY", "bankAccounts": {}}).currency == "JPY"


def test_every_service_the_functions_call_is_checked_in_the_region() -> None:
    # The functions' boto3 clients (layer and handlers) must be among the services a region is checked for.
    sources = [*(ROOT / "layers").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    called = {
        m
        for path in sources
        for m in re.findall(r"""\b(?:client|resource)\(\s*["']([a-z0-9-]+)["']""", path.read_text())
    }
    assert called, "no boto3 client found: the pattern no longer matches the code"
    assert called <= config_values.RUNTIME_SERVICES, called - config_values.RUNTIME_SERVICES


def test_stripe_without_its_secret_stops_the_synth_and_the_sandbox_refuses_one() -> None:
    message = refusal(processor="stripe")
    assert "processorSecretName: missing for processor stripe" in message
    assert "fix: create the secret" in message and "-c processorSecretName=<its name>" in message
    stripe = load({**CDK_JSON, "processor": "stripe", "processorSecretName": "arportal/prod/stripe"})
    assert stripe.processor_secret_name == "arportal/prod/stripe"
    assert "processorSecretName: the sandbox generates its own secret; fix: remove the key" in refusal(
        processorSecretName="arportal/prod/stripe"
    )
