"""End to end through `make run` and `make cluster`, the commands an operator runs: a
server killed with SIGKILL is started again by the launcher while the rest keep running,
a customer's request in progress carries on to the end, and Ctrl-C still stops
everything. In the cluster, 16 customers talk throughout while one server of each kind
is killed in turn: HAProxy sends them to the replica that is up."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stack.databases import PostgresServer, RedisServer
from stack.rest_client import new_sender, reference_in, reply_text
from tests.support.databases import new_database
from tests.support.launcher import Launched, Snapshot, launched_by, stop_with_ctrl_c
from tests.support.smtp_servers import code_mailed, wait_for_mail
from tools.soak import SOAK_ENV, Tally, customer, delivered, requests_mailed

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
BACK_S = 60  # a Rasa server loads its model in about 20 s here
# A relay killed in the middle of a send keeps its claim on that mail until the claim's
# lease ends (RELAY_LEASE_SECONDS, 120 s by default), then another relay sends it: a
# short lease keeps that wait within the tests' mail waits.
SHORT_LEASE = {"RELAY_LEASE_SECONDS": "5"}
# SMTP cannot deliver exactly once across a crash (RFC 1047): the relay killed between
# the mailbox's 250 and marking the request sent, or the mail sink killed between saving
# a message and sending its 250, leaves a message that arrived but is not marked sent,
# and it is sent again with the same Message-ID. One kill of each can do that once.
KILLS_THAT_CAN_CUT_A_SEND = ["relay-1", "mail-sink"]
EMAIL = "sam.carter@example.com"


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
    with launched_by("run", tmp_path / "var", SHORT_LEASE) as launched:
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


def assert_resent_only_as_the_same_message(mail_dir: Path, mailed: Counter[str]) -> None:
    """At most one request per kill that can cut a send arrived twice, and each time as
    the same message, which customer service can tell is a resend."""
    twice = {reference: count for reference, count in mailed.items() if count > 1}
    print(f"requests that arrived more than once: {twice}")
    assert len(twice) <= len(KILLS_THAT_CAN_CUT_A_SEND) and set(twice.values()) <= {2}, twice
    mails = requests_mailed(mail_dir)
    for reference in twice:
        ids = {m["Message-ID"] for m in mails if reference in m["Subject"]}
        assert len(ids) == 1, (reference, ids)


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
        launched_by("cluster", tmp_path / "var", {**SOAK_ENV, **SHORT_LEASE, **shared}) as launched,
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
        assert tally.references
        missing = [r for r in [*tally.references, reference] if not mailed[r]]
        assert not missing, f"never reached customer service: {missing}"
        assert_resent_only_as_the_same_message(settings.paths.mail_dir, mailed)
        stop_with_ctrl_c(launched)
