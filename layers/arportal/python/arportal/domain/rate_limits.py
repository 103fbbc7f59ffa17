"""Rate limits on guesses (guest lookups, account linking, email codes) as fixed windows. Pure rules.

A rule allows ``limit`` counted events per subject in each window of ``window_s`` seconds; windows are aligned
to the epoch, so every Lambda container agrees on which window ``now`` is in without talking to another. A
fixed window can let through up to twice the limit around a window boundary; for guess counting that is
acceptable (the bound stays hard and the attacker still needs years for a six-digit space).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class RateRule:
    name: str  # part of the counter's key: rules never share counters
    limit: int
    window_s: int

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_s < 1:
            raise ValueError("a rate rule needs a positive limit and window")

    def window_start(self, now: datetime) -> int:
        epoch = int(now.timestamp())
        return epoch - epoch % self.window_s

    def window_end(self, now: datetime) -> datetime:
        return datetime.fromtimestamp(self.window_start(now) + self.window_s, UTC)

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the window that refused ``now`` is over (at least 1, as Retry-After needs)."""
        return max(1, math.ceil(self.window_start(now) + self.window_s - now.timestamp()))


@dataclass(frozen=True)
class Limited:
    rule: RateRule
    retry_after: int


# Guests guessing an invoice's proof: per invoice number (however many clients try) and per client address.
GUEST_PER_INVOICE = RateRule("guest-invoice", 5, 15 * 60)
GUEST_PER_CLIENT = RateRule("guest-client", 20, 60 * 60)
# A signed-in customer proving an account to link: per login and per account number guessed.
LINK_PER_LOGIN = RateRule("link-login", 5, 15 * 60)
LINK_PER_ACCOUNT = RateRule("link-account", 10, 60 * 60)
# Email changes: how many confirmation codes one customer may have sent (each is an email to someone).
EMAIL_CODES_SENT = RateRule("email-code-sent", 5, 60 * 60)
# Support requests: staff read every one, so one customer cannot flood the queue.
SUPPORT_REQUESTS = RateRule("support-request", 10, 60 * 60)
