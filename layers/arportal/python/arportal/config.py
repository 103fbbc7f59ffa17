"""Runtime settings of every Lambda function: one validated model, read once per container.

CDK (``infrastructure``) and the local runtime (``local``) both produce the environment through
``infrastructure.catalog.runtime_environment``; the names below are that contract.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, Json, ValidationInfo, field_validator

from arportal.domain.agency_time import AgencyTime
from arportal.domain.bank_accounts import BankAccount, receives_of
from arportal.domain.bank_matches import MatchSettings
from arportal.domain.chart_of_accounts import ChartOfAccounts
from arportal.domain.values import Currency


class RuntimeSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    ledger_table: str = Field(alias="LEDGER_TABLE")
    audit_table: str = Field(alias="AUDIT_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    documents_bucket: str = Field(alias="DOCUMENTS_BUCKET")
    audit_bucket: str = Field(alias="AUDIT_BUCKET")
    event_bus: str = Field(alias="EVENT_BUS")
    agency_name: str = Field(alias="AGENCY_NAME", min_length=1)
    currency: Currency = Field(alias="AGENCY_CURRENCY")
    # The agency's IANA zone: what people read is shown in it; storage and the API stay UTC (domain/agency_time.py)
    time_zone: str = Field(default="UTC", alias="TIME_ZONE")
    processor: Literal["sandbox", "stripe"] = Field(alias="PROCESSOR")
    customer_pool_id: str = Field(alias="CUSTOMER_POOL_ID")
    staff_pool_id: str = Field(alias="STAFF_POOL_ID")
    integrations_pool_id: str = Field(
        default="", alias="INTEGRATIONS_POOL_ID", description="The connected systems' user pool (app clients only)"
    )
    integrations_token_url: str = Field(
        default="/oauth2/token",
        alias="INTEGRATIONS_TOKEN_URL",
        description="Where connected systems get tokens (the pool domain's /oauth2/token; the local gateway's)",
    )
    integration_lowered_amount: Literal["reject", "credit"] = Field(
        default="reject",
        alias="INTEGRATION_LOWERED_AMOUNT",
        description="An invoice a connected system lowers below what was paid: refused (reject), or the difference "
        "held as the customer's credit (credit)",
    )
    approval_threshold: int = Field(alias="APPROVAL_THRESHOLD_MINOR", ge=0)
    approval_expiry_seconds: int = Field(
        default=86_400,
        alias="APPROVAL_EXPIRY_SECONDS",
        ge=1,
        le=365 * 86_400,
        description="How long an approval waits for a decision before it expires (and does nothing)",
    )
    duplicate_window_minutes: int = Field(
        default=10,
        alias="DUPLICATE_WINDOW_MINUTES",
        ge=1,
        le=7 * 24 * 60,
        description="Payments by the same payer of the same amount toward the same invoice this close are flagged",
    )
    sender_email: str = Field(alias="SENDER_EMAIL")
    # every message goes through it, so SES reports its bounces and complaints to this stage (docs/email.md)
    ses_configuration_set: str = Field(default="", alias="SES_CONFIGURATION_SET")
    payment_retry_state_machine: str = Field(default="", alias="PAYMENT_RETRY_STATE_MACHINE_ARN")
    approval_state_machine: str = Field(default="", alias="APPROVAL_STATE_MACHINE_ARN")
    settlement_state_machine: str = Field(default="", alias="SETTLEMENT_STATE_MACHINE_ARN")
    source_import_state_machine: str = Field(default="", alias="SOURCE_IMPORT_STATE_MACHINE_ARN")
    import_bucket: str = Field(
        default="", alias="IMPORT_BUCKET", description="Bulk import files: uploads, chunks, error reports (7 days)"
    )
    import_max_concurrency: int = Field(
        default=8,
        alias="IMPORT_MAX_CONCURRENCY",
        ge=1,
        le=1000,
        description="How many chunks of one import load at once (the Distributed Map's MaxConcurrency); 8 chunks write "
        "about on-demand's default per-table quota of 40,000 units a second (bench/source_import.py)",
    )
    webhooks_table: str = Field(
        default="", alias="WEBHOOKS_TABLE", description="Webhook endpoints, deliveries and the attempt log"
    )
    webhook_secret_prefix: str = Field(
        default="arportal/webhooks/",
        alias="WEBHOOK_SECRET_PREFIX",
        description="Secrets Manager names of the endpoints' signing secrets (<prefix>endpoints/<id>) and the "
        "agency's Ed25519 key (<prefix>signing-key)",
    )
    webhook_secret_kms_key: str = Field(
        default="",
        alias="WEBHOOK_SECRET_KMS_KEY",
        description="The KMS key the signing secrets are created under (the stack's key); empty: Secrets Manager's own",
    )
    webhooks_local: bool = Field(
        default=False,
        alias="WEBHOOKS_LOCAL",
        description="Plain http and private addresses allowed as webhook endpoints: the local runtime only",
    )
    webhook_retry_scale: float = Field(
        default=1.0,
        alias="WEBHOOK_RETRY_SCALE",
        gt=0,
        le=1,
        description="The retry schedule times this (the local runtime compresses hours into seconds)",
    )
    stage: str = Field(default="dev", alias="STAGE")
    web_origin: str = Field(default="*", alias="WEB_ORIGIN")
    processor_secret_arn: str = Field(default="", alias="PROCESSOR_SECRET_ARN", description="Stripe keys (stripe only)")
    sandbox_card_payout_days: int = Field(
        default=2,
        alias="SANDBOX_CARD_PAYOUT_DAYS",
        ge=1,
        le=10,
        description="Sandbox: card payouts arrive T+n banking days",
    )
    sandbox_ach_payout_days: int = Field(
        default=3,
        alias="SANDBOX_ACH_PAYOUT_DAYS",
        ge=1,
        le=10,
        description="Sandbox: ACH payouts arrive T+n banking days",
    )
    sandbox_fees_netted: bool = Field(
        default=True,
        alias="SANDBOX_FEES_NETTED",
        description="Sandbox: processor fees deducted from each payout (false: paid gross, fees debited apart)",
    )
    sandbox_refunds_netted: bool = Field(
        default=True,
        alias="SANDBOX_REFUNDS_NETTED",
        description="Sandbox: refunds and ACH returns taken out of the day's payout (false: debited apart)",
    )
    sandbox_processor_fees: Json[dict[str, dict[str, int | None]]] = Field(
        default_factory=dict,
        alias="SANDBOX_PROCESSOR_FEES",
        description="Sandbox: JSON {method: {fixed, basis_points, cap}}, what the processor keeps; unset: 2.9% + 30c "
        "for cards, 0.8% capped at $5 for ACH",
    )
    convenience_fees: Json[dict[str, dict[str, int | None]]] = Field(
        default_factory=dict,
        alias="CONVENIENCE_FEES",
        description="JSON {method: {fixed, basis_points, cap}}: what a payer pays on top; unset means no fees",
    )
    staff_convenience_fees: bool = Field(
        default=True,
        alias="STAFF_CONVENIENCE_FEES",
        description="Whether payments staff take (counter, phone) carry CONVENIENCE_FEES too; false: no fee",
    )
    guest_token_secret_arn: str = Field(
        default="", alias="GUEST_TOKEN_SECRET_ARN", description="HMAC key of guest tokens (public and portal APIs)"
    )
    balance_sources: Json[dict[str, dict[str, str | int | None]]] = Field(
        default_factory=dict,
        alias="BALANCE_SOURCES",
        description='JSON {department: {"name", "base_url", "secret_name"?, "timeout_ms"}}: connected systems whose '
        "balances the staff console shows; a department left out is answered by the built-in ledger",
    )

    chart_of_accounts: ChartOfAccounts | None = Field(
        default=None,
        alias="CHART_OF_ACCOUNTS",
        description="JSON, the deployment config's chartOfAccounts (the GL mapping); unset or empty: none, and no "
        "journal can be built",
    )

    bank_accounts: tuple[BankAccount, ...] = Field(
        default=(),
        alias="BANK_ACCOUNTS",
        description="JSON, the deployment config's bankAccounts, compact: {id: [name, bank name, account number, "
        'routing number, receives letters]}; unset or "{}": none, and every bank file is refused',
    )

    bank_matching: MatchSettings = Field(
        default_factory=MatchSettings,
        alias="BANK_MATCHING",
        description="JSON, the deployment config's bankMatching: {autoApplyScore, amountToleranceMinor, "
        'depositWindowBankingDays}; unset or "{}": the defaults',
    )

    @field_validator("bank_matching", mode="before")
    @classmethod
    def _bank_matching_from_json(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        raw = json.loads(value) if value.strip() else {}
        return MatchSettings(
            auto_apply_score=int(raw.get("autoApplyScore", MatchSettings.auto_apply_score)),
            amount_tolerance=int(raw.get("amountToleranceMinor", MatchSettings.amount_tolerance)),
            deposit_window_banking_days=int(
                raw.get("depositWindowBankingDays", MatchSettings.deposit_window_banking_days)
            ),
        )

    @field_validator("bank_accounts", mode="before")
    @classmethod
    def _bank_accounts_from_json(cls, value: object, info: ValidationInfo) -> object:
        """``{id: [name, bank name, account number, routing number, receives letters]}``, in the agency's
        currency (``infrastructure/deployment_config.compact_bank_accounts`` writes it)."""
        if not isinstance(value, str):
            return value
        raw = json.loads(value) if value.strip() else {}
        currency = str(info.data.get("currency", "USD"))
        return tuple(
            BankAccount(
                account_id=key,
                name=name,
                bank_name=bank_name,
                account_number=number,
                routing_number=routing,
                currency=currency,
                receives=receives_of(receives),
            )
            for key, (name, bank_name, number, routing, receives) in sorted(raw.items())
        )

    @field_validator("chart_of_accounts", mode="before")
    @classmethod
    def _chart_from_json(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else None
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            AgencyTime(value).tz  # noqa: B018 - raises for a zone the IANA database lacks
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TIME_ZONE {value!r} is not an IANA time zone (e.g. America/Chicago)") from exc
        return value

    @property
    def agency_time(self) -> AgencyTime:
        return AgencyTime(self.time_zone)


@lru_cache(maxsize=1)
def settings() -> RuntimeSettings:
    """The settings of this process; tests that change the environment call ``settings.cache_clear()``.

    A deployed function's larger settings (the chart of accounts, the bank accounts...) come from the file that
    ``AGENCY_SETTINGS_FILE`` names (a layer at ``/opt``: Lambda's environment holds 4 KB); a variable in the
    environment wins over the file's."""
    environment = dict(os.environ)
    path = environment.get("AGENCY_SETTINGS_FILE")
    return RuntimeSettings.model_validate({**_settings_file(path), **environment} if path else environment)


def _settings_file(path: str) -> dict[str, str]:
    try:
        document = json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"AGENCY_SETTINGS_FILE {path}: cannot be read as JSON ({exc})") from exc
    if not isinstance(document, dict) or not all(isinstance(v, str) for v in document.values()):
        raise RuntimeError(f"AGENCY_SETTINGS_FILE {path}: not an object of strings")
    return document
