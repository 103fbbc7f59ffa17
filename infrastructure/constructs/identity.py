"""Who can sign in: a self-service customer pool and an invitation-only staff pool.

Both clients are browser clients (no secret). A customer's ``custom:customer_id`` is set only by the
backend after it has checked the account-linking proof, so the client may read it but never write it:
the portal services take the customer id from the verified token and nowhere else.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from arportal.domain.permissions import Role
from infrastructure.constructs.logs import is_protected
from infrastructure.deployment_config import DeploymentConfig

CUSTOMER_ID_ATTRIBUTE = "customer_id"

_PASSWORD_POLICY = cognito.PasswordPolicy(
    min_length=12,
    require_lowercase=True,
    require_uppercase=True,
    require_digits=True,
    require_symbols=True,
    temp_password_validity=Duration.days(3),
)

_GROUP_DESCRIPTIONS: dict[Role, str] = {
    Role.AGENT: "Customer-service agents: look up customers, take payments, log interactions",
    Role.SUPERVISOR: "Supervisors: agent permissions plus approvals, reversals and adjustments",
    Role.FINANCE: "Finance: approvals, reversals, adjustments, settlement and reports",
    Role.ADMIN: "Administrators: staff users and audit",
}


class Identity(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self.customer_pool = self._pool(
            "CustomerPool",
            self_sign_up=True,
            # Residents paying a water bill are not asked for a second factor; they may enrol TOTP.
            mfa=cognito.Mfa.OPTIONAL,
        )
        self.staff_pool = self._pool(
            "StaffPool",
            self_sign_up=False,
            mfa=cognito.Mfa.REQUIRED if config.staff_mfa else cognito.Mfa.OPTIONAL,
        )
        self.customer_client = self._client(
            self.customer_pool,
            "CustomerClient",
            refresh=Duration.days(30),
            read_custom=[CUSTOMER_ID_ATTRIBUTE],
        )
        self.staff_client = self._client(
            self.staff_pool,
            "StaffClient",
            refresh=Duration.hours(12),  # one working day at the counter, then sign in again
            read_custom=[],
        )
        # Group names are the domain's roles: the permission matrix reads them from the token.
        self.staff_groups = {
            role: cognito.UserPoolGroup(
                self,
                f"{role.value.capitalize()}Group",
                user_pool=self.staff_pool,
                group_name=role.value,
                description=_GROUP_DESCRIPTIONS[role],
            )
            for role in Role
        }

    def _pool(self, construct_id: str, *, self_sign_up: bool, mfa: cognito.Mfa) -> cognito.UserPool:
        protected = is_protected(self._config)
        custom = (
            {CUSTOMER_ID_ATTRIBUTE: cognito.StringAttribute(min_len=1, max_len=64, mutable=True)}
            if self_sign_up
            else None
        )
        return cognito.UserPool(
            self,
            construct_id,
            self_sign_up_enabled=self_sign_up,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                given_name=cognito.StandardAttribute(required=False, mutable=True),
                family_name=cognito.StandardAttribute(required=False, mutable=True),
                phone_number=cognito.StandardAttribute(required=False, mutable=True),
            ),
            custom_attributes=custom,
            password_policy=_PASSWORD_POLICY,
            mfa=mfa,
            # SMS would need an SNS role and a spending limit per agency; TOTP needs neither.
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            user_invitation=None
            if self_sign_up
            else cognito.UserInvitationConfig(
                email_subject=f"{self._config.agency_name}: your staff console account",
                email_body=(
                    f"You have been given access to the {self._config.agency_name} payments console. "
                    "Sign in with {username} and the temporary password {####}."
                ),
            ),
            deletion_protection=protected,
            removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
        )

    def _client(
        self, pool: cognito.UserPool, construct_id: str, *, refresh: Duration, read_custom: list[str]
    ) -> cognito.UserPoolClient:
        readable = cognito.ClientAttributes().with_standard_attributes(
            email=True, email_verified=True, given_name=True, family_name=True, phone_number=True
        )
        if read_custom:
            readable = readable.with_custom_attributes(*read_custom)
        return pool.add_client(
            construct_id,
            generate_secret=False,  # a browser cannot keep a secret
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=refresh,
            read_attributes=readable,
            # Custom attributes are deliberately absent: only the backend links a customer id.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, given_name=True, family_name=True, phone_number=True
            ),
        )
