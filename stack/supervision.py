"""Keep the servers up: a server that dies is started again after a growing pause, while
the others go on serving; one that keeps dying is given up on, and the launcher says so.

In-process, beside the launcher that started the servers (as honcho or foreman do),
rather than Debian's supervisord: the launcher already knows each server's command,
environment, start order and readiness check, and tests run many stacks on free ports,
which a generated supervisord configuration per stack would only repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from settings import SupervisionSettings
from stack.processes import Service, Stack

WATCH_INTERVAL_S = 0.2


@dataclass
class Restarts:
    """One server's recent deaths, and when it may be started again."""

    deaths: list[float] = field(default_factory=list)
    due: float | None = None  # when a dead server is started again; None while it runs
    starting: bool = False  # started again, its readiness check not yet passed
    given_up: bool = False


def pause_after(deaths: int, settings: SupervisionSettings) -> float:
    """Exponential backoff: a first death is restarted at once (HAProxy, the one door
    customers come in by, is back in a fraction of a second), then the pause doubles from
    ``first_pause_s``, capped."""
    if deaths <= 1:
        return 0.0
    return min(settings.first_pause_s * 2 ** (deaths - 2), settings.longest_pause_s)


class Supervisor:
    """Watches a started stack and restarts what dies; ``say`` reports to the operator."""

    def __init__(
        self,
        stack: Stack,
        settings: SupervisionSettings,
        say: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stack = stack
        self.settings = settings
        self.say = say
        self.clock = clock
        self.restarts = {service.name: Restarts() for service in stack.services}

    def run(self) -> None:
        """Watch until interrupted (Ctrl-C or SIGTERM reach the launcher, which stops all)."""
        while True:
            self.check()
            time.sleep(WATCH_INTERVAL_S)

    def check(self) -> None:
        """One look at every server: note the newly dead, start those whose pause is over,
        say when one started again is ready."""
        now = self.clock()
        for service in self.stack.services:
            restarts = self.restarts[service.name]
            if restarts.given_up:
                continue
            if service.running:
                if restarts.starting and service.ready():
                    restarts.starting = False
                    self.say(f"{service.name} is ready again")
            elif restarts.due is None:
                self._died(service, restarts, now)
            elif now >= restarts.due:
                restarts.due, restarts.starting = None, True
                service.start(self.stack.settings.paths)
                self.say(f"{service.name} started again")

    def _died(self, service: Service, restarts: Restarts, now: float) -> None:
        window = self.settings.window_s
        restarts.deaths = [t for t in restarts.deaths if now - t < window] + [now]
        code = service.process.returncode if service.process else None
        log = self.stack.settings.paths.logs_dir / f"{service.name}.log"
        if len(restarts.deaths) > self.settings.tries:
            restarts.given_up = True
            self.say(
                f"error: {service.name} died {len(restarts.deaths)} times within "
                f"{window:.0f} s; not starting it again (see {log}). "
                "The other servers go on."
            )
            return
        pause = pause_after(len(restarts.deaths), self.settings)
        restarts.due = now + pause
        when = "now" if pause == 0 else f"in {pause:.0f} s"
        self.say(f"{service.name} stopped (exit code {code}); starting it again {when}")
