"""Per-sender rate limiting, standard library only (tests run it without Rasa)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# Senders remembered before idle ones are forgotten, so memory stays bounded.
MAX_TRACKED_SENDERS = 10_000


class RateLimiter:
    """At most ``limit`` accepted messages per sender in any ``window_s`` seconds."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._recent: dict[str, deque[float]] = {}

    def allow(self, sender: str) -> bool:
        """Count a message from ``sender``; False (and not counted) past the limit."""
        now = self._clock()
        recent = self._recent.setdefault(sender, deque())
        while recent and recent[0] <= now - self.window_s:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        if len(self._recent) > MAX_TRACKED_SENDERS:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [
            s for s, times in self._recent.items() if not times or times[-1] <= now - self.window_s
        ]
        for sender in idle:
            del self._recent[sender]
