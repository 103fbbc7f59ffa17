"""Email: the agency's SES domain identity (Easy DKIM, a custom MAIL FROM), this stage's configuration set, and its
bounces and complaints delivered to the ``email_events`` function (docs/email.md).

Mail leaves from ``senderEmail`` on ``emailDomain``: DKIM signs it with that domain and the MAIL FROM domain is
below it, so both SPF and DKIM align for DMARC. One domain identity serves every stage in an account and region:
one stage creates it (``emailIdentity=create``), the others use it by name (``existing``). Each stage has its own
configuration set, named on every message, so a stage hears only its own bounces.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct, IConstruct

from infrastructure.constructs.email_identity import email_domain, expected_dns_records
from infrastructure.constructs.logs import is_protected
from infrastructure.deployment_config import DeploymentConfig

# SES publishes bounces and complaints to the default bus only; these are its detail types for them.
FEEDBACK_DETAIL_TYPES = ["Email Bounced", "Email Complaint Received"]
FEEDBACK_RETRIES = 8
FEEDBACK_MAX_AGE = Duration.hours(24)


class Notifications(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeploymentConfig, ledger: dynamodb.ITable, key: kms.IKey
    ) -> None:
        """``ledger`` keeps the suppressed addresses every sender reads before it sends (under ``key``)."""
        super().__init__(scope, construct_id)
        self._config = config
        self._ledger = ledger
        self._key = key
        self.domain = email_domain(config)
        self.mail_from_domain = f"{config.mail_from_subdomain}.{self.domain}"
        self.sender_email = config.sender_email
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,  # receipts carry amounts and names
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.created_identity: ses.EmailIdentity | None = None
        self.identity: ses.IEmailIdentity
        if config.email_identity == "create":
            self.created_identity = self.identity = ses.EmailIdentity(
                self,
                "DomainIdentity",
                identity=ses.Identity.domain(self.domain),
                dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
                dkim_signing=True,
                mail_from_domain=self.mail_from_domain,
                # Until the MX record exists, mail still leaves (DKIM alone aligns for DMARC).
                mail_from_behavior_on_mx_failure=ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
            )
            # Other stages send from it: a stage torn down must not take the agency's identity with it.
            self.created_identity.apply_removal_policy(
                RemovalPolicy.RETAIN if is_protected(config) else RemovalPolicy.DESTROY
            )
        else:
            self.identity = ses.EmailIdentity.from_email_identity_name(self, "DomainIdentity", self.domain)
        self._outputs()

    @property
    def configuration_set_name(self) -> str:
        return self.configuration_set.configuration_set_name

    def user_pool_email(self) -> cognito.UserPoolEmail | None:
        """Cognito's own email (sign-up codes, password resets, staff invitations) through SES from the agency's
        domain, or None while ``cognitoEmail=cognito`` (the first deploy, before the domain is verified)."""
        if self._config.cognito_email != "ses":
            return None
        return cognito.UserPoolEmail.with_ses(
            from_email=self.sender_email,
            from_name=self._config.agency_name,
            configuration_set_name=self.configuration_set_name,
            ses_verified_domain=self.domain,
            ses_region=Stack.of(self).region,
        )

    def precede(self, *pools: IConstruct) -> None:
        """Cognito checks the identity when the pool is made: create it (and the configuration set) first."""
        for pool in pools:
            pool.node.add_dependency(self.configuration_set)
            if self.created_identity is not None:
                pool.node.add_dependency(self.created_identity)

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """SendEmail from our identity; SES also authorizes against the configuration set named on the message."""
        self.identity.grant_send_email(grantee)
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resource_arns=[
                Stack.of(self).format_arn(
                    service="ses", resource="configuration-set", resource_name=self.configuration_set_name
                )
            ],
        )
        # The suppression list (``EMAILSUP#<address>`` items of the ledger), read before each message.
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:GetItem"],
            resource_arns=[self._ledger.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["EMAILSUP#*"]}},
        )
        self._key.grant_decrypt(grantee)

    def deliver_feedback(self, handler: lambda_.IFunction) -> sqs.Queue:
        """Bounces and complaints of this configuration set -> the default bus -> ``handler``; what it cannot take
        after its retries waits in the returned (alarmed) dead-letter queue."""
        default_bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.event_bus(default_bus),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        dead_letters = sqs.Queue(
            self,
            "FeedbackDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self._key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        # Kept here, beside the queue it is about, as nag.py keeps the others' (it names the construct, not the stack).
        NagSuppressions.add_resource_suppressions(
            dead_letters,
            [
                NagPackSuppression(
                    id="AwsSolutions-SQS3",
                    reason="This queue is the dead-letter queue of the email feedback rule's Lambda target (its "
                    "DeadLetterConfig) and the email_events function's asynchronous on-failure destination; a "
                    "dead-letter queue of a dead-letter queue would only hide failures.",
                )
            ],
        )
        stack = Stack.of(self)
        rule_name = f"arportal-{self._config.agency}-{self._config.stage}-email-feedback"
        # EventBridge writes the dead letters under the stack key; named by the rule's ARN (a Ref would cycle).
        self._key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={
                    "ArnEquals": {
                        "aws:SourceArn": stack.format_arn(service="events", resource="rule", resource_name=rule_name)
                    },
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )
        # The rule's dead-letter queue takes what EventBridge cannot deliver; what the function fails on after
        # Lambda's own retries goes to the same queue, rather than being dropped
        handler.configure_async_invoke(on_failure=destinations.SqsDestination(dead_letters), retry_attempts=2)
        self.feedback_rule = events.Rule(
            self,
            "Feedback",
            rule_name=rule_name,
            description="SES bounces and complaints of this stage's configuration set -> email_events",
            event_bus=default_bus,
            event_pattern=events.EventPattern(
                source=["aws.ses"],
                detail_type=FEEDBACK_DETAIL_TYPES,
                # every stage's events reach the default bus: this stage takes its own configuration set's
                detail={"mail": {"tags": {"ses:configuration-set": [self.configuration_set_name]}}},
            ),
            targets=[
                targets.LambdaFunction(
                    handler,
                    dead_letter_queue=dead_letters,
                    retry_attempts=FEEDBACK_RETRIES,
                    max_event_age=FEEDBACK_MAX_AGE,
                )
            ],
        )
        return dead_letters

    def _outputs(self) -> None:
        """The DNS records to add at the agency's DNS host (docs/email.md), as stack outputs."""
        stack = Stack.of(self)
        CfnOutput(stack, "EmailConfigurationSetName", value=self.configuration_set_name)
        CfnOutput(stack, "EmailIdentity", value=self.domain)
        for name, record in expected_dns_records(
            self._config, dkim=self.created_identity.dkim_records if self.created_identity else (), region=Aws.REGION
        ).items():
            CfnOutput(stack, name, value=record, description="DNS record for email (docs/email.md)")
