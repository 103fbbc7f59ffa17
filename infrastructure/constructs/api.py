"""The REST API: the paths of ``catalog.ROUTES`` as Lambda proxy integrations behind two Cognito authorizers.

People's routes (``Auth.USER``): the authorizer accepts an ID token from either user pool; the handler decides
whether a customer or a staff member may call the route (403 otherwise), so API Gateway only answers "is this a
valid token from us". Connected systems' routes (``Auth.MACHINE``): the authorizer accepts an access token of the
integrations pool carrying at least one integration scope; the handler checks the route's own scope (403).
Administrators' and connected systems' routes (``Auth.ADMIN_OR_MACHINE``, the webhook endpoints): a Cognito
authorizer takes ID tokens only on a method without scopes and access tokens only on one with scopes, so a third
authorizer, over the staff and the integrations pools, with the scopes of ``catalog.authorization_scopes``, takes a
staff member's access token (scope ``aws.cognito.signin.user.admin``, with ``cognito:groups``) or a connected
system's; the handler then checks the admin's permission or the system's ``webhooks.manage`` scope. A customer's
token never reaches it: the customer pool is not on that authorizer.
Built in two steps because the web distribution (the CORS origin) needs the API id for its CSP:
``Api(...)`` makes the API, ``serve(...)`` adds the routes once the origin is known.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infrastructure import catalog
from infrastructure.constructs.domains import Domains
from infrastructure.constructs.logs import encrypted_log_group
from infrastructure.constructs.web_acl import RateLimit, web_acl
from infrastructure.deployment_config import DeploymentConfig

# X-Filename: the finance console names an uploaded bank file (its body is the raw file)
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Amz-Date", "X-Api-Key", "X-Filename"]

# Per client IP, per 5 minutes. The guest lookup is the one route an attacker could use to enumerate
# invoice numbers, so it gets a much lower ceiling than the API as a whole.
API_RATE_LIMIT = 2000
GUEST_RATE_LIMIT = 100
GUEST_PATH = "/v1/public/"

# The contract's error shape, for the answers API Gateway gives before a handler runs (401, 429, 5xx).
# ($context.error.messageString is already a quoted JSON string.)
_ERROR_TEMPLATE = (
    '{"error": {"code": "$context.error.responseType", "message": $context.error.messageString, "details": null}}'
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        key: kms.IKey,
        user_pools: list[cognito.IUserPool],
        machine_pool: cognito.IUserPool,
        staff_pool: cognito.IUserPool,
        domains: Domains | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = encrypted_log_group(self, "AccessLogs", key=key, config=config)
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            # API Gateway's metrics are keyed by the API's name: unique per agency and stage in the account.
            rest_api_name=f"arportal-{config.agency}-{config.stage}",
            description=f"Receivables Portal API ({config.agency_name}, {config.stage})",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # The account-wide API Gateway logging role is not this stack's to own (several agency stacks
            # can share an account); access logs and X-Ray cover what execution logs would.
            cloud_watch_role=False,
            # statements and receipts (?format=pdf); bank files sent as raw bytes reach the function base64-encoded,
            # byte for byte (a text body would be read as UTF-8)
            binary_media_types=["application/pdf", "application/octet-stream"],
            deploy_options=apigw.StageOptions(
                stage_name=config.stage,
                tracing_enabled=True,
                throttling_rate_limit=100,
                throttling_burst_limit=200,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
        )
        self.web_acl = web_acl(
            self,
            "WebAcl",
            waf_scope="REGIONAL",
            description=f"Receivables Portal API - {config.agency} {config.stage}",
            metric_name="ArPortalApi",
            # Processor webhooks and integration batches are legitimately larger than the 8 KB body rule.
            count_only=("SizeRestrictions_BODY",),
            rate_limits=(
                RateLimit("GuestRateLimit", GUEST_RATE_LIMIT, GUEST_PATH),
                RateLimit("ApiRateLimit", API_RATE_LIMIT),
            ),
        )
        wafv2.CfnWebACLAssociation(
            self,
            "WebAclAssociation",
            resource_arn=self.rest_api.deployment_stage.stage_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "UserAuthorizer",
            cognito_user_pools=user_pools,
            results_cache_ttl=Duration.minutes(5),
        )
        self.machine_authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "MachineAuthorizer",
            cognito_user_pools=[machine_pool],
            results_cache_ttl=Duration.minutes(5),
        )
        self.admin_or_machine_authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "AdminOrMachineAuthorizer",
            cognito_user_pools=[staff_pool, machine_pool],
            results_cache_ttl=Duration.minutes(5),
        )
        # Proxy integrations carry no models, so this checks little today; it is where per-route models go.
        self.validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        # The agency's name for the API, when configured; the execute-api URL keeps working beside it.
        self.domain = domains.serve_api(self.rest_api) if domains else None
        self._domain_name = config.api_domain if self.domain else None

    @property
    def url(self) -> str:
        """The API's base URL as clients use it (``config.json``'s ``apiUrl``), with a trailing slash."""
        return f"{self.origin}/" if self._domain_name else self.rest_api.url

    @property
    def origin(self) -> str:
        """Where browsers send API requests from the front-ends (the web CSP's connect-src)."""
        if self._domain_name:
            return f"https://{self._domain_name}"
        return f"https://{self.rest_api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}"

    def serve(
        self,
        functions: dict[str, lambda_.IFunction],
        *,
        allowed_origin: str,
        routes: Sequence[catalog.RouteSpec] = catalog.ROUTES,
    ) -> None:
        """Add ``routes`` (the stack's share of ``catalog.ROUTES``, and ``{proxy+}`` below greedy ones) to the API."""
        integrations = {
            name: apigw.LambdaIntegration(fn, proxy=True, allow_test_invoke=False) for name, fn in functions.items()
        }
        cors = {
            "allow_origins": [allowed_origin],
            "allow_methods": apigw.Cors.ALL_METHODS,
            "allow_headers": ALLOWED_HEADERS,
            "max_age": Duration.hours(1),
        }
        for route in routes:
            resource = self.rest_api.root.resource_for_path(route.path.lstrip("/"))
            resources = [resource]
            if route.greedy:
                resources.append(resource.add_resource("{proxy+}"))
            for target in resources:
                target.add_cors_preflight(**cors)
                target.add_method(
                    "ANY",
                    integrations[route.function],
                    request_validator=self.validator,
                    **self._auth(route.auth),
                )
        # Errors API Gateway raises itself must carry CORS headers too, or the browser hides them.
        origin_header = {"Access-Control-Allow-Origin": f"'{allowed_origin}'", "Vary": "'Origin'"}
        for response_type, suffix in (
            (apigw.ResponseType.DEFAULT_4_XX, "4xx"),
            (apigw.ResponseType.DEFAULT_5_XX, "5xx"),
        ):
            self.rest_api.add_gateway_response(
                f"Default{suffix}",
                type=response_type,
                response_headers=origin_header,
                templates={"application/json": _ERROR_TEMPLATE},
            )

    def _auth(self, auth: catalog.Auth) -> dict[str, object]:
        if auth is catalog.Auth.USER:
            return {
                "authorizer": self.authorizer,
                "authorization_type": apigw.AuthorizationType.COGNITO,
            }
        if auth in (catalog.Auth.MACHINE, catalog.Auth.ADMIN_OR_MACHINE):
            # With scopes, API Gateway takes access tokens only, and only those granting one of these.
            authorizer = self.machine_authorizer if auth is catalog.Auth.MACHINE else self.admin_or_machine_authorizer
            return {
                "authorizer": authorizer,
                "authorization_type": apigw.AuthorizationType.COGNITO,
                "authorization_scopes": catalog.authorization_scopes(auth),
            }
        return {"authorization_type": apigw.AuthorizationType.NONE}
