"""The generic HTTPS connector: a department's system of record, asked for a customer's balances.

    GET <base_url>/balances?customer_id=<id>&account=<number>&account=<number>
    Authorization: Bearer <api_key from the source's secret>        (when a secret is configured)
    -> 200 {"currency": "USD", "as_of": "<ISO 8601>", "accounts": [{"account_number": ..., "balance": <minor>}]}

The answer is cached briefly per container; a good answer is also kept as the customer's last known balance.
When the system fails (timeout, refused connection, an error status, an answer that is not a balance), the
connector answers with the last known balance marked unavailable, so the rest of the customer record loads.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from arportal import clock
from arportal.adapters.balances.cache import AnswerCache
from arportal.adapters.balances.config import BalanceSourceSpec
from arportal.domain.balances import BalanceAnswerError, SourceBalance, parse_answer, unavailable
from arportal.domain.errors import DependencyError
from arportal.ports import LastKnownBalances

logger = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 1024 * 1024


class SourceUnavailableError(Exception):
    """The connected system did not give an answer (the message says how, for the console)."""


Fetch = Callable[[str, dict[str, str], float], tuple[int, bytes]]  # (url, headers, timeout s) -> (status, body)


def _urllib_fetch(url: str, headers: dict[str, str], timeout_s: float) -> tuple[int, bytes]:
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - the URL is configuration
    deadline = time.monotonic() + timeout_s
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            body = bytearray()
            while chunk := response.read(65_536):
                body.extend(chunk)
                # urlopen's timeout bounds each socket wait; this bounds the whole answer.
                if len(body) > MAX_ANSWER_BYTES or time.monotonic() > deadline:
                    raise SourceUnavailableError("answered too slowly or too much")
            return int(response.status), bytes(body)
    except urllib.error.HTTPError as exc:
        return int(exc.code), b""
    except http.client.HTTPException as exc:  # a malformed or cut-off HTTP answer
        raise SourceUnavailableError("answered with a broken HTTP response") from exc
    except (TimeoutError, OSError) as exc:  # URLError, refused or reset connections, socket timeouts
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise SourceUnavailableError(f"no answer within {timeout_s:g} s") from exc
        raise SourceUnavailableError("unreachable") from exc


def _bearer(secret_name: str) -> str:
    from arportal.adapters.secrets import secret_string

    try:
        value = secret_string(secret_name)
    except DependencyError as exc:
        raise SourceUnavailableError("its credentials could not be read") from exc
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        return value
    return str(parsed.get("api_key", "")) if isinstance(parsed, dict) else value


class HttpsBalanceConnector:
    def __init__(
        self,
        department: str,
        spec: BalanceSourceSpec,
        *,
        currency: str,
        last_known: LastKnownBalances,
        cache: AnswerCache,
        fetch: Fetch = _urllib_fetch,
        credentials: Callable[[str], str] = _bearer,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.department = department
        self.source = spec.name
        self.spec = spec
        self.currency = currency
        self._last_known = last_known
        self._cache = cache
        self._fetch = fetch
        self._credentials = credentials
        self._now = now

    def balance(self, customer_id: str, account_numbers: Sequence[str]) -> SourceBalance:
        numbers = tuple(sorted(set(account_numbers)))
        key = (self.department, self.spec.name, self.spec.base_url, customer_id, numbers)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            answer = self._ask(customer_id, numbers)
        except Exception as exc:
            # Whatever went wrong with one connected system, the customer record must still load: say so instead.
            if isinstance(exc, SourceUnavailableError | BalanceAnswerError):
                logger.warning("balance source %s unavailable: %s", self.spec.name, exc)
                reason = str(exc)
            else:
                logger.exception("balance source %s failed unexpectedly", self.spec.name)
                reason = "failed unexpectedly"
            answer = unavailable(
                self.spec.name,
                self.department,
                self.currency,
                error=reason,
                last_known=self._last_known.last_known(customer_id, self.department),
            )
        else:
            self._last_known.remember(customer_id, answer)
        self._cache.put(key, answer)
        return answer

    def _ask(self, customer_id: str, numbers: tuple[str, ...]) -> SourceBalance:
        from urllib.parse import urlencode

        query = urlencode([("customer_id", customer_id), *(("account", n) for n in numbers)])
        headers = {"Accept": "application/json", "User-Agent": "receivables-portal-balance-connector/1"}
        if self.spec.secret_name:
            headers["Authorization"] = f"Bearer {self._credentials(self.spec.secret_name)}"
        status, body = self._fetch(f"{self.spec.base_url.rstrip('/')}/balances?{query}", headers, self.timeout_s)
        if status != 200:
            raise SourceUnavailableError(f"answered HTTP {status}")
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise BalanceAnswerError("the answer is not JSON") from exc
        total, per_account, as_of = parse_answer(
            payload, account_numbers=numbers, currency=self.currency, received_at=self._now()
        )
        return SourceBalance(
            self.spec.name, self.department, total, self.currency, as_of, fresh=True, accounts=per_account
        )

    @property
    def timeout_s(self) -> float:
        return self.spec.timeout_ms / 1000
