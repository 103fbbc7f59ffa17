"""The import bucket's notification of bank files, locally: moto keeps no S3 event notifications to Lambda, so
``deliver_once`` lists the objects under ``bank-files/inbox/`` and invokes the real ``workflow_tasks`` handler
in-process with the S3 event the deployed notification sends (``infrastructure/constructs/imports.py``), once per
object version it has not delivered yet (a file put again under the same key is a new object, as in S3).
``make dev`` runs it on a thread; tests call ``LocalEnvironment.drop_bank_files_once()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

logger = logging.getLogger("local.bank_file_drop")
PREFIX = "bank-files/inbox/"


def s3_event(bucket: str, key: str, size: int, etag: str, region: str) -> dict[str, Any]:
    """One ObjectCreated:Put record, as S3 sends it to Lambda (the key URL-encoded, as S3 does)."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag},
                },
            }
        ]
    }


class BankFileDrop:
    def __init__(self, *, s3: Any, bucket: str, region: str, deliver: Callable[[dict[str, Any]], Any]) -> None:
        self._s3, self._bucket, self._region, self._deliver = s3, bucket, region, deliver
        self._seen: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_once(self) -> list[Any]:
        """Deliver every object put under the drop since the last call; returns the handler's answers."""
        answers: list[Any] = []
        with self._lock:
            pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=PREFIX)
            for page in pages:
                for obj in page.get("Contents", []):
                    seen = (obj["Key"], str(obj["ETag"]), str(obj["LastModified"]))
                    if seen in self._seen:
                        continue
                    event = s3_event(self._bucket, obj["Key"], int(obj["Size"]), str(obj["ETag"]), self._region)
                    answers.append(self._deliver(event))
                    self._seen.add(seen)
        return answers

    def start(self, interval_s: float) -> None:
        def run() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.deliver_once()
                except Exception:  # keep going: one bad file must not stop the dev runtime
                    logger.exception("bank file drop failed; retrying")

        self._thread = threading.Thread(target=run, name="bank-file-drop", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
