"""The deployment configuration of one agency's stack, validated at synth (and by the local runtime).

Set through ``cdk.json`` context (``-c agency=...`` on the command line overrides a value). Every key is in
docs/configuration.md; docs/config.schema.json is this model's JSON Schema (``python -m infrastructure.config_schema``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from arportal.domain.chart_of_accounts import ChartOfAccounts
from infrastructure import config_context
from infrastructure.config_sections import (
    DEFAULT_CONVENIENCE_FEES,
    BalanceSourceConfig,
    BankAccountConfig,
    BankAccountKey,
    BankMatchingConfig,
    DepartmentKey,
    FeeMethod,
    FeeRuleConfig,
    IntegrationClientConfig,
    Slug,
    compact_bank_accounts,
)
from infrastructure.config_values import Flag, HttpsUrl, Iso4217Currency, Region, TimeZone, region_problem

__all__ = [  # the sections live in config_sections; callers import them from here, with the config
    "BalanceSourceConfig",
    "BankAccountConfig",
    "BankMatchingConfig",
    "DeploymentConfig",
    "DeploymentConfigError",
    "FeeRuleConfig",
    "IntegrationClientConfig",
    "compact_bank_accounts",
    "load",
]
HostName = Annotated[str, StringConstraints(pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
AcmArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$")]


class DeploymentConfigError(ValueError):
    """A context value is missing, unknown or wrong; the message names each key, the reason and the fix."""


class DeploymentConfig(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        # cdk.json's context also holds CDK's own keys (feature flags, aws:cdk:*, lookups), which load() sets aside.
        json_schema_extra={"patternProperties": {"^@|:": {}}},
    )

    agency: Slug = Field(description="Short name used in resource names, e.g. 'springfield'")
    agency_name: str = Field(alias="agencyName", min_length=1, max_length=120)
    stage: Slug = "dev"
    currency: Iso4217Currency = "USD"
    time_zone: TimeZone = Field(
        default="UTC", alias="timeZone", description="The agency's IANA time zone (its business day)"
    )
    processor: Literal["sandbox", "stripe"] = "sandbox"
    processor_secret_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$")] | None = Field(
        default=None,
        alias="processorSecretName",
        description='stripe: the Secrets Manager secret, made before the deploy, holding {"api_key", '
        '"webhook_secret"} (docs/processors.md); the sandbox generates its own',
    )
    stripe_publishable_key: (
        Annotated[str, StringConstraints(pattern=r"^pk_(test|live)_[A-Za-z0-9]{10,247}$")] | None
    ) = Field(
        default=None,
        alias="stripePublishableKey",
        description="stripe: the publishable key (pk_test_... or pk_live_...) the payment pages give Stripe.js; "
        "public by design, so it is config, not a secret (docs/processors.md)",
    )
    approval_threshold_minor: int = Field(default=50_000, alias="approvalThresholdMinor", ge=0)
    sender_email: str = Field(alias="senderEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    email_domain: str | None = Field(
        default=None,
        alias="emailDomain",
        min_length=4,
        max_length=253,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        description="The SES domain identity mail is sent from (DKIM, MAIL FROM); default: senderEmail's domain, "
        "which must be it or below it (DMARC alignment). docs/email.md",
    )
    mail_from_subdomain: str = Field(
        default="mail",
        alias="mailFromSubdomain",
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
        description="The custom MAIL FROM domain is <mailFromSubdomain>.<emailDomain> (its MX and SPF records)",
    )
    email_identity: Literal["create", "existing"] = Field(
        default="create",
        alias="emailIdentity",
        description="'create': this stage creates the SES domain identity; 'existing': another stage (or the "
        "agency) made it in this account and region, and this stage only uses it",
    )
    cognito_email: Literal["ses", "cognito"] = Field(
        default="ses",
        alias="cognitoEmail",
        description="How the user pools send their codes and invitations: 'ses' (the agency's domain, SES quotas); "
        "'cognito' (Cognito's sender, 50 a day) only until the domain identity is verified (docs/email.md)",
    )
    logo_url: HttpsUrl | None = Field(default=None, alias="logoUrl", description="https URL of the agency's logo")
    staff_mfa: Flag = Field(default=True, alias="staffMfa", description="Require MFA for staff (deployed)")
    convenience_fees: dict[FeeMethod, FeeRuleConfig] = Field(
        default_factory=lambda: dict(DEFAULT_CONVENIENCE_FEES),
        alias="convenienceFees",
        description='Per method: {"fixed", "basis_points", "cap"}; a method left out costs the payer nothing',
    )
    staff_convenience_fees: Flag = Field(
        default=True,
        alias="staffConvenienceFees",
        description="Whether a payment staff take (counter, phone) carries the same convenience fee as the portal's; "
        "false: staff channels charge no fee",
    )
    integration_lowered_amount: Literal["reject", "credit"] = Field(
        default="reject",
        alias="integrationLoweredAmount",
        description="When a connected system lowers an invoice below what was already paid on it: 'reject' the "
        "record, or 'credit' the difference to the customer",
    )
    balance_sources: dict[DepartmentKey, BalanceSourceConfig] = Field(
        default_factory=dict,
        alias="balanceSources",
        description='Per department: {"name", "base_url", "secret_name"?, "timeout_ms"}; others use the ledger',
    )
    integration_clients: list[IntegrationClientConfig] = Field(
        default_factory=list,
        alias="integrationClients",
        description='The connected systems: [{"name", "scopes"}], one app client each; none by default',
    )
    chart_of_accounts: ChartOfAccounts | None = Field(
        default=None,
        alias="chartOfAccounts",
        description="The GL mapping (arportal/domain/chart_of_accounts.py): funds, clearing, revenue per department "
        "and fee code, contra and expense accounts; every department and chargeable convenience fee here must map",
    )
    bank_accounts: dict[BankAccountKey, BankAccountConfig] = Field(
        default_factory=dict,
        alias="bankAccounts",
        description='The agency\'s bank accounts: {id: {"name", "bankName", "accountNumber", "routingNumber", '
        '"currency", "receives": [...]}}; a bank file for any other account is refused (docs/bank-files.md)',
    )
    bank_matching: BankMatchingConfig = Field(
        default_factory=BankMatchingConfig,
        alias="bankMatching",
        description='{"autoApplyScore" (50-100, default 90), "amountToleranceMinor" (default 0), '
        '"depositWindowBankingDays" (default 2)}',
    )
    # Operations (docs/deploy.md "Operations"): the alarms' email, custom domains, the CloudFront web ACL.
    alarm_email: str | None = Field(
        default=None, alias="alarmEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Subscribed to alarms"
    )
    api_domain: HostName | None = Field(default=None, alias="apiDomain", description="e.g. api.pay.springfield.gov")
    api_certificate_arn: AcmArn | None = Field(
        default=None, alias="apiCertificateArn", description="ACM certificate for apiDomain, in the stack's region"
    )
    web_domain: HostName | None = Field(default=None, alias="webDomain", description="e.g. pay.springfield.gov")
    web_certificate_arn: AcmArn | None = Field(
        default=None, alias="webCertificateArn", description="ACM certificate for webDomain, in us-east-1"
    )
    hosted_zone_id: Annotated[str, StringConstraints(pattern=r"^Z[A-Z0-9]{1,31}$")] | None = Field(
        default=None, alias="hostedZoneId", description="Route 53 zone: DNS-validated API certificate, alias records"
    )
    hosted_zone_name: HostName | None = Field(default=None, alias="hostedZoneName")
    cloud_front_web_acl_arn: (
        Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/.+$")] | None
    ) = Field(
        default=None,
        alias="cloudFrontWebAclArn",
        description="An existing CLOUDFRONT web ACL (e.g. Firewall Manager's) instead of the stack's own",
    )
    region: Region | None = Field(default=None, description="Must offer every service the stack uses")
    account: Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")] | None = None

    @model_validator(mode="after")
    def _processor_has_its_secret(self) -> DeploymentConfig:
        if self.processor == "stripe" and not self.processor_secret_name:
            raise ValueError(
                "processorSecretName: missing for processor stripe, so the stack would deploy without Stripe's keys "
                'and every payment would fail; fix: create the secret (JSON {"api_key", "webhook_secret"}, '
                "docs/processors.md) and set -c processorSecretName=<its name>"
            )
        if self.processor == "sandbox" and self.processor_secret_name:
            raise ValueError("processorSecretName: the sandbox generates its own secret; fix: remove the key")
        if self.processor == "sandbox" and self.stripe_publishable_key:
            raise ValueError("stripePublishableKey: only for processor stripe; fix: remove the key")
        return self

    @model_validator(mode="after")
    def _domains_have_certificates(self) -> DeploymentConfig:
        if (self.hosted_zone_id is None) != (self.hosted_zone_name is None):
            raise ValueError("hostedZoneId and hostedZoneName: set both (the zone's id and its domain) or neither")
        if self.api_domain and not (self.api_certificate_arn or self.hosted_zone_id):
            raise ValueError("apiDomain: set apiCertificateArn, or hostedZoneId and hostedZoneName to create one")
        if self.web_domain and not self.web_certificate_arn:
            raise ValueError("webDomain: set webCertificateArn (CloudFront takes a certificate in us-east-1 only)")
        if self.web_certificate_arn and ":us-east-1:" not in self.web_certificate_arn:
            raise ValueError("webCertificateArn: CloudFront takes a certificate in us-east-1 only")
        for key, domain in (("apiDomain", self.api_domain), ("webDomain", self.web_domain)):
            zone = self.hosted_zone_name
            if domain and zone and not (domain == zone or domain.endswith("." + zone)):
                raise ValueError(f"{key}: {domain} is not in hostedZoneName {zone}")
        return self

    @model_validator(mode="after")
    def _one_client_per_name(self) -> DeploymentConfig:
        names = [client.name for client in self.integration_clients]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(
                f"integrationClients: each name once (the audit trail tells systems apart by it): {twice}; "
                "fix: rename or merge the clients"
            )
        return self

    @model_validator(mode="after")
    def _chart_maps_what_the_config_knows(self) -> DeploymentConfig:
        if self.chart_of_accounts is None:
            return self
        chargeable = [m for m, rule in self.convenience_fees.items() if rule.fixed or rule.basis_points]
        unmapped = self.chart_of_accounts.unmapped(departments=self.balance_sources, fee_methods=chargeable)
        if unmapped:
            raise ValueError(
                f"chartOfAccounts: no fund and account for {'; '.join(unmapped)}, so its payments could not be "
                "journaled; fix: map each under chartOfAccounts.departments / chartOfAccounts.convenienceFees, or "
                "remove it from balanceSources / convenienceFees"
            )
        return self

    @model_validator(mode="after")
    def _bank_accounts_agree(self) -> DeploymentConfig:
        for key, bank in sorted(self.bank_accounts.items()):
            if bank.currency != self.currency:
                raise ValueError(
                    f"bankAccounts.{key}: currency {bank.currency} differs from the agency's {self.currency} "
                    "(payments, deposits and the GL are in the agency's currency); "
                    f"fix: {self.currency} or another account"
                )
        numbers = [bank.account_number.lstrip("0") for bank in self.bank_accounts.values()]
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise ValueError(
                f"bankAccounts: each account number once (a statement names its account by it): {twice}; "
                "fix: list each account once"
            )
        return self

    @property
    def stack_name(self) -> str:
        return f"ArPortal-{self.agency}-{self.stage}"

    def convenience_fees_json(self) -> dict[str, dict[str, int | None]]:
        """The fee schedule as the functions' ``CONVENIENCE_FEES`` environment variable carries it."""
        return {method: rule.model_dump() for method, rule in sorted(self.convenience_fees.items())}

    def balance_sources_json(self) -> dict[str, dict[str, str | int | None]]:
        """The connected systems as the functions' ``BALANCE_SOURCES`` environment variable carries them."""
        return {department: source.model_dump() for department, source in sorted(self.balance_sources.items())}

    def chart_of_accounts_json(self) -> dict[str, object] | None:
        """The GL mapping as the functions' ``CHART_OF_ACCOUNTS`` environment variable carries it (None: unset)."""
        return self.chart_of_accounts.as_json() if self.chart_of_accounts is not None else None

    def bank_matching_json(self) -> dict[str, int]:
        return self.bank_matching.model_dump(by_alias=True)

    def bank_accounts_json(self) -> dict[str, list[str]]:
        """The bank accounts as the functions' ``BANK_ACCOUNTS`` environment variable carries them: compact, for
        Lambda's 4 KB environment (``arportal.config`` reads it back; the currency is the agency's)."""
        return compact_bank_accounts(self.bank_accounts)


CONTEXT_KEYS = tuple(field.alias or name for name, field in DeploymentConfig.model_fields.items())


def load(context: Mapping[str, Any], *, default_region: str | None = None) -> DeploymentConfig:
    """The config from all of the CDK context (cdk.json's and ``-c`` values; CDK's own keys aside), or
    DeploymentConfigError naming, for each problem, the key, the reason and the fix. ``default_region``: where the
    stack goes when the config names no region (the CLI's CDK_DEFAULT_REGION), checked like ``region``."""
    config, problems = config_context.validate(DeploymentConfig, context)
    problem = region_problem(default_region) if config is not None and not config.region and default_region else None
    if problem:
        problems.append(f"region: unset, so CDK_DEFAULT_REGION (your AWS profile's region) applies, and {problem}")
    if problems or config is None:
        raise DeploymentConfigError("invalid deployment configuration:\n  - " + "\n  - ".join(problems))
    return config
