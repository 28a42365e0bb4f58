"""`make run` and `make cluster` started as an operator starts them, for end-to-end tests
of what happens to a running stack (a server killed, a database stopped): the command in
its own process group, what it prints, the process ids it keeps in var/run, and the
simulated customers' tally at a moment."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from settings import PROJECT_ROOT, StackSettings
from stack.ports import free_port_env
from tools.failover import VISIT_ERRORS
from tools.soak import Tally

STARTED_S = 300  # setup is done by then (make test runs it first); starting takes ~1 min
STARTED_LINE = "Press Ctrl-C to stop."


@dataclass
class Launched:
    """`make run` as started by an operator, and what it printed so far."""

    process: subprocess.Popen
    settings: StackSettings
    printed: list[str] = field(default_factory=list)

    def pid_of(self, server: str) -> int:
        return int((self.settings.paths.run_dir / f"{server}.pid").read_text())

    def wait_started(self) -> None:
        """Wait for the banner the launcher prints once every server is ready."""
        self.wait_printed(STARTED_LINE, STARTED_S)

    def wait_printed(self, text: str, timeout: float, since: int = 0) -> None:
        """Wait until a line printed after the first ``since`` lines holds ``text``."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.printed[since:]):
            assert self.process.poll() is None, "".join(self.printed)
            assert time.monotonic() < deadline, f"never printed {text!r}: {self.printed}"
            time.sleep(0.2)


def read_lines(launched: Launched) -> None:
    for line in launched.process.stdout:
        launched.printed.append(line)


@contextmanager
def launched(argv: list[str], env: dict[str, str]) -> Iterator[Launched]:
    """``argv`` (``make -s ...``, perhaps inside ``ip netns exec``) with ``env`` on top of
    this process's environment, from the moment it starts until the test ends (Ctrl-C)."""
    process = subprocess.Popen(
        argv,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    started = Launched(process, StackSettings.from_env(env=env))
    threading.Thread(target=read_lines, args=(started,), daemon=True).start()
    try:
        yield started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def launched_by(target: str, var_dir: Path, env: dict[str, str]) -> Iterator[Launched]:
    """``make -s <target>`` on free ports with ``var_dir`` as var/, once it says it is up,
    until the test ends."""
    with launched(["make", "-s", target], free_port_env(var_dir, env)) as running:
        running.wait_started()
        yield running


@dataclass(frozen=True)
class Snapshot:
    """Messages the simulated customers sent so far, and how many got no answer."""

    sent: int
    failed: int

    @classmethod
    def of(cls, tally: Tally) -> Snapshot:
        with tally.lock:
            unanswered = sum(n for error, n in tally.errors.items() if error not in VISIT_ERRORS)
            return cls(len(tally.latencies_s), unanswered)

    def minus(self, earlier: Snapshot) -> Snapshot:
        return Snapshot(self.sent - earlier.sent, self.failed - earlier.failed)

    @property
    def share(self) -> float:
        return round(1 - self.failed / self.sent, 4)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_with_ctrl_c(launched: Launched) -> None:
    """Ctrl-C in the terminal: the launcher stops every server it started, then itself."""
    pids = [int(p.read_text()) for p in launched.settings.paths.run_dir.glob("*.pid")]
    os.killpg(launched.process.pid, signal.SIGINT)
    launched.process.wait(60)
    launched.wait_printed("Stopping...", 1)
    assert not [pid for pid in pids if alive(pid)]
