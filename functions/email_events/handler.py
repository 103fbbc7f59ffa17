"""SES bounce and complaint events (this stage's configuration set, through EventBridge) -> suppressed addresses
on the customers' records (``services/email_suppression.py``).

An event that cannot be read is logged and dropped: redelivering it would not make it readable. A storage failure
raises, so EventBridge retries the event and, after its retries, keeps it in the dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from arportal import clock
from arportal.domain.email_feedback import UnreadableFeedbackError, feedback_from_event
from arportal.services.email_suppression import apply_feedback
from arportal.wiring import stores

logger = Logger()


@logger.inject_lambda_context(clear_state=True, log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        feedback = feedback_from_event(event)
    except UnreadableFeedbackError as exc:
        logger.error("an SES event that cannot be read was dropped", extra={"problem": str(exc)})
        return {"applied": [], "dropped": str(exc)}
    applied = []
    for item in feedback:
        for result in apply_feedback(stores.email_suppressions(), item, now=clock.now()):
            # The outcome and the customers, never the address: logs are read more widely than the records.
            entry = {"kind": result.kind.value, "outcome": result.outcome, "customers": list(result.customer_ids)}
            logger.info("email feedback applied", extra=entry)
            applied.append(entry)
    return {"applied": applied}
