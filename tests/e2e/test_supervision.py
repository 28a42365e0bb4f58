"""End to end through `make run` and `make cluster`, the commands an operator runs: a
server killed with SIGKILL is started again by the launcher while the rest keep running,
a customer's request in progress carries on to the end, and Ctrl-C still stops
everything. In the cluster, 16 customers talk throughout while one server of each kind
is killed in turn: HAProxy sends them to the replica that is up."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from settings import PROJECT_ROOT, StackSettings
from stack.services import PostgresServer, RedisServer
from tests.support.databases import new_database
from tests.support.rest import new_sender, reference_in, reply_text
from tests.support.smtp_servers import code_mailed, wait_for_mail
from tests.support.stacks import free_port_env
from tools.failover import VISIT_ERRORS
from tools.soak import SOAK_ENV, Tally, customer, delivered

pytestmark = pytest.mark.e2e

CUSTOMERS = 16
ANSWERED_AT_LEAST = 0.99
BACK_IN_CLUSTER_S = 30
SETTLE_S = 3  # between kills: HAProxy's checks see the server back up
# One server of each kind the launcher starts in `make cluster` behind HAProxy (and
# beside it), the databases aside; HAProxy itself last.
BEHIND_HAPROXY = [
    "rasa-server-1",
    "action-server-1",
    "relay-1",
    "monitor",
    "retention",
    "mail-sink",
    "web-server",
]
STARTED_S = 300  # setup is done by then (make test runs it first); starting takes ~1 min
BACK_S = 60  # a Rasa server loads its model in about 20 s here
EMAIL = "sam.carter@example.com"


@dataclass
class Launched:
    """`make run` as started by an operator, and what it printed so far."""

    process: subprocess.Popen
    settings: StackSettings
    printed: list[str] = field(default_factory=list)

    def pid_of(self, server: str) -> int:
        return int((self.settings.paths.run_dir / f"{server}.pid").read_text())

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
def launched_by(target: str, var_dir: Path, env: dict[str, str]) -> Iterator[Launched]:
    """``make -s <target>`` on free ports with ``var_dir`` as var/, until the test ends."""
    env = free_port_env(var_dir, env)
    process = subprocess.Popen(
        ["make", "-s", target],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    launched = Launched(process, StackSettings.from_env(env=env))
    threading.Thread(target=read_lines, args=(launched,), daemon=True).start()
    try:
        launched.wait_printed("Press Ctrl-C to stop.", STARTED_S)
        yield launched
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


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


def kill_and_wait_back(launched: Launched, server: str) -> float:
    """SIGKILL one server, as a crash would; the seconds until the launcher has started it
    again and its readiness check passes."""
    dead, seen = launched.pid_of(server), len(launched.printed)
    killed = time.monotonic()
    os.kill(dead, signal.SIGKILL)
    launched.wait_printed(f"{server} is ready again", BACK_S, since=seen)
    assert launched.pid_of(server) != dead
    return time.monotonic() - killed


def test_a_killed_server_comes_back_and_a_request_in_progress_completes(
    tmp_path: Path,
) -> None:
    with launched_by("run", tmp_path / "var", {}) as launched:
        settings = launched.settings
        sender = new_sender("restart")

        def say(message: str) -> str:
            return reply_text(settings.rest_webhook, sender, message)

        assert say("please delete my data").endswith(
            "What's your full name, as it appears on your Jessops account?"
        )
        say("Sam Carter")
        back = kill_and_wait_back(launched, "rasa-server")
        print(f"rasa-server back and ready {back:.1f} s after SIGKILL")
        assert say(EMAIL).startswith("What phone number is on your account?")
        say("skip")
        back = kill_and_wait_back(launched, "action-server")
        print(f"action-server back {back:.1f} s after SIGKILL")
        summary = say("skip")
        assert "- Name: Sam Carter" in summary and f"- Email: {EMAIL}" in summary
        confirmed = say("yes")
        assert f"I'm emailing a 6-digit code to {EMAIL}" in confirmed
        reference = reference_in(confirmed)
        kill_and_wait_back(launched, "relay")
        code = code_mailed(settings.paths.mail_dir, reference, EMAIL)
        assert say(code).startswith("Thank you, your email address is confirmed.")
        wait_for_mail(settings.paths.mail_dir, reference, "cs@jessops.com")

        stop_with_ctrl_c(launched)


def stop_with_ctrl_c(launched: Launched) -> None:
    """Ctrl-C in the terminal: the launcher stops every server it started, then itself."""
    pids = [int(p.read_text()) for p in launched.settings.paths.run_dir.glob("*.pid")]
    os.killpg(launched.process.pid, signal.SIGINT)
    launched.process.wait(60)
    launched.wait_printed("Stopping...", 1)
    assert not [pid for pid in pids if alive(pid)]


def test_make_cluster_keeps_serving_while_each_kind_of_server_is_killed_in_turn(
    tmp_path: Path, postgres_server: PostgresServer, redis_server: RedisServer
) -> None:
    tally, keep_going, backs = Tally(), threading.Event(), {}
    keep_going.set()
    # The databases are the test's (DATABASE_URL, REDIS_URL), as a shop's would be its own:
    # make cluster's PostgreSQL needs a data folder its OS user can reach, which the test's
    # temporary folder is not.
    shared = {"DATABASE_URL": new_database(postgres_server.url), "REDIS_URL": redis_server.url}
    with (
        launched_by("cluster", tmp_path / "var", {**SOAK_ENV, **shared}) as launched,
        ThreadPoolExecutor(CUSTOMERS) as pool,
    ):
        settings = launched.settings
        load = [
            pool.submit(customer, tally, settings.rest_webhook, keep_going, None)
            for _ in range(CUSTOMERS)
        ]
        sender = new_sender("cluster-kill")
        assert reply_text(settings.rest_webhook, sender, "please delete my data")
        reply_text(settings.rest_webhook, sender, "Sam Carter")
        for server in BEHIND_HAPROXY:
            backs[server] = round(kill_and_wait_back(launched, server), 1)
            time.sleep(SETTLE_S)
        behind = Snapshot.of(tally)
        backs["haproxy"] = round(kill_and_wait_back(launched, "haproxy"), 1)
        time.sleep(SETTLE_S)
        for message in [EMAIL, "skip", "skip"]:
            reply_text(settings.rest_webhook, sender, message)
        confirmed = reply_text(settings.rest_webhook, sender, "yes")
        keep_going.clear()
        for finished in load:
            finished.result()
        print(f"\nback after SIGKILL (s): {backs}")
        at_the_door = Snapshot.of(tally).minus(behind)
        print(f"{behind.sent} messages while servers behind HAProxy died: {behind.share} answered")
        print(f"then HAProxy: {at_the_door.failed} of {at_the_door.sent} failed; {tally.errors}")
        reference = reference_in(confirmed)
        assert f"I'm emailing a 6-digit code to {EMAIL}" in confirmed
        code = code_mailed(settings.paths.mail_dir, reference, EMAIL)
        assert "email address is confirmed" in reply_text(settings.rest_webhook, sender, code)
        mailed = delivered(settings.paths.mail_dir, [*tally.references, reference])
        assert behind.share >= ANSWERED_AT_LEAST
        # HAProxy is the one door: what it held when killed is lost (a connection reset,
        # at most a message or two per customer), then it is back at once.
        assert at_the_door.failed <= 2 * CUSTOMERS
        assert all(back <= BACK_IN_CLUSTER_S for back in backs.values()), backs
        assert tally.references and all(mailed[r] == 1 for r in [*tally.references, reference])
        stop_with_ctrl_c(launched)
