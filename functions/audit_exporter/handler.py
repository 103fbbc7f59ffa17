"""Audit table stream -> the Object Lock bucket (``services/audit_export.py``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal import clock
from arportal.services.audit_export import export_batch
from arportal.wiring import audit_export

logger = Logger()


@logger.inject_lambda_context(clear_state=True, log_event=False)
@event_source(data_class=DynamoDBStreamEvent)
def lambda_handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    records = []
    for record in event.records:
        image = record.raw_event.get("dynamodb", {}).get("NewImage")
        if image:  # inserts of records and puts of heads; the table never deletes
            records.append(audit_export.stored_record(image))
    key = export_batch(records, audit_export.archive(), now=clock.now())
    logger.info("exported audit records", extra={"records": len(records), "key": key})
    return {"exported": len(records), "key": key}
