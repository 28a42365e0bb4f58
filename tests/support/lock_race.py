"""One contender in a lock race, run in the Rasa server's interpreter (Python 3.10).

    python -m tests.support.lock_race STORE PORT ROUNDS SECONDS CONVERSATION

STORE is ``stock`` (Rasa's RedisLockStore) or ``atomic`` (stores.lock_store). The
contender connects, says ``ready`` on stdout and waits for the ``go:CONVERSATION`` key,
so that every contender starts together. Each round then takes the conversation's lock
as Rasa does for a message, and counts in Redis how many contenders are inside at once:
a count above one is an overlap, two servers handling the same conversation together.
It stops after ROUNDS rounds or SECONDS, whichever comes first (a stock lock can stall
until a lost ticket expires), and prints its rounds, overlaps and lock errors as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import redis
from rasa.core.lock_store import LockError, RedisLockStore

from stores.lock_store import AtomicRedisLockStore

STORES = {"stock": RedisLockStore, "atomic": AtomicRedisLockStore}
HOLD_S = 0.002  # a short turn: the window the stock store's race needs
WAIT_S = 0.002  # how often a waiting contender looks again (Rasa's default is 1 s)
# Far longer than a round (HOLD_S), so no live ticket expires; short, so a ticket the
# stock store lost stalls the race for a second only.
LOCK_LIFETIME_S = 1
# A round that waits longer than this for its turn is a stall: the stock store can lose
# a contender's ticket, which then waits while the others keep the lock alive.
STALL_S = 3
START_TIMEOUT_S = 60
START_POLL_S = 0.005


async def one_turn(store: RedisLockStore, counter: redis.Redis, conversation: str) -> bool:
    """Take the lock, stay inside for a short turn; whether another was inside too."""
    inside_key = f"inside:{conversation}"
    async with store.lock(conversation, lock_lifetime=LOCK_LIFETIME_S, wait_time_in_seconds=WAIT_S):
        overlapped = counter.incr(inside_key) > 1
        await asyncio.sleep(HOLD_S)
        counter.decr(inside_key)
    return overlapped


async def contend(
    store: RedisLockStore, counter: redis.Redis, rounds: int, seconds: float, conversation: str
) -> dict:
    outcome = {"rounds": 0, "overlaps": 0, "lock_errors": 0, "stalls": 0}
    deadline = time.monotonic() + seconds
    while outcome["rounds"] < rounds and time.monotonic() < deadline:
        outcome["rounds"] += 1
        try:
            overlapped = await asyncio.wait_for(one_turn(store, counter, conversation), STALL_S)
            outcome["overlaps"] += overlapped
        except LockError:
            outcome["lock_errors"] += 1
        except asyncio.TimeoutError:
            outcome["stalls"] += 1
    return outcome


def wait_for_start(counter: redis.Redis, conversation: str) -> None:
    print("ready", flush=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not counter.exists(f"go:{conversation}"):
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        time.sleep(START_POLL_S)


def main() -> None:
    kind, port, rounds, seconds, conversation = sys.argv[1:6]
    port, rounds, seconds = int(port), int(rounds), float(seconds)
    store = STORES[kind](host="127.0.0.1", port=port, db=0)
    counter = redis.Redis(host="127.0.0.1", port=port, db=0)
    wait_for_start(counter, conversation)
    print(
        json.dumps(asyncio.run(contend(store, counter, rounds, seconds, conversation))), flush=True
    )


if __name__ == "__main__":
    main()
