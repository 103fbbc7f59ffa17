"""The agency's own domain names, when configured: the API's (a regional custom domain) and the web front-ends'
(an alternate name of the distribution). None by default: the stack then answers on its AWS names.

Certificates: the API's is in the stack's region, either the agency's (``apiCertificateArn``) or made here and
validated through the Route 53 zone (``hostedZoneId``/``hostedZoneName``). CloudFront takes a us-east-1 certificate
only, so the web's is always the agency's own (``webCertificateArn``): a stack in another region cannot make one.
With a zone, the alias records are made here too; without one, the agency points its names at the outputs
``ApiDomainTarget`` and ``WebDomainTarget`` (docs/deploy.md, "Custom domains").
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from constructs import Construct

from infrastructure.deployment_config import DeploymentConfig

# TLS 1.2 at least on both: the API's regional policy, and CloudFront's newest TLS 1.2 policy with broad support.
API_SECURITY_POLICY = apigw.SecurityPolicy.TLS_1_2
WEB_SECURITY_POLICY = cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021


class Domains(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self.zone: route53.IHostedZone | None = None
        if config.hosted_zone_id and config.hosted_zone_name:
            self.zone = route53.HostedZone.from_hosted_zone_attributes(
                self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.hosted_zone_name
            )
        self.web_certificate: acm.ICertificate | None = None
        if config.web_certificate_arn:
            self.web_certificate = acm.Certificate.from_certificate_arn(
                self, "WebCertificate", config.web_certificate_arn
            )
        self.api_certificate = self._api_certificate()

    @property
    def web_domain_names(self) -> list[str]:
        return [self._config.web_domain] if self._config.web_domain else []

    def _api_certificate(self) -> acm.ICertificate | None:
        config = self._config
        if not config.api_domain:
            return None
        if config.api_certificate_arn:
            return acm.Certificate.from_certificate_arn(self, "ApiCertificate", config.api_certificate_arn)
        return acm.Certificate(
            self,
            "ApiCertificate",
            domain_name=config.api_domain,
            validation=acm.CertificateValidation.from_dns(self.zone),
        )

    def serve_api(self, rest_api: apigw.RestApi) -> apigw.DomainName | None:
        """The API's custom domain, its root mapped to the stage (so ``https://<apiDomain>/v1/...``)."""
        if not (self._config.api_domain and self.api_certificate):
            return None
        domain = rest_api.add_domain_name(
            "CustomDomain",
            domain_name=self._config.api_domain,
            certificate=self.api_certificate,
            endpoint_type=apigw.EndpointType.REGIONAL,
            security_policy=API_SECURITY_POLICY,
        )
        if self.zone:
            route53.ARecord(
                self,
                "ApiAlias",
                zone=self.zone,
                record_name=self._config.api_domain,
                target=route53.RecordTarget.from_alias(route53_targets.ApiGatewayDomain(domain)),
            )
        return domain

    def serve_web(self, distribution: cloudfront.IDistribution) -> None:
        """Alias records (IPv4 and IPv6) for the web domain, when the zone is ours to write."""
        if not (self._config.web_domain and self.zone):
            return
        target = route53.RecordTarget.from_alias(route53_targets.CloudFrontTarget(distribution))
        route53.ARecord(self, "WebAlias", zone=self.zone, record_name=self._config.web_domain, target=target)
        route53.AaaaRecord(self, "WebAliasIpv6", zone=self.zone, record_name=self._config.web_domain, target=target)
