"""End to end through `make cluster`: PostgreSQL, then Redis, stopped for 20 s while 16
customers talk.

While one is down every message still gets an answer within seconds: the short "can't
answer just now, please try again" reply, never an HTTP error or a hang. No request
confirmed before is lost, and full service is back within 30 s of its return, with
nothing restarted by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from stack.databases import PostgresServer, RedisServer, postgres, redis
from stack.rest_client import new_sender, send
from tests.support.databases import new_database
from tests.support.launcher import Snapshot, launched_by, stop_with_ctrl_c
from tools.soak import SOAK_ENV, Tally, customer, delivered

pytestmark = pytest.mark.e2e

CUSTOMERS = 16
LOAD_BEFORE_S = 8.0
DOWN_S = 20.0
BACK_WITHIN_S = 30.0
ANSWER_WITHIN_S = 10.0  # while PostgreSQL is down: an answer, not a hang
QUESTION = "Do you sell my data?"
# channels/guard.py's reply to a turn that failed (that module needs Rasa to import).
NO_ANSWER = (
    "Sorry, I can't answer just now. Please try again in a few minutes, or contact "
    "Jessops customer service at cs@jessops.com or 0845 458 7005."
)


@pytest.fixture
def own_databases(tmp_path: Path) -> Iterator[tuple[PostgresServer, RedisServer]]:
    """A PostgreSQL and a Redis of this test's own, to stop and start again (not the
    session's shared ones)."""
    with ExitStack() as servers:
        own_postgres = servers.enter_context(postgres(durable=False))
        own_redis = servers.enter_context(redis(tmp_path / "redis-log"))
        yield own_postgres, own_redis


def probe(webhook: str) -> tuple[str, float]:
    """One new customer's question: the reply (or the HTTP error) and how long it took."""
    started = time.monotonic()
    response = send(webhook, new_sender("probe"), QUESTION)
    took = time.monotonic() - started
    if response.status_code != 200:
        return f"HTTP {response.status_code}", took
    return "\n".join(m.get("text", "") for m in response.json()), took


@pytest.mark.parametrize("stopped", ["postgresql", "redis"])
def test_a_database_down_for_20_s_customers_are_told_to_retry_and_nothing_is_lost(
    tmp_path: Path, own_databases: tuple[PostgresServer, RedisServer], stopped: str
) -> None:
    own_postgres, own_redis = own_databases
    server = own_postgres if stopped == "postgresql" else own_redis
    tally, keep_going = Tally(), threading.Event()
    keep_going.set()
    shared = {"DATABASE_URL": new_database(own_postgres.url), "REDIS_URL": own_redis.url}
    with (
        launched_by("cluster", tmp_path / "var", {**SOAK_ENV, **shared}) as launched,
        ThreadPoolExecutor(CUSTOMERS) as pool,
    ):
        webhook = launched.settings.rest_webhook
        load = [pool.submit(customer, tally, webhook, keep_going, None) for _ in range(CUSTOMERS)]
        time.sleep(LOAD_BEFORE_S)
        with tally.lock:
            confirmed_before = list(tally.references)
        server.stop()
        stopped_at = time.monotonic()
        while_down = []
        while time.monotonic() - stopped_at < DOWN_S:
            while_down.append(probe(webhook))
            time.sleep(1)
        server.start()
        restarted = time.monotonic()
        while (reply := probe(webhook))[0] == NO_ANSWER:
            assert time.monotonic() - restarted < BACK_WITHIN_S, reply
            time.sleep(0.5)
        back_s = time.monotonic() - restarted
        time.sleep(LOAD_BEFORE_S)
        keep_going.clear()
        for finished in load:
            finished.result()
        print(f"\nback {back_s:.1f} s after {stopped}; while down: {while_down}")
        print(f"{Snapshot.of(tally)}: {tally.errors}")
        assert while_down and all(text == NO_ANSWER for text, _ in while_down), while_down
        assert max(took for _, took in while_down) < ANSWER_WITHIN_S
        assert "From our privacy policy" in reply[0]
        mailed = delivered(launched.settings.paths.mail_dir, confirmed_before)
        assert confirmed_before and all(mailed[r] == 1 for r in confirmed_before)
        assert not [e for e in tally.errors if e.startswith("HTTP") or "Error" in e]
        stop_with_ctrl_c(launched)
