"""Readiness answered at once from the last check, refreshed in the background.

A load balancer probes every second with a one-second timeout. A readiness check that
waits on the stores can, under load, wait behind customers' queries, time out, and take
a healthy server out of service. Measured with 16 customers on two Rasa servers, one
killed (tests/e2e/test_cluster.py): asking Rasa's tracker store inline (its SQL runs on
the event loop, from a pool the turns keep busy) made HAProxy mark the survivor down and
answer 3.8% of messages with 503; in the background, 1.1%; with its own connection in a
worker thread (``channels/health.py``), none. So the check runs in the background at
most every ``REFRESH_S`` and the probe reads its last result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

REFRESH_S = 2.0
NOT_CHECKED = "not checked yet"

Check = Callable[[], Awaitable[str | None]]


class BackgroundCheck:
    """``check`` returns why the server is not ready, or None; :meth:`reason` returns the
    last such answer, checking inline only the first time."""

    def __init__(self, check: Check, refresh_s: float = REFRESH_S) -> None:
        self.check = check
        self.refresh_s = refresh_s
        self.last: str | None = NOT_CHECKED
        self.checked_at: float | None = None
        self._running: asyncio.Task | None = None

    async def reason(self) -> str | None:
        if self.checked_at is None:
            await self._refresh()
        elif self._due() and (self._running is None or self._running.done()):
            self._running = asyncio.create_task(self._refresh())
        return self.last

    def _due(self) -> bool:
        return time.monotonic() - (self.checked_at or 0.0) >= self.refresh_s

    async def _refresh(self) -> None:
        try:
            self.last = await self.check()
        except Exception as error:  # a check that breaks means "not ready", not a crash
            self.last = f"check failed: {type(error).__name__}"
        self.checked_at = time.monotonic()
