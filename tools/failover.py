"""A Rasa server SIGKILLed under load: what the customers of `make cluster` notice.

    python -m tools.failover [--customers 16] [--seconds 40] [--kill-at 15]

Starts the cluster on free ports (2 Rasa servers, 2 action servers, 2 relays, its own
PostgreSQL and Redis in a temporary folder), drives ``make soak``'s simulated customers
(half ask a policy question, half make a whole marketing opt-out request) through
HAProxy, SIGKILLs the first Rasa server ``--kill-at`` seconds in, and prints as JSON:
messages answered (share), errors by kind, latency percentiles, and whether every
confirmed request reached the outbox and the mail sink exactly once.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from data_requests.outbox import open_outbox
from settings import ClusterSettings, RequestSettings, StackSettings
from stack.cluster import ClusterStack
from stack.databases import postgres, redis
from stack.ports import free_port_env
from tools.bench import percentiles
from tools.soak import SOAK_ENV, Tally, customer, delivered

REPLICAS = {"RASA_REPLICAS": "2", "ACTION_REPLICAS": "2", "RELAYS": "2"}


def drive(stack: ClusterStack, customers: int, seconds: float, kill_at: float) -> Tally:
    """Customers for ``seconds``; the first Rasa server is killed ``kill_at`` seconds in."""
    tally = Tally()
    keep_going = threading.Event()
    keep_going.set()
    with ThreadPoolExecutor(customers) as pool:
        runs = [
            pool.submit(customer, tally, stack.settings.rest_webhook, keep_going, None)
            for _ in range(customers)
        ]
        time.sleep(kill_at)
        stack.replicas("rasa-server")[0].kill()
        time.sleep(seconds - kill_at)
        keep_going.clear()
        for finished in runs:
            finished.result()
    return tally


# Counted per visit, not per message: a visit whose messages were answered but ended
# without a reference (a message of it failed, and is counted as such already).
VISIT_ERRORS = {"request not confirmed"}


def answered_share(tally: Tally) -> float | None:
    """Share of messages answered with 200 and a reply (wrong answers count as answered)."""
    sent = len(tally.latencies_s)
    failed = sum(n for error, n in tally.errors.items() if error not in VISIT_ERRORS)
    return round(1 - failed / sent, 4) if sent else None


def report(stack: ClusterStack, tally: Tally, customers: int, seconds: float) -> dict:
    sent = len(tally.latencies_s)
    outbox = open_outbox(RequestSettings.from_env({**stack.settings.env}))
    stored = Counter(request.reference for request in outbox.list())
    mailed = delivered(stack.settings.paths.mail_dir, tally.references)
    return {
        "customers": customers,
        "seconds": seconds,
        "messages": sent,
        "answered_share": answered_share(tally),
        "errors": dict(tally.errors),
        "latency": percentiles(tally.latencies_s),
        "requests_confirmed": len(tally.references),
        "confirmed_in_outbox_once": sum(stored[r] == 1 for r in tally.references),
        "confirmed_in_sink_once": sum(mailed[r] == 1 for r in tally.references),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--kill-at", type=float, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, postgres(durable=False) as db, redis(Path(tmp)) as r:
        env = free_port_env(
            Path(tmp) / "var", {**SOAK_ENV, **REPLICAS, "DATABASE_URL": db.url, "REDIS_URL": r.url}
        )
        with ClusterStack(StackSettings.from_env(env=env), ClusterSettings.from_env(env)) as stack:
            tally = drive(stack, args.customers, args.seconds, args.kill_at)
            print(json.dumps(report(stack, tally, args.customers, args.seconds), indent=2))


if __name__ == "__main__":
    main()
