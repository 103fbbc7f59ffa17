"""What the sandbox processor's own API uses (``functions/sandbox_api``): its tokenizer and its ACH simulation.

The tokenizer is the sandbox's own code, not a dependency chosen per deployment, so it is handed over as it is,
with the error its API answers 400 for; the handler loaded it at cold start before, and still does. The ACH
simulation needs the sandbox processor, built (with boto3) only when a simulation is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from arportal.adapters.sandbox_cards import InvalidDetailsError, SandboxToken, tokenize
from arportal.config import settings

if TYPE_CHECKING:
    from arportal.adapters.sandbox import AchAction, AchSimulation

__all__ = ["ACH_ACTIONS", "InvalidDetailsError", "SandboxToken", "simulate_ach", "tokenize"]

ACH_ACTIONS = ("settle", "fail", "return")  # what a bank does to a pending ACH debit


def simulate_ach(transaction_id: str, action: str, *, webhook_url: str) -> AchSimulation:
    """Move a pending ACH debit as its bank would (``action``: one of ``ACH_ACTIONS``) and send the signed
    webhook that reports it to ``webhook_url``."""
    from arportal.adapters.processors import sandbox_for

    if action not in ACH_ACTIONS:
        raise ValueError(f"an ACH debit can be {', '.join(ACH_ACTIONS)}, not {action!r}")
    return sandbox_for(settings()).simulate_ach(transaction_id, cast("AchAction", action), webhook_url=webhook_url)
