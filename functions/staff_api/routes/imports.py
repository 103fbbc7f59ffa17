"""Staff routes (admin: ``integrations.manage``): bulk imports from the console, the same imports a connected system
makes (``arportal/services/imports.py``), on the channel ``staff`` and written as made by the administrator.

The console's page creates the import, PUTs the chosen file to the presigned URL from the browser, starts it and
polls it; an administrator sees every import, whichever system or person made it.
"""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api import imports as shapes
from arportal.api.app import current_caller, new_router
from arportal.api.identity import require_staff
from arportal.domain.imports import ImportKind
from arportal.domain.permissions import Permission
from arportal.wiring import imports

router = new_router()
STAFF_CHANNEL = "staff"
ImportIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^imp_[0-9A-Za-z]{10,40}$")]


@router.post(
    "/v1/staff/integrations/imports",
    tags=["staff"],
    summary="Create an import of one file and get its upload URL (integrations.manage)",
    responses=shapes.CREATED,
)
def create_import(body: Annotated[shapes.ImportIn, Body()]) -> Response[str]:
    caller = require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    new = imports.create(body.kind, body.format, dry_run=body.dry_run, actor=caller.actor, channel=STAFF_CHANNEL)
    return shapes.created(new)


@router.post(
    "/v1/staff/integrations/imports/<importId>:start",
    tags=["staff"],
    summary="Start an uploaded import, or resume an interrupted one (integrations.manage)",
    responses=shapes.STARTED,
)
def start_import(importId: ImportIdPath) -> Response[str]:
    require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    imports.start(importId, visible_to=None)
    return shapes.started(imports.progress(importId, visible_to=None))


@router.get(
    "/v1/staff/integrations/imports/<importId>",
    tags=["staff"],
    summary="An import's status, counts, progress and error report (integrations.manage)",
)
def get_import(importId: ImportIdPath) -> shapes.ImportOut:
    require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    return shapes.ImportOut.of(imports.progress(importId, visible_to=None))


@router.get(
    "/v1/staff/integrations/imports/templates/<kind>.csv",
    tags=["staff"],
    summary="The CSV template of a kind: its header and an example (JSON: its columns) (integrations.manage)",
    responses=shapes.TEMPLATE,
)
def template(kind: Annotated[ImportKind, Path()]) -> Response[bytes]:
    require_staff(current_caller(router), Permission.INTEGRATIONS_MANAGE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    return shapes.template_of(kind, accept=event.headers.get("accept"))
