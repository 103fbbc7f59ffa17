"""Bank files from a connected system (scope ``bank_files.write``): ``POST /v1/integrations/bank-files`` with the
raw file as the body (any Content-Type; ``application/octet-stream`` keeps its bytes exact), at most 10 MiB, an
optional ``X-Filename``. The same import as the console's: 201 with the counts, 200 ``duplicate: true`` for bytes
imported before, 422 ``bank_file_rejected`` with the reason. Recorded as received by ``system:<client name>``."""

from __future__ import annotations

from typing import cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from arportal.api import bank_files as shapes
from arportal.api.app import new_router
from arportal.wiring import bank_files
from integration_api.caller import current_system

router = new_router()
SCOPE = "bank_files.write"


@router.post(
    "/v1/integrations/bank-files",
    tags=["integrations"],
    summary="Import a bank file (BAI2, camt.053/054, lockbox CSV) sent as the raw body (scope bank_files.write)",
    responses=shapes.IMPORTED,
)
def import_bank_file() -> Response[str]:
    caller = current_system(router, SCOPE)
    event = cast(APIGatewayProxyEvent, router.current_event)
    done = bank_files.receive(
        shapes.body_bytes(event), filename=shapes.filename_of(event), source="integration", actor=caller.actor
    )
    return shapes.imported(done)
