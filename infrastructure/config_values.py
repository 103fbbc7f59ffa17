"""Value types of the deployment config that check against the world, not a pattern: ISO 4217, the IANA time-zone
database, https URLs, booleans written only as true or false, and AWS regions offering every service the stack uses.

Each check's message says what is wrong and how to fix it; ``config_context`` puts the key in front.
"""

from __future__ import annotations

import difflib
import functools
import zoneinfo
from collections.abc import Collection
from typing import Annotated, Any
from urllib.parse import urlsplit

import boto3
import botocore
import botocore.loaders
from pydantic import AfterValidator, BeforeValidator, Field

from arportal.domain.money import exponent
from infrastructure import iso4217


def nearest(word: str, choices: Collection[str]) -> str | None:
    """The choice a typo most likely meant (case aside), or None when nothing is close."""
    by_lower = {choice.lower(): choice for choice in choices}
    if word.lower() in by_lower:
        return by_lower[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def _did_you_mean(word: str, choices: Collection[str]) -> str:
    close = nearest(word, choices)
    return f"did you mean {close!r}?" if close else ""


def _flag(value: Any) -> Any:
    # pydantic's lax booleans also take "yes", "off", "1" or 0; one spelling each way leaves a typo in a security
    # switch (`-c staffMfa=ture`) nothing to be mistaken for.
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"{value!r} is not a boolean; fix: write true or false")


Flag = Annotated[bool, BeforeValidator(_flag)]


def _currency(code: str) -> str:
    if code in iso4217.NOT_CURRENCIES:
        reason = iso4217.NOT_CURRENCIES[code]
        raise ValueError(f"{code} is {reason}; fix: the ISO 4217 code of the agency's currency, e.g. USD")
    if code in iso4217.WITHDRAWN:
        raise ValueError(f"{code} was withdrawn from ISO 4217; fix: {iso4217.WITHDRAWN[code]}, which replaced it")
    units = iso4217.MINOR_UNITS.get(code)
    if units is None:
        hint = _did_you_mean(code.upper(), list(iso4217.MINOR_UNITS)) or "e.g. USD"
        raise ValueError(
            f"{code!r} is not an active ISO 4217 currency code (list one of {iso4217.PUBLISHED}); fix: {hint}"
        )
    if units != exponent(code):
        raise ValueError(
            f"{code} has {units} decimal places in ISO 4217 but the portal would show {exponent(code)}; fix: "
            "another currency, or teach arportal/domain/money.py its minor units first"
        )
    return code


# The schema lists the codes the check accepts, so an editor flags a wrong one before any synth.
_BILLABLE = sorted(code for code, units in iso4217.MINOR_UNITS.items() if units == exponent(code))
Iso4217Currency = Annotated[str, AfterValidator(_currency), Field(json_schema_extra={"enum": _BILLABLE})]


@functools.cache
def _time_zones() -> frozenset[str]:
    # Aliases CPython lists beside the real zones; none names a place an agency is in.
    return frozenset(zoneinfo.available_timezones() - {"Factory", "localtime", "posixrules"})


def _time_zone(name: str) -> str:
    if name not in _time_zones():
        close = nearest(name, _time_zones())
        hint = f"did you mean {close!r}? " if close else ""
        raise ValueError(f"{name!r} is not an IANA time zone; fix: {hint}an Area/City name such as America/Chicago")
    return name


TimeZone = Annotated[str, AfterValidator(_time_zone)]


def _https(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url) or "@" in parts.netloc:
        raise ValueError(
            f"{url!r} is not an https URL (browsers block plain http on the portal's https pages); "
            "fix: https://host/path"
        )
    return url


HttpsUrl = Annotated[str, AfterValidator(_https), Field(json_schema_extra={"format": "uri", "pattern": "^https://"})]

# Every service the stack creates resources in (by CloudFormation namespace) or its functions call, as
# botocore names them; a test keeps this table in step with the synthesized template and the code.
SERVICE_OF_NAMESPACE = {
    "ApiGateway": "apigateway",
    "Backup": "backup",
    "CertificateManager": "acm",
    "CloudWatch": "cloudwatch",
    "Cognito": "cognito-idp",
    "DynamoDB": "dynamodb",
    "Events": "events",
    "KMS": "kms",
    "Lambda": "lambda",
    "Logs": "logs",
    "Pipes": "pipes",
    "S3": "s3",
    "SES": "sesv2",
    "SNS": "sns",
    "SQS": "sqs",
    "Scheduler": "scheduler",
    "SecretsManager": "secretsmanager",
    "StepFunctions": "stepfunctions",
    "WAFv2": "wafv2",
}
GLOBAL_NAMESPACES = frozenset({"CDK", "CloudFront", "IAM", "Route53"})
RUNTIME_SERVICES = frozenset({"cognito-idp", "dynamodb", "s3", "secretsmanager", "ses", "stepfunctions"})
REGIONAL_SERVICES = tuple(sorted(set(SERVICE_OF_NAMESPACE.values()) | RUNTIME_SERVICES))


@functools.cache
def _partitions() -> dict[str, str]:
    """Every region botocore knows (offline, from its endpoint data), with its partition (aws, aws-us-gov, ...)."""
    data = botocore.loaders.create_loader().load_data("endpoints")
    return {region: p["partition"] for p in data["partitions"] for region in p["regions"] if region[-1].isdigit()}


@functools.cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@functools.cache
def missing_services(region: str) -> tuple[str, ...]:
    """The services the stack uses that botocore's endpoint data does not list in ``region`` (a known region)."""
    session = _session()
    partition = _partitions()[region]
    return tuple(
        s for s in REGIONAL_SERVICES if region not in session.get_available_regions(s, partition_name=partition)
    )


def region_problem(region: str) -> str | None:
    """Why the stack cannot be deployed to this region (reason and fix), or None when it can."""
    if region not in _partitions():
        hint = _did_you_mean(region, set(_partitions())) or "e.g. us-east-1"
        return f"{region!r} is not an AWS region; fix: {hint}"
    missing = missing_services(region)
    if missing:
        partition, area = _partitions()[region], region.split("-", maxsplit=1)[0]
        # The nearest alternatives first: same partition (GovCloud, China), same area (eu, ap, us)
        ranked = sorted(_partitions(), key=lambda r: (_partitions()[r] != partition, r.split("-")[0] != area, r))
        offering = [r for r in ranked if not missing_services(r)]
        return (
            f"{region} does not offer {', '.join(missing)} (botocore {botocore.__version__}'s endpoint data), which "
            f"the stack uses; fix: a region that does, e.g. {', '.join(offering[:4])}"
        )
    return None


def _region(region: str) -> str:
    if problem := region_problem(region):
        raise ValueError(problem)
    return region


Region = Annotated[str, AfterValidator(_region)]
