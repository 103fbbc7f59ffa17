"""A short in-memory cache of connected systems' answers, per Lambda container.

An agent opening a record, then its balances, then the record again within half a minute asks the connected
system once. A failure is remembered for less time than an answer, so a system that comes back is used again
quickly while one that is down is not asked (and waited for) on every page load.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from arportal.domain.balances import SourceBalance

ANSWER_TTL_S = 30.0
FAILURE_TTL_S = 5.0
MAX_ENTRIES = 2_000


class AnswerCache:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_entries: int = MAX_ENTRIES) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, SourceBalance]] = OrderedDict()
        self._lock = threading.Lock()  # the customer record asks several sources from worker threads

    def get(self, key: Hashable) -> SourceBalance | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: Hashable, answer: SourceBalance) -> None:
        ttl = ANSWER_TTL_S if answer.error is None else FAILURE_TTL_S
        with self._lock:
            self._entries[key] = (self._clock() + ttl, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ANSWERS = AnswerCache()  # one per container: what "per container" caching means for a Lambda function
