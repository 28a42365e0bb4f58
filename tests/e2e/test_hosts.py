"""A cluster across machines, for real: four network hosts made with ``ip netns`` (one for
PostgreSQL, Redis and the mail sink, two application hosts, one edge with HAProxy and the
shop page), each role started as an operator starts it (``make -s cluster ROLE=...``)
with every address from its environment. Customers talk to the edge only, over REST.
Under their load one whole application host is taken away (every process on it killed
at once): the other keeps answering, and every request a customer was told is confirmed
reaches customer service, over SMTP to the database host, exactly once.

This is the proof docs/deploy.md cites. Needs root, as CI has, for the namespaces.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from settings import Paths
from stack.ports import CHANNELS_OFF
from stack.rest_client import new_sender, reference_in, reply_text
from tests.support.hosts import Network, network
from tests.support.launcher import Launched, Snapshot, launched
from tools.soak import SOAK_ENV, Tally, customer, delivered

pytestmark = pytest.mark.e2e

HOSTS = {"database": 1, "application-1": 21, "application-2": 22, "edge": 4}
CUSTOMERS = 8
ANSWERED_AT_LEAST = 0.99
BOTH_HOSTS_S = 10  # load on both application hosts before one goes
ONE_HOST_S = 20  # load on the one left, once HAProxy has noticed
NOTICED_WITHIN_S = 10  # HAProxy checks every second and takes a server out after two
RASA_PORT, ACTION_PORT, SMTP_PORT = 5005, 5055, 2525
PASSWORD = "test-only-password"
RESTART_S = 30


@pytest.fixture
def hosts() -> Iterator[Network]:
    with network(HOSTS) as net:
        yield net


@pytest.fixture
def var_dirs() -> Iterator[dict[str, Path]]:
    """Each host's own var/ (the postgres OS user must reach the database host's, so not
    under pytest's root-only folders)."""
    top = Path(tempfile.mkdtemp(prefix="jessops-hosts-"))
    top.chmod(0o755)
    try:
        yield {host: top / host for host in HOSTS}
    finally:
        shutil.rmtree(top, ignore_errors=True)


def host_env(net: Network, host: str, var_dir: Path) -> dict[str, str]:
    """A host's environment, as its EnvironmentFile would give it (deploy/)."""
    database, edge = net.address("database"), net.address("edge")
    applications = [net.address(name) for name in HOSTS if name.startswith("application")]
    shared = {
        **CHANNELS_OFF,
        **SOAK_ENV,
        "BIND_HOST": net.address(host),
        "VAR_DIR": str(var_dir),
        "TRACKER_DB": "",
        "OUTBOX_DB": "",
        "KNOWLEDGE_INDEX_DIR": str(Paths.from_env().index_dir),
        "DATABASE_URL": f"postgresql://postgres:{PASSWORD}@{database}:5432/postgres",
        "REDIS_URL": f"redis://:{PASSWORD}@{database}:6379/0",
    }
    if host == "database":
        return {**shared, "SMTP_HOST": "", "MAIL_SINK_PORT": str(SMTP_PORT)}
    if host == "edge":
        return {
            **shared,
            "RASA_SERVERS": ",".join(f"{a}:{RASA_PORT}" for a in applications),
            "ACTION_SERVERS": ",".join(f"{a}:{ACTION_PORT}" for a in applications),
        }
    return {
        **shared,
        "SMTP_HOST": database,
        "SMTP_PORT": str(SMTP_PORT),
        "PUBLIC_HOST": edge,
        "ACTION_SERVER_URL": f"http://{edge}:{ACTION_PORT}",
        "VERIFY_SECRET": "the same on every application host",
        # A relay killed mid-send frees its request this soon (a real one waits 120 s).
        "RELAY_LEASE_SECONDS": "10",
    }


def role_of(host: str) -> str:
    return host.split("-")[0]


def start(net: Network, host: str, var_dir: Path, stack: ExitStack) -> Launched:
    """``make -s cluster ROLE=<role>`` on ``host``, as its operator would start it."""
    argv = ["ip", "netns", "exec", net.namespace(host), "make", "-s", "cluster"]
    return stack.enter_context(
        launched([*argv, f"ROLE={role_of(host)}"], host_env(net, host, var_dir))
    )


def haproxy_servers(edge: Launched) -> dict[str, dict[str, str]]:
    """HAProxy's view of each server (status, sessions so far), from its stats page."""
    text = (edge.settings.paths.var_dir / "cluster" / "haproxy.cfg").read_text()
    stats = re.search(r"frontend stats\n\s+bind (\S+)", text).group(1)
    with urllib.request.urlopen(f"http://{stats}/stats;csv", timeout=5) as response:
        rows = csv.DictReader(io.StringIO(response.read().decode().lstrip("# ")))
        return {f"{r['pxname']}/{r['svname']}": r for r in rows}


def wait_until_down(edge: Launched, servers: list[str]) -> float:
    """Seconds until HAProxy marks every one of ``servers`` down."""
    started = time.monotonic()
    while any(haproxy_servers(edge)[s]["status"].startswith("UP") for s in servers):
        assert time.monotonic() - started < NOTICED_WITHIN_S, haproxy_servers(edge)
        time.sleep(0.1)
    return time.monotonic() - started


def restarted_on_its_host(host: Launched, server: str) -> None:
    """SIGKILL one server of a host: that host's launcher starts it again (supervision
    per role, as under make cluster)."""
    dead, seen = host.pid_of(server), len(host.printed)
    os.kill(dead, signal.SIGKILL)
    host.wait_printed(f"{server} is ready again", RESTART_S, since=seen)
    assert host.pid_of(server) != dead


def test_the_cluster_keeps_serving_when_a_whole_application_host_goes(
    hosts: Network, var_dirs: dict[str, Path]
) -> None:
    tally, keep_going = Tally(), threading.Event()
    with ExitStack() as stack:
        database = start(hosts, "database", var_dirs["database"], stack)
        database.wait_started()
        started = {h: start(hosts, h, var_dirs[h], stack) for h in HOSTS if h != "database"}
        for host in started.values():
            host.wait_started()
        edge = started["edge"]
        webhook = edge.settings.rest_webhook
        assert webhook == f"http://{hosts.address('edge')}:{RASA_PORT}/webhooks/rest/webhook"
        keep_going.set()
        pool = stack.enter_context(ThreadPoolExecutor(CUSTOMERS))
        stack.callback(keep_going.clear)  # customers stop first, even if the test fails
        load = [pool.submit(customer, tally, webhook, keep_going, None) for _ in range(CUSTOMERS)]
        form = new_sender("hosts")
        reply_text(webhook, form, "stop sending me marketing emails")
        reply_text(webhook, form, "Kim Park")
        restarted_on_its_host(started["application-2"], "relay")
        time.sleep(BOTH_HOSTS_S)
        gone = ["rasa/rasa-1", "actions/actions-1"]
        served_before = {s: int(haproxy_servers(edge)[s]["stot"]) for s in gone}
        before = Snapshot.of(tally)
        killed = hosts.kill_host("application-1")
        noticed_s = wait_until_down(edge, gone)
        noticed = Snapshot.of(tally)
        time.sleep(ONE_HOST_S)
        after = Snapshot.of(tally).minus(noticed)
        reply_text(webhook, form, "kim.park@example.com")
        confirmed = reply_text(webhook, form, "yes")
        keep_going.clear()
        for finished in load:
            finished.result()
        references = [*tally.references, reference_in(confirmed)]
        mailed = delivered(var_dirs["database"] / "mail", references)
        while_noticing = noticed.minus(before)
        print(
            f"\n{killed} processes killed on application-1; HAProxy noticed in "
            f"{noticed_s:.1f} s; before: {before.sent} sent, {before.failed} unanswered; "
            f"while noticing: {while_noticing.failed} of {while_noticing.sent} unanswered; "
            f"after: {after.failed} of {after.sent} unanswered ({after.share}); "
            f"{len(references)} requests confirmed, delivered once: "
            f"{sum(mailed[r] == 1 for r in references)}; errors {dict(tally.errors)}"
        )
        assert all(n > 0 for n in served_before.values()), served_before  # both hosts served
        assert after.sent > 0 and after.share >= ANSWERED_AT_LEAST
        assert reference_in(confirmed), confirmed  # the form in progress completed
        assert tally.references and all(mailed[r] == 1 for r in references), mailed
