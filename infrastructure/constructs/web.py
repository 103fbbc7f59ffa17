"""The two static front-ends (``web/portal``, ``web/console``) behind CloudFront, and their runtime config.

The bucket is private (Origin Access Control); ``config.json`` is written at deploy time with the API URL
and the pool and client ids, so the same static files work for every agency and stage. A CLOUDFRONT web ACL guards
the distribution: the agency's (``cloudFrontWebAclArn``), the us-east-1 companion stack's, or, for a stack in
us-east-1, its own (``web_acl.py``). With ``webDomain`` the distribution answers on the agency's name too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aws_cdk import Aws, CfnRule, CfnRuleAssertion, Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infrastructure import catalog
from infrastructure.constructs.domains import WEB_SECURITY_POLICY, Domains
from infrastructure.constructs.web_acl import EDGE_REGION, cloudfront_web_acl
from infrastructure.content_security import content_security_policy
from infrastructure.deployment_config import DeploymentConfig

WEB_DIR = catalog.ROOT / "web"

# Directory URLs -> index.html; "/" -> the customer portal. (S3 through OAC has no index documents.)
_INDEX_REWRITE = """
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/") {
    return { statusCode: 302, statusDescription: "Found", headers: { location: { value: "/portal/" } } };
  }
  if (uri.endsWith("/")) {
    request.uri = uri + "index.html";
  } else if (uri.split("/").pop().indexOf(".") === -1) {
    return { statusCode: 301, statusDescription: "Moved Permanently", headers: { location: { value: uri + "/" } } };
  }
  return request;
}
"""


class Web(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        access_logs_bucket: s3.IBucket,
        api_origin: str,
        upload_origins: tuple[str, ...] = (),
        domains: Domains | None = None,
        web_acl_arn: str | None = None,
    ) -> None:
        """``web_acl_arn``: a CLOUDFRONT web ACL made elsewhere (the agency's, or the companion stack's)."""
        super().__init__(scope, construct_id)
        self._config = config
        self._upload_origins = upload_origins
        self.web_acl_arn = web_acl_arn or self._own_web_acl()
        certificate = domains.web_certificate if domains else None
        domain_names = domains.web_domain_names if domains else []
        # Public static files: SSE-S3 keeps OAC simple (no key policy for CloudFront) and hides nothing.
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs_bucket,
            server_access_logs_prefix="web/",
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Receivables Portal web ({config.agency}, {config.stage})",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self._security_headers(api_origin),
                function_associations=[
                    cloudfront.FunctionAssociation(
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                        function=cloudfront.Function(
                            self,
                            "IndexRewrite",
                            code=cloudfront.FunctionCode.from_inline(_INDEX_REWRITE),
                            runtime=cloudfront.FunctionRuntime.JS_2_0,
                        ),
                    )
                ],
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=access_logs_bucket,
            log_file_prefix="cloudfront/",
            web_acl_id=self.web_acl_arn,
            domain_names=domain_names or None,
            certificate=certificate,
            minimum_protocol_version=WEB_SECURITY_POLICY if certificate else None,
        )
        if domains:
            domains.serve_web(self.distribution)
        # The origin browsers send (CORS, WEB_ORIGIN): the agency's name when it has one.
        host = domain_names[0] if domain_names else self.distribution.distribution_domain_name
        self.origin = f"https://{host}"
        self.url = f"{self.origin}/"

    def _own_web_acl(self) -> str:
        """The stack's own CLOUDFRONT web ACL, which AWS accepts only in us-east-1: a stack whose region is known
        only at deploy gets a template rule that refuses any other region before anything is created."""
        region = Stack.of(self).region
        if not Token.is_unresolved(region) and region != EDGE_REGION:
            raise ValueError(f"a CLOUDFRONT web ACL cannot live in {region}: pass the companion stack's (web_acl_arn)")
        acl = cloudfront_web_acl(self, "WebAcl", config=self._config)
        if Token.is_unresolved(region):
            CfnRule(
                self,
                "WebAclRegion",
                assertions=[
                    CfnRuleAssertion(
                        assert_=Fn.condition_equals(Aws.REGION, EDGE_REGION),
                        assert_description="CloudFront's web ACL lives in us-east-1: deploy there, or synthesize "
                        "with a region (a us-east-1 companion stack holds it) or set cloudFrontWebAclArn",
                    )
                ],
            )
        return acl.attr_arn

    def publish(self, runtime_config: dict[str, object]) -> s3deploy.BucketDeployment:
        """Upload ``web/`` plus ``config.json`` and invalidate the cache (a CDK-provided Lambda, no Docker)."""
        sources = [s3deploy.Source.json_data("config.json", runtime_config)]
        if any(path.is_file() for path in WEB_DIR.rglob("*")):
            sources.insert(
                0, s3deploy.Source.asset(str(WEB_DIR), exclude=["**/node_modules", "**/.DS_Store", "**/*.map"])
            )
        return s3deploy.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=self.bucket,
            sources=sources,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
        )

    def _security_headers(self, api_origin: str) -> cloudfront.ResponseHeadersPolicy:
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="HSTS, CSP, frame, content-type and referrer policies for the front-ends",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=self._content_security_policy(api_origin), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(), microphone=(), geolocation=(), usb=()",
                        override=True,
                    )
                ]
            ),
        )

    def _content_security_policy(self, api_origin: str) -> str:
        image: list[str] = []
        if self._config.logo_url:
            parts = urlsplit(self._config.logo_url)
            image.append(f"{parts.scheme}://{parts.netloc}")
        return content_security_policy(
            processor=self._config.processor,
            api_origin=api_origin,
            # The console's import page PUTs a file straight to the import bucket (a presigned URL).
            connect=[f"https://cognito-idp.{Aws.REGION}.amazonaws.com", *self._upload_origins],
            image_origins=image,
        )
