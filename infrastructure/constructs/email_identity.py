"""The agency's email domain and the DNS records that make its mail authenticate (SPF, DKIM, DMARC).

Kept apart from the construct so the records read the same in the stack's outputs, in docs/email.md and in tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ses as ses

from infrastructure.deployment_config import DeploymentConfig, DeploymentConfigError

# SES's feedback endpoint for a custom MAIL FROM domain: the MX its bounces come back through, per region.
MAIL_FROM_MX = "10 feedback-smtp.{region}.amazonses.com"
MAIL_FROM_SPF = '"v=spf1 include:amazonses.com ~all"'


def email_domain(config: DeploymentConfig) -> str:
    """``emailDomain``, or senderEmail's domain; the sender must be on it or below it, or DMARC would fail."""
    sender_domain = config.sender_email.rsplit("@", 1)[1].lower()
    domain = (config.email_domain or sender_domain).lower()
    if sender_domain != domain and not sender_domain.endswith(f".{domain}"):
        raise DeploymentConfigError(
            f"invalid deployment configuration: emailDomain: senderEmail {config.sender_email} is not on "
            f"{domain} or below it, so its mail would fail DMARC; set emailDomain to {sender_domain} (or a parent)"
        )
    return domain


def dmarc_suggestion(domain: str) -> str:
    """A starting policy: quarantine what fails, reports to the agency (federal .gov: BOD 18-01 asks p=reject)."""
    return f'"v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:dmarc-reports@{domain}"'


def expected_dns_records(config: DeploymentConfig, *, dkim: Sequence[ses.DkimRecord], region: str) -> dict[str, str]:
    """Output name -> ``<name> <type> <value>`` of each record to add. The DKIM CNAMEs exist only where the identity
    is created (``emailIdentity=create``): the stage that made it lists them."""
    domain = email_domain(config)
    mail_from = f"{config.mail_from_subdomain}.{domain}"
    records = {f"EmailDkimRecord{n}": f"{r.name} CNAME {r.value}" for n, r in enumerate(dkim, start=1)}
    records["EmailMailFromMx"] = f"{mail_from} MX {MAIL_FROM_MX.format(region=region)}"
    records["EmailMailFromSpf"] = f"{mail_from} TXT {MAIL_FROM_SPF}"
    records["EmailDmarcSuggestion"] = f"_dmarc.{domain} TXT {dmarc_suggestion(domain)}"
    return records
