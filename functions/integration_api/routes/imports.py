"""Bulk imports (scope ``imports.write``): a file of one kind of record, loaded in chunks by the import machine.

1. ``POST /v1/integrations/imports`` ``{kind, format, dry_run?}`` -> 201 with a presigned upload URL (15 minutes);
2. PUT the file to it, with the headers it names;
3. ``POST /v1/integrations/imports/{importId}:start`` -> 202 (409 before the upload, or once started);
4. ``GET /v1/integrations/imports/{importId}`` until ``completed`` or ``failed``; the error report is a presigned
   URL of a CSV.

``GET /v1/integrations/imports/templates/{kind}.csv`` is the CSV template of a kind. A system sees only its own
imports. The records load as the batch routes load them, written as made by ``system:<client name>``.
"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api import imports as shapes
from arportal.api.app import new_router
from arportal.domain.imports import ImportKind
from arportal.domain.models import Channel
from arportal.wiring import imports
from integration_api.caller import current_system

router = new_router()
SCOPE = "imports.write"
ImportIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^imp_[0-9A-Za-z]{10,40}$")]


@router.post(
    "/v1/integrations/imports",
    tags=["integrations"],
    summary="Create an import of one file and get its upload URL (scope imports.write)",
    responses=shapes.CREATED,
)
def create_import(body: Annotated[shapes.ImportIn, Body()]) -> Response[str]:
    caller = current_system(router, SCOPE)
    new = imports.create(
        body.kind, body.format, dry_run=body.dry_run, actor=caller.actor, channel=Channel.INTEGRATION.value
    )
    return shapes.created(new)


@router.post(
    "/v1/integrations/imports/<importId>:start",
    tags=["integrations"],
    summary="Start an uploaded import (or resume an interrupted one) (scope imports.write)",
    responses=shapes.STARTED,
)
def start_import(importId: ImportIdPath) -> Response[str]:
    caller = current_system(router, SCOPE)
    imports.start(importId, visible_to=caller.actor)
    return shapes.started(imports.progress(importId, visible_to=caller.actor))


@router.get(
    "/v1/integrations/imports/<importId>",
    tags=["integrations"],
    summary="An import's status, counts, progress and error report (scope imports.write)",
)
def get_import(importId: ImportIdPath) -> shapes.ImportOut:
    caller = current_system(router, SCOPE)
    return shapes.ImportOut.of(imports.progress(importId, visible_to=caller.actor))


@router.get(
    "/v1/integrations/imports/templates/<kind>.csv",
    tags=["integrations"],
    summary="The CSV template of a kind: its header and an example (JSON: its columns) (scope imports.write)",
    responses=shapes.TEMPLATE,
)
def template(kind: Annotated[ImportKind, Path()]) -> Response[bytes]:
    current_system(router, SCOPE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    return shapes.template_of(kind, accept=event.headers.get("accept"))
