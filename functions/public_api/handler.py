"""Public routes: health, the API description (OpenAPI + Swagger UI); guest lookup and payment, processor webhooks
and the public key of our own webhooks' signatures live in ``routes/``, included on the first request that needs
them (``routes.MODULES``): a cold start imports none of them."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from arportal.api.app import build_resolver
from arportal.api.route_table import LazyRoutes
from arportal.config import settings
from public_api.routes import MODULES

logger = Logger()
resolver = build_resolver()
routes = LazyRoutes(resolver, "public_api.routes", MODULES)


def __getattr__(name: str) -> APIGatewayRestResolver:
    # ``app``: the resolver with every route included, for what describes or enumerates the whole API (the OpenAPI
    # document, the local runtime, tests); Lambda's requests include only what they need (lambda_handler).
    if name == "app":
        return routes.register_all()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


API_VERSION = "1.0.0"


class HealthOut(BaseModel):
    status: str
    agency: str
    stage: str
    version: str


@resolver.get("/v1/health", tags=["public"], summary="Liveness and the agency this stack serves")
def health() -> HealthOut:
    s = settings()
    return HealthOut(status="ok", agency=s.agency_name, stage=s.stage, version=API_VERSION)


@cache
def openapi_document() -> str:
    # The other API functions are imported only when the contract is asked for, so they cost this function's
    # cold start nothing (public_api/contract.py: what the merge adds to every route, and what it refuses).
    from public_api.contract import merged_document

    document = merged_document(
        title=f"{settings().agency_name} Receivables Portal API",
        version=API_VERSION,
        description="Customer portal, staff console and integration API. Money is integer minor units + currency.",
    )
    return json.dumps(document)


@resolver.get("/openapi.json", tags=["public"], summary="This API, described in OpenAPI 3.1", include_in_schema=False)
def openapi_json() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


@resolver.get("/swagger", tags=["public"], summary="Swagger UI", include_in_schema=False)
def swagger() -> Response[str]:
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    html = generate_swagger_html(
        openapi_document().replace("</", "<\\/"),
        _swagger_asset("swagger-ui-bundle.min.js"),
        _swagger_asset("swagger-ui.min.css"),
        "",  # no base URL: the assets are inlined, so the page needs nothing from a CDN
        None,
        False,
    )
    return Response(status_code=200, content_type="text/html", body=html, headers={"Cache-Control": "max-age=300"})


@cache
def _swagger_asset(name: str) -> str:
    from pathlib import Path

    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    return (Path(swagger_ui.__file__).parent / name).read_text(encoding="utf-8")


# log_event=False whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event holds bodies, headers and tokens
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    routes.include_for(event)
    return resolver.resolve(event, context)
