"""Who can sign in: a self-service customer pool, an invitation-only staff pool, and the connected systems.

The customer and staff clients are browser clients (no secret). A customer's ``custom:customer_id`` is set only by
the backend after it has checked the account-linking proof, so the client may read it but never write it: the
portal services take the customer id from the verified token and nowhere else.

The connected systems (the agency's ERP, tax or billing systems) have a pool of their own with no users, only app
clients: one per ``integrationClients`` entry of the deployment config, each with a generated secret, the OAuth 2.0
client-credentials flow and its scopes of the ``integrations`` resource server (``domain/integration_scopes.py``).
The pool's Cognito domain serves the token endpoint (``/oauth2/token``).
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from arportal.domain import integration_scopes
from arportal.domain.permissions import Role
from infrastructure.constructs.logs import is_protected
from infrastructure.deployment_config import DeploymentConfig, IntegrationClientConfig

CUSTOMER_ID_ATTRIBUTE = "customer_id"
# A Cognito domain prefix may not contain these words; an agency's name may (Lawson, Amazonia).
_RESERVED_IN_DOMAINS = {"aws": "a-ws", "amazon": "amaz-on", "cognito": "cog-nito"}

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
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        email: cognito.UserPoolEmail | None = None,
    ) -> None:
        """``email``: how the customer and staff pools send (SES from the agency's domain); None: Cognito's own."""
        super().__init__(scope, construct_id)
        self._config = config
        self._email = email
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
        self.integrations_pool = self._integrations_pool()
        self.integrations_domain = self.integrations_pool.add_domain(
            "IntegrationsDomain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix(config))
        )
        self.integration_scopes = {
            scope.name: cognito.ResourceServerScope(scope_name=scope.name, scope_description=scope.description)
            for scope in integration_scopes.SCOPES
        }
        self.resource_server = self.integrations_pool.add_resource_server(
            "IntegrationsResourceServer",
            identifier=integration_scopes.RESOURCE_SERVER,
            user_pool_resource_server_name="Integration API",
            scopes=list(self.integration_scopes.values()),
        )
        self.integration_clients = {
            client.name: self._integration_client(client) for client in config.integration_clients
        }

    @property
    def token_url(self) -> str:
        """The connected systems' token endpoint (OAuth 2.0 client credentials)."""
        return f"{self.integrations_domain.base_url()}/oauth2/token"

    def _integrations_pool(self) -> cognito.UserPool:
        protected = is_protected(self._config)
        # No user ever signs in here (no self sign-up, no invitations are sent): its app clients authenticate
        # with their secrets. The person-facing settings are still strict, so that a user created by mistake
        # would meet the staff pool's bar; Plus costs per active user, and this pool has none.
        return cognito.UserPool(
            self,
            "IntegrationsPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            password_policy=_PASSWORD_POLICY,
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.NONE,
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=protected,
            removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
        )

    def _integration_client(self, client: IntegrationClientConfig) -> cognito.UserPoolClient:
        return self.integrations_pool.add_client(
            f"IntegrationClient-{client.name}",
            user_pool_client_name=client.name,  # the audit trail's system:<name>
            generate_secret=True,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(client_credentials=True),
                scopes=[
                    cognito.OAuthScope.resource_server(self.resource_server, self.integration_scopes[scope])
                    for scope in client.scopes
                ],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.hours(1),
        )

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
            email=self._email,
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


def domain_prefix(config: DeploymentConfig) -> str:
    """The integrations pool's Cognito domain prefix: ``<agency>-<stage>-<account>``, unique per region as Cognito
    requires, at most 63 characters (agency and stage shortened), without the words Cognito reserves."""
    name = f"{config.agency[:20]}-{config.stage[:16]}"
    for word, spelt in _RESERVED_IN_DOMAINS.items():
        name = name.replace(word, spelt)
    return f"{name}-{config.account or Aws.ACCOUNT_ID}"
