"""The two static front-ends (``web/portal``, ``web/console``) behind CloudFront, and their runtime config.

The bucket is private (Origin Access Control); ``config.json`` is written at deploy time with the API URL
and the pool and client ids, so the same static files work for every agency and stage.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infrastructure import catalog
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
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._upload_origins = upload_origins
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
        )
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        self.url = f"{self.origin}/"

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
        # The console's import page PUTs a file straight to the import bucket (a presigned URL).
        connect = ["'self'", api_origin, f"https://cognito-idp.{Aws.REGION}.amazonaws.com", *self._upload_origins]
        script, frame, image = ["'self'"], ["'none'"], ["'self'", "data:"]
        if self._config.processor == "stripe":
            # Stripe Elements: card numbers are typed into Stripe's frames, never into our pages.
            script.append("https://js.stripe.com")
            frame = ["https://js.stripe.com", "https://hooks.stripe.com"]
            connect.append("https://api.stripe.com")
        elif self._config.processor == "sandbox":
            # The sandbox's hosted fields: its script and its iframe are served by our API's /sandbox routes.
            script.append(api_origin)
            frame = [api_origin]
        if self._config.logo_url:
            parts = urlsplit(self._config.logo_url)
            image.append(f"{parts.scheme}://{parts.netloc}")
        directives = {
            "default-src": ["'self'"],
            "script-src": script,
            # swagger-ui sets inline styles; no inline script is allowed anywhere.
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": image,
            "font-src": ["'self'", "data:"],
            "connect-src": connect,
            "frame-src": frame,
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        }
        return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
