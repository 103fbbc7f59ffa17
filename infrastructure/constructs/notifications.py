"""Email: the agency's sender identity and a configuration set that all our mail goes through.

The identity is a single address (``senderEmail``): SES emails it a verification link after the first
deploy. Agencies that own their domain can swap in a domain identity with DKIM later.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from infrastructure.deployment_config import DeploymentConfig


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,  # receipts carry amounts and names
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.identity = ses.EmailIdentity(
            self,
            "SenderIdentity",
            identity=ses.Identity.email(config.sender_email),
            configuration_set=self.configuration_set,
        )
        self.sender_email = config.sender_email

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """SendEmail from our identity; SES also authorizes against the (default) configuration set."""
        self.identity.grant_send_email(grantee)
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resource_arns=[
                Stack.of(self).format_arn(
                    service="ses",
                    resource="configuration-set",
                    resource_name=self.configuration_set.configuration_set_name,
                )
            ],
        )
