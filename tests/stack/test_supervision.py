"""The launcher's supervision, on real child processes: a server that dies is started
again after its pause while the others run on; one that keeps dying is given up on."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from settings import StackSettings, SupervisionSettings
from stack.processes import Service, Stack, always
from stack.supervision import Supervisor, pause_after

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]
SETTINGS = SupervisionSettings(tries=3, window_s=60, first_pause_s=1, longest_pause_s=8)


class Clock:
    """Time the test moves by hand, so pauses are checked without waiting them out."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def started(tmp_path: Path, *services: Service) -> Stack:
    stack = Stack(StackSettings.from_env({}, env={"VAR_DIR": str(tmp_path)}), list(services))
    stack.start()
    return stack


def test_the_pause_doubles_up_to_the_longest() -> None:
    assert [pause_after(n, SETTINGS) for n in range(1, 7)] == [0, 1, 2, 4, 8, 8]


def test_a_killed_server_is_started_again_after_its_pause_and_the_others_run_on(
    tmp_path: Path,
) -> None:
    clock, said = Clock(), []
    stack = started(tmp_path, Service("a", SLEEPER, always), Service("b", SLEEPER, always))
    try:
        supervisor = Supervisor(stack, SETTINGS, said.append, clock)
        other = stack.service("b").process.pid
        pid_file = tmp_path / "run" / "a.pid"
        assert int(pid_file.read_text()) == stack.service("a").process.pid
        stack.service("a").kill()
        supervisor.check()
        assert said == ["a stopped (exit code -9); starting it again now"]
        assert not stack.service("a").running
        supervisor.check()
        assert said[-1] == "a started again" and stack.service("a").running
        assert int(pid_file.read_text()) == stack.service("a").process.pid
        supervisor.check()
        assert said[-1] == "a is ready again"
        assert stack.service("b").process.pid == other and stack.service("b").running
    finally:
        stack.stop()


def test_a_server_that_keeps_dying_is_given_up_on_and_said_so(tmp_path: Path) -> None:
    clock, said = Clock(), []
    stack = started(tmp_path, Service("steady", SLEEPER, always))
    crasher = Service("crasher", CRASHER, always)
    stack.services.append(crasher)
    crasher.start(stack.settings.paths)
    crasher.process.wait()
    try:
        supervisor = Supervisor(stack, SETTINGS, said.append, clock)
        for pause, when in ((0, "now"), (1, "in 1 s"), (2, "in 2 s")):
            supervisor.check()
            assert said[-1].endswith(f"starting it again {when}")
            clock.now += pause
            supervisor.check()
            crasher.process.wait()
        supervisor.check()
        assert said[-1].startswith("error: crasher died 4 times within 60 s; not starting")
        clock.now += 60
        supervisor.check()
        assert not crasher.running and stack.service("steady").running
    finally:
        stack.stop()


def test_deaths_older_than_the_window_are_forgiven(tmp_path: Path) -> None:
    clock, said = Clock(), []
    stack = started(tmp_path, Service("a", SLEEPER, always))
    try:
        supervisor = Supervisor(stack, SETTINGS, said.append, clock)
        for _ in range(SETTINGS.tries + 2):
            os.killpg(stack.service("a").process.pid, signal.SIGKILL)
            stack.service("a").process.wait()
            supervisor.check()
            assert said[-1].endswith("starting it again now"), said
            clock.now += SETTINGS.window_s  # each death alone in its window
            supervisor.check()
        assert stack.service("a").running
    finally:
        stack.stop()
