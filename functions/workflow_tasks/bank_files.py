"""The S3 drop of bank files: the import bucket notifies this function of each object created under
``bank-files/inbox/`` (``infrastructure/constructs/imports.py``), and each is imported as an upload would be
(``arportal/wiring/bank_files.py``), received by ``s3:<key>``.

A refused file (unreadable, a control total off, an account not configured) is final: its refusal is audited and
logged, and the invocation succeeds, so Lambda does not retry it. Anything else (storage unreachable) raises, and
Lambda's asynchronous retries send the event again; the import is idempotent by the file's hash.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger

from arportal.domain.bank_statements import BankFileRejected
from arportal.wiring import bank_files

logger = Logger(service="workflow_tasks")
DROP_PREFIX = "bank-files/inbox/"


def is_s3_event(event: dict[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and all(r.get("eventSource") == "aws:s3" for r in records)


def on_s3_event(event: dict[str, Any]) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    for record in event["Records"]:
        key = unquote_plus(str(record["s3"]["object"]["key"]))
        if not key.startswith(DROP_PREFIX) or key.endswith("/"):
            results.append({"key": key, "skipped": "not a bank file in the drop"})
            continue
        try:
            done = bank_files.receive_drop(key)
        except BankFileRejected as refused:
            logger.warning("bank file refused", extra={"key": key, "reason": refused.message})
            results.append({"key": key, "refused": refused.message})
            continue
        counts = done.record.counts.as_dict()
        logger.info("bank file imported", extra={"key": key, "file_id": done.record.file_id, **counts})
        results.append({"key": key, "file_id": done.record.file_id, "duplicate": done.duplicate, **counts})
    return {"files": results}
