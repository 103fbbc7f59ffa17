"""The local stand-ins for what invokes the webhook dispatcher in AWS: Lambda's SQS event source and the
every-minute sweep schedule.

The bus's rule puts every event on the local webhooks queue (moto delivers EventBridge -> SQS itself, as AWS does);
``deliver_once`` receives what is there, hands it to the dispatcher in batches of 10 as the event source would
(``{"Records": [...]}``, through ``local/invoke.py`` like every function), and deletes the records the dispatcher
did not report in ``batchItemFailures`` (those come back when their visibility timeout ends, as in AWS).
``sweep_once`` invokes it with ``{"task": "sweep"}``. The dev runtime runs both on background threads: the queue
long-polled, the sweep every second (the retry schedule is compressed by ``WEBHOOK_RETRY_SCALE``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("local.webhooks")
FUNCTION = "webhook_dispatcher"
HANDLER = "webhook_dispatcher.handler.lambda_handler"
BATCH_SIZE = 10  # as the deployed event source (infrastructure/constructs/webhooks.py)
SWEEP_INPUT = {"task": "sweep"}

Invoke = Callable[[Any], Any]


class LocalWebhookDispatch:
    def __init__(self, *, sqs: Any, queue_url: str, queue_arn: str, region: str, invoke: Invoke) -> None:
        self._sqs, self._queue_url, self._queue_arn, self._region = sqs, queue_url, queue_arn, region
        self._invoke = invoke
        self._lock = threading.Lock()  # one drain at a time: a test's call and the background thread share the queue
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def deliver_once(self, *, wait_s: int = 0) -> int:
        """Hand every message on the queue to the dispatcher; how many were handed over."""
        handed = 0
        with self._lock:
            while True:
                messages = self._sqs.receive_message(
                    QueueUrl=self._queue_url,
                    MaxNumberOfMessages=BATCH_SIZE,
                    WaitTimeSeconds=wait_s,
                    AttributeNames=["All"],
                ).get("Messages", [])
                if not messages:
                    return handed
                handed += len(messages)
                self._dispatch(messages)
                wait_s = 0

    def sweep_once(self) -> dict[str, Any]:
        result: dict[str, Any] = self._invoke(SWEEP_INPUT)
        return result

    def start(self, *, sweep_every_s: float = 1.0) -> None:
        def poll() -> None:
            while not self._stop.is_set():
                try:
                    self.deliver_once(wait_s=1)
                except Exception:  # keep going: one bad batch must not stop the dev runtime
                    logger.exception("webhook queue poll failed; retrying")
                    self._stop.wait(1.0)

        def sweep() -> None:
            while not self._stop.wait(sweep_every_s):
                try:
                    self.sweep_once()
                except Exception:
                    logger.exception("webhook sweep failed; the next one goes on")

        self._threads = [
            threading.Thread(target=poll, name="webhook-queue", daemon=True),
            threading.Thread(target=sweep, name="webhook-sweep", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _dispatch(self, messages: list[dict[str, Any]]) -> None:
        try:
            response = self._invoke({"Records": [self._record(m) for m in messages]}) or {}
        except Exception:
            logger.exception("the webhook dispatcher failed a batch; its records come back after the timeout")
            return
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """An SQS message as Lambda's event source hands it to a function."""
        body = message["Body"]
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": body,
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 - SQS's
            "eventSource": "aws:sqs",
            "eventSourceARN": self._queue_arn,
            "awsRegion": self._region,
        }
