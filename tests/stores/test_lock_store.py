"""The lock race: several Rasa-interpreter processes take one conversation's lock at once.

Each contender (``tests/support/lock_race.py``) counts in Redis how many are inside the
lock together. Rasa's stock ``RedisLockStore`` hands out tickets with a read-modify-write,
so two contenders can hold the same ticket; ours issues and returns tickets in one Lua
script each, and must never let two in. Both figures are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest

from stack.databases import RedisServer
from tests.support.databases import redis_command
from tests.support.rasa_interpreter import rasa_python, run_in_rasa

CONTENDERS = 3
ROUNDS = 150  # per contender
RACE_SECONDS = 5  # per contender at most: the stock store may stall on a lost ticket
RACE_TIMEOUT_S = 60


@dataclass(frozen=True)
class RaceResult:
    rounds: int
    overlaps: int  # a turn with another contender inside the lock at the same time
    lock_errors: int  # a turn refused: its lock vanished under it
    stalls: int  # a turn that waited longer than lock_race.STALL_S: its ticket was lost


def race(store: str, port: int) -> RaceResult:
    """Start the contenders, wait until all are connected, let them go together."""
    conversation = f"race-{store}-{uuid.uuid4().hex[:8]}"
    argv = ["-m", "tests.support.lock_race", store, str(port), str(ROUNDS), str(RACE_SECONDS)]
    argv.append(conversation)
    contenders = [rasa_python(*argv) for _ in range(CONTENDERS)]
    try:
        for contender in contenders:
            assert contender.stdout.readline().strip() == "ready", contender.stderr.read()
        redis_command(port, "SET", f"go:{conversation}", "1")
        outcomes = []
        for contender in contenders:
            out, err = contender.communicate(timeout=RACE_TIMEOUT_S)
            assert contender.returncode == 0, err
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for contender in contenders:
            contender.kill()
    return RaceResult(**{f: sum(o[f] for o in outcomes) for f in RaceResult.__dataclass_fields__})


@pytest.fixture(scope="module")
def stock(redis_server: RedisServer) -> RaceResult:
    return race("stock", redis_server.port)


def test_rasas_stock_lock_store_lets_turns_overlap(stock: RaceResult) -> None:
    """The race the issue is about, seen here: 15 overlaps in 107 rounds on 2 cores."""
    print(f"\nstock RedisLockStore: {stock}")
    assert stock.overlaps > 0


def test_our_lock_store_never_lets_two_turns_overlap(
    redis_server: RedisServer, stock: RaceResult
) -> None:
    ours = race("atomic", redis_server.port)
    print(f"\nAtomicRedisLockStore: {ours} (stock: {stock})")
    assert ours.overlaps == 0
    assert (ours.lock_errors, ours.stalls) == (0, 0)  # every turn served, none lost
    assert ours.rounds == CONTENDERS * ROUNDS


FROM_ENDPOINTS = """
import json
from rasa.core.lock_store import LockStore
from rasa.core.utils import read_endpoints_from_path
lock_store = LockStore.create(read_endpoints_from_path("endpoints.cluster.yml").lock_store)
ticket = lock_store.issue_ticket("from-endpoints")
print(json.dumps({"class": type(lock_store).__name__, "ticket": ticket,
                  "db": lock_store.red.connection_pool.connection_kwargs["db"]}))
"""


def test_rasa_builds_our_lock_store_from_the_cluster_endpoints(
    redis_server: RedisServer,
) -> None:
    """Rasa hands a custom lock store its endpoint whole; REDIS_URL gives host, port, db."""
    env = {"REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/3", "ACTION_ENDPOINT_URL": "x"}
    env |= {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    made = run_in_rasa(FROM_ENDPOINTS, env)
    assert made == {"class": "AtomicRedisLockStore", "ticket": 0, "db": 3}
    assert b"lock:from-endpoints" in redis_command(redis_server.port, "KEYS", "*", db=3)
