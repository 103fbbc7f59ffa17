"""What the product is made of, in plain Python: functions, API routes, state machines, environment.

Both the CDK stack and the local runtime read this module, so a route, a function or a state machine's
substitutions are declared once. It imports nothing from aws_cdk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from arportal.domain import integration_scopes

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
LAYER_DIR = ROOT / "layers" / "arportal"
STATEMACHINES_DIR = ROOT / "statemachines"
# The OAuth 2.0 token endpoint's path: the integrations pool's domain serves it in AWS, the local gateway locally.
TOKEN_PATH = "/oauth2/token"
# What Cognito writes in the scope claim of every access token of a person's own sign-in (SRP or password): a staff
# member's access token is taken on Auth.ADMIN_OR_MACHINE routes by this scope.
STAFF_ACCESS_SCOPE = "aws.cognito.signin.user.admin"


class Auth(StrEnum):
    NONE = "none"  # public: health, OpenAPI, guest lookup, processor webhooks (signature-checked)
    USER = "user"  # a Cognito JWT from either pool; the handler decides customer vs staff (403)
    # An access token of the integrations pool (OAuth 2.0 client credentials) carrying at least one integration
    # scope (arportal/domain/integration_scopes.py); the handler checks each route's own scope (403).
    MACHINE = "machine"
    # Either a staff member's access token (the staff pool; the handler checks the admin's integrations.manage) or a
    # connected system's (the integrations pool; the handler checks its webhooks.manage scope). One authorizer over
    # both pools, with scopes: API Gateway then takes access tokens only, and no customer's (that pool is not on it).
    ADMIN_OR_MACHINE = "admin_or_machine"


@dataclass(frozen=True)
class FunctionSpec:
    name: str  # also the package under functions/
    description: str
    memory_mb: int = 512
    timeout_s: int = 15
    only_with_processor: str | None = None  # deployed only in stacks whose config.processor is this one

    @property
    def handler(self) -> str:
        return f"{self.name}.handler.lambda_handler"


@dataclass(frozen=True)
class RouteSpec:
    """A path prefix served by one function. ``{proxy+}`` below ``path`` goes to the same function."""

    path: str
    function: str
    auth: Auth
    greedy: bool = True


@dataclass(frozen=True)
class StateMachineSpec:
    name: str  # file statemachines/<name>.asl.json
    description: str

    @property
    def definition_file(self) -> Path:
        return STATEMACHINES_DIR / f"{self.name}.asl.json"


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("public_api", "Health, OpenAPI, Swagger, guest lookup and payment, processor webhooks", 256),
    FunctionSpec("portal_api", "Customer portal API (/v1/portal)"),
    FunctionSpec("staff_api", "Staff console API (/v1/staff)"),
    FunctionSpec("integration_api", "Integration API (/v1/integrations): the agency's systems, client credentials"),
    # 300 s: an import's Split reads the whole upload in one invocation (500,000 records is about 100 s at 512 MB,
    # bench/source_import.py); every other task takes well under a second.
    FunctionSpec(
        "workflow_tasks", "Task states of the payment_retry, approval, settlement and source_import machines", 512, 300
    ),
    FunctionSpec(
        "audit_exporter", "Copies new audit records from the audit table's stream to the Object Lock bucket", 256, 60
    ),
    FunctionSpec(
        "aggregate_builder",
        "Folds new outbox events from the ledger table's stream into the daily totals the reports and metrics read",
        256,
        60,
    ),
    FunctionSpec(
        "sandbox_api",
        "Sandbox processor: hosted fields, tokens and ACH simulation (sandbox deployments only)",
        256,
        only_with_processor="sandbox",
    ),
    # 120 s: a batch of 10 events to endpoints that each take the whole 10 s attempt timeout, 4 at a time; the sweep
    # stops taking due deliveries well before it runs out.
    FunctionSpec(
        "webhook_dispatcher",
        "Signed webhooks: fans each bus event out to the subscribed endpoints; {task: sweep} sends retries due",
        512,
        120,
    ),
    # SES bounces and complaints of this stage's configuration set (EventBridge): suppress, note on the record
    FunctionSpec("email_events", "SES bounces and complaints: suppresses the address on the customers' records", 256),
    FunctionSpec(
        "scheduled_jobs",
        "Scheduled jobs: autopay runs, due-date reminders, overdue notices, payment reconciliation",
        512,
        900,
    ),
)

ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("/v1/health", "public_api", Auth.NONE, greedy=False),
    RouteSpec("/openapi.json", "public_api", Auth.NONE, greedy=False),
    RouteSpec("/swagger", "public_api", Auth.NONE, greedy=False),
    RouteSpec("/v1/public", "public_api", Auth.NONE),
    RouteSpec("/v1/processor", "public_api", Auth.NONE),
    RouteSpec("/v1/portal", "portal_api", Auth.USER),
    RouteSpec("/v1/staff", "staff_api", Auth.USER),
    RouteSpec("/v1/integrations", "integration_api", Auth.MACHINE),
    # Webhook endpoints: managed by an administrator in the console, or by a connected system (issue 13)
    RouteSpec("/v1/integrations/webhooks", "integration_api", Auth.ADMIN_OR_MACHINE),
    # The public half of the key that signs webhook deliveries (v1a, Ed25519): receivers fetch it to verify
    RouteSpec("/v1/webhooks/signing-keys", "public_api", Auth.NONE, greedy=False),
    # The sandbox processor's own API (hosted fields, tokens, ACH simulation): a processor, not part of ours.
    RouteSpec("/sandbox", "sandbox_api", Auth.NONE),
)

STATE_MACHINES: tuple[StateMachineSpec, ...] = (
    StateMachineSpec("payment_retry", "Charge, classify, wait with backoff, retry, post or give up, notify"),
    StateMachineSpec("approval", "Wait for a second staff member's decision on a task token, then act"),
    StateMachineSpec(
        "settlement",
        "Settle payments from the processor's payouts (Distributed Map over S3 chunks), once a banking day",
    ),
    StateMachineSpec(
        "source_import", "Load an uploaded NDJSON or CSV file in chunks of 500 records (Distributed Map), with a report"
    ),
)

# The ${Names} an ASL file may use; CDK and the local runtime both fill every one of them.
SUBSTITUTION_NAMES: tuple[str, ...] = (
    "WorkflowTasksFunctionArn",
    "LedgerTableName",
    "EventBusName",
    "ImportBucketName",
)


def authorization_scopes(auth: Auth) -> list[str]:
    """The scopes a route's authorizer asks of an access token (any one of them); none for the other kinds, whose
    authorizer takes ID tokens (USER) or no token at all (NONE). ADMIN_OR_MACHINE takes every integration scope, not
    only webhooks.manage, so a system without it reaches the handler and is told which scope it lacks (403
    ``insufficient_scope``), as on every other integration route."""
    if auth is Auth.MACHINE:
        return integration_scopes.all_full_names()
    if auth is Auth.ADMIN_OR_MACHINE:
        return [*integration_scopes.all_full_names(), STAFF_ACCESS_SCOPE]
    return []


def function(name: str) -> FunctionSpec:
    return next(f for f in FUNCTIONS if f.name == name)


def route_for(path: str) -> RouteSpec | None:
    """The route serving ``path``: an exact match, or the longest greedy prefix."""
    best: RouteSpec | None = None
    for route in ROUTES:
        exact = path == route.path
        below = route.greedy and path.startswith(route.path.rstrip("/") + "/")
        if (exact or below) and (best is None or len(route.path) > len(best.path)):
            best = route
    return best


def substitutions(*, workflow_tasks_arn: str, ledger_table: str, event_bus: str, import_bucket: str) -> dict[str, str]:
    return {
        "WorkflowTasksFunctionArn": workflow_tasks_arn,
        "LedgerTableName": ledger_table,
        "EventBusName": event_bus,
        # the source_import and settlement machines list their chunks there (Distributed Map)
        "ImportBucketName": import_bucket,
    }


def runtime_environment(
    *,
    ledger_table: str,
    audit_table: str,
    idempotency_table: str,
    documents_bucket: str,
    audit_bucket: str,
    event_bus: str,
    customer_pool_id: str,
    staff_pool_id: str,
    agency_name: str,
    currency: str,
    processor: str,
    approval_threshold_minor: int,
    sender_email: str,
    stage: str,
    ses_configuration_set: str = "",
    payment_retry_arn: str = "",
    approval_arn: str = "",
    settlement_arn: str = "",
    source_import_arn: str = "",
    import_bucket: str = "",
    web_origin: str = "*",
    processor_secret_arn: str = "",
    guest_token_secret_arn: str = "",
    convenience_fees: Mapping[str, Mapping[str, int | None]] | None = None,
    balance_sources: Mapping[str, Mapping[str, str | int | None]] | None = None,
    staff_convenience_fees: bool = True,
    integration_lowered_amount: str = "reject",
    integrations_pool_id: str = "",
    integrations_token_url: str = TOKEN_PATH,
    webhooks_table: str = "",
    webhook_secret_prefix: str = "arportal/webhooks/",  # noqa: S107 - a name prefix, not a secret
    webhook_secret_kms_key: str = "",
    webhooks_local: bool = False,
    webhook_retry_scale: float = 1.0,
    chart_of_accounts: Mapping[str, object] | None = None,
    bank_accounts: Mapping[str, Sequence[str]] | None = None,
    bank_matching: Mapping[str, int] | None = None,
    time_zone: str = "UTC",
) -> dict[str, str]:
    """The environment of every function (the names ``arportal.config.RuntimeSettings`` reads)."""
    return {
        "LEDGER_TABLE": ledger_table,
        "AUDIT_TABLE": audit_table,
        "IDEMPOTENCY_TABLE": idempotency_table,
        "DOCUMENTS_BUCKET": documents_bucket,
        "AUDIT_BUCKET": audit_bucket,
        "EVENT_BUS": event_bus,
        "CUSTOMER_POOL_ID": customer_pool_id,
        "STAFF_POOL_ID": staff_pool_id,
        "INTEGRATIONS_POOL_ID": integrations_pool_id,
        # the integrations pool domain's token endpoint (the local gateway serves its own at /oauth2/token)
        "INTEGRATIONS_TOKEN_URL": integrations_token_url,
        "AGENCY_NAME": agency_name,
        "AGENCY_CURRENCY": currency,
        "TIME_ZONE": time_zone,  # IANA: what people read (receipts, emails, pages) is in the agency's zone
        "PROCESSOR": processor,
        "APPROVAL_THRESHOLD_MINOR": str(approval_threshold_minor),
        "SENDER_EMAIL": sender_email,
        "SES_CONFIGURATION_SET": ses_configuration_set,  # this stage's: its bounces and complaints come back here
        "STAGE": stage,
        "PAYMENT_RETRY_STATE_MACHINE_ARN": payment_retry_arn,
        "APPROVAL_STATE_MACHINE_ARN": approval_arn,
        "SETTLEMENT_STATE_MACHINE_ARN": settlement_arn,
        "SOURCE_IMPORT_STATE_MACHINE_ARN": source_import_arn,
        "IMPORT_BUCKET": import_bucket,  # bulk import files (uploads, chunks, error reports), expired after 7 days
        "WEBHOOKS_TABLE": webhooks_table,  # endpoints, deliveries, the attempt log (issue 13)
        "WEBHOOK_SECRET_PREFIX": webhook_secret_prefix,  # Secrets Manager: <prefix>endpoints/<id>, <prefix>signing-key
        "WEBHOOK_SECRET_KMS_KEY": webhook_secret_kms_key,  # the stack's key, so the secrets are under the agency's key
        # "true" only in the local runtime: endpoints on this machine over plain http
        "WEBHOOKS_LOCAL": "true" if webhooks_local else "false",
        "WEBHOOK_RETRY_SCALE": repr(float(webhook_retry_scale)),  # the retry schedule times this (local: compressed)
        "WEB_ORIGIN": web_origin,
        "PROCESSOR_SECRET_ARN": processor_secret_arn,
        "GUEST_TOKEN_SECRET_ARN": guest_token_secret_arn,
        # JSON {method: {fixed, basis_points, cap}}; "{}" (no fees) unless the deployment config says otherwise
        "CONVENIENCE_FEES": json.dumps(
            {method: dict(rule) for method, rule in (convenience_fees or {}).items()}, sort_keys=True
        ),
        # "true": payments staff take (counter, phone) carry the convenience fee above, as the portal's do
        "STAFF_CONVENIENCE_FEES": "true" if staff_convenience_fees else "false",
        # "reject" | "credit": a connected system lowering an invoice below what was paid on it (issue 12)
        "INTEGRATION_LOWERED_AMOUNT": integration_lowered_amount,
        # JSON {department: {name, base_url, secret_name, timeout_ms}}; "{}": every balance from the ledger
        "BALANCE_SOURCES": json.dumps(
            {department: dict(source) for department, source in (balance_sources or {}).items()}, sort_keys=True
        ),
        # JSON, the deployment config's chartOfAccounts (the GL mapping); "": none configured, no journals
        "CHART_OF_ACCOUNTS": json.dumps(chart_of_accounts, sort_keys=True, separators=(",", ":"))
        if chart_of_accounts
        else "",
        # JSON {id: [name, bank, account no., routing no., receives letters]}, the deployment config's bankAccounts
        # written compactly for Lambda's 4 KB environment (deployment_config.compact_bank_accounts); "{}": none
        "BANK_ACCOUNTS": json.dumps(bank_accounts or {}, sort_keys=True, separators=(",", ":")),
        # JSON {autoApplyScore, amountToleranceMinor, depositWindowBankingDays}; "{}": the defaults
        "BANK_MATCHING": json.dumps(bank_matching or {}, sort_keys=True, separators=(",", ":")),
        "POWERTOOLS_SERVICE_NAME": "arportal",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_METRICS_NAMESPACE": "ArPortal",
    }


# The agency's larger settings (JSON documents) travel in a file of their own, not the environment: Lambda allows
# 4 KB of environment per function, and a real chart of accounts alone can take that. CDK writes the file into a
# layer (``constructs/functions.py``), so it reaches ``/opt`` with the code it was synthesized with; the runtime
# settings read it (``arportal.config.settings``), the environment winning where both name a setting.
SETTINGS_FILE_VARIABLES = ("CHART_OF_ACCOUNTS", "BANK_ACCOUNTS", "BANK_MATCHING", "BALANCE_SOURCES", "CONVENIENCE_FEES")
SETTINGS_FILE_PATH = "/opt/agency-settings.json"


def settings_file(environment: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The environment split in two: what stays in the environment (naming the file), and the file's contents."""
    in_file = {name: environment[name] for name in SETTINGS_FILE_VARIABLES if name in environment}
    rest = {name: value for name, value in environment.items() if name not in in_file}
    return {**rest, "AGENCY_SETTINGS_FILE": SETTINGS_FILE_PATH}, in_file


# Lambda refuses a function whose environment (keys and values, UTF-8) exceeds 4 KB, and only at deploy time.
LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096
# Values CloudFormation fills in at deploy time, at their longest in practice: a generated name (a table, a bucket,
# a pool id) and an ARN (a state machine, a secret, a key).
REF_BYTES = 72
ARN_BYTES = 128


def value_bytes(value: object) -> int:
    """A synthesized environment value's size once deployed: a string as it is, an intrinsic at its longest."""
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return sum(value_bytes(p) for p in parts) + len(separator) * max(len(parts) - 1, 0)
    if isinstance(value, dict) and "Ref" in value:
        return REF_BYTES
    return ARN_BYTES


def environment_overflow(function: str, variables: Mapping[str, object]) -> str | None:
    """Why a deploy would refuse this function's environment, naming its largest variables; None when it fits."""
    sizes = {key: len(key.encode()) + value_bytes(value) for key, value in variables.items()}
    total = sum(sizes.values())
    if total <= LAMBDA_ENVIRONMENT_LIMIT_BYTES:
        return None
    largest = ", ".join(f"{k} ({n} bytes)" for k, n in sorted(sizes.items(), key=lambda kv: -kv[1])[:3])
    return (
        f"{function}: its environment would be about {total} bytes once deployed, over Lambda's "
        f"{LAMBDA_ENVIRONMENT_LIMIT_BYTES}; largest {largest}. A large setting belongs in the settings file "
        "(catalog.SETTINGS_FILE_VARIABLES)."
    )


def functions_for(processor: str) -> tuple[FunctionSpec, ...]:
    """The functions a stack with this processor deploys (the sandbox's own API only with the sandbox)."""
    return tuple(f for f in FUNCTIONS if f.only_with_processor in (None, processor))


def routes_for(processor: str) -> tuple[RouteSpec, ...]:
    """The routes a stack with this processor serves: those whose function it deploys."""
    deployed = {f.name for f in functions_for(processor)}
    return tuple(route for route in ROUTES if route.function in deployed)
