"""`make loadtest`: the same Locust script against `make run` and `make cluster`.

    python -m tools.loadtest [--customers 16,64] [--seconds 30] [--stacks run,cluster]

Starts each stack on free ports with a temporary ``var/`` (the single stack: SQLite, one
server of each; the cluster: 2 Rasa servers, 2 action servers, 2 relays behind HAProxy,
with its own PostgreSQL and Redis), runs Locust headless from its own environment
(``.venv/locust``, ``tools/locustfile.py``) for each number of customers in turn, and
prints one JSON row per run: messages per second, p50 and p95 over all messages, and the
failures. Bounded by ``--seconds`` a run; it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from settings import PROJECT_ROOT, VENVS, ClusterSettings, StackSettings
from stack.cluster import ClusterStack
from stack.databases import postgres, redis
from stack.ports import free_port_env
from stack.processes import Stack
from tools.failover import REPLICAS
from tools.soak import SOAK_ENV

LOCUST = VENVS / "locust" / "bin" / "locust"
LOCUSTFILE = PROJECT_ROOT / "tools" / "locustfile.py"
FAILURE_KINDS = 3  # the most frequent failure messages printed per run


def locust(host: str, customers: int, seconds: int, folder: Path) -> dict:
    """One headless Locust run; the figures over all its messages."""
    prefix = folder / f"locust-{customers}"
    subprocess.run(
        [
            str(LOCUST),
            "--headless",
            "--only-summary",
            "--locustfile",
            str(LOCUSTFILE),
            "--host",
            host,
            "--users",
            str(customers),
            "--spawn-rate",
            str(customers),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
        ],
        check=False,  # Locust exits 1 when any message failed; the figures say so
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="") as failures:
        kinds = {row["Error"]: int(row["Occurrences"]) for row in csv.DictReader(failures)}
    return {
        "customers": customers,
        "messages": int(total["Request Count"]),
        "messages_per_s": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "failures": int(total["Failure Count"]),
        "failures_by_kind": dict(sorted(kinds.items(), key=lambda kind: -kind[1])[:FAILURE_KINDS]),
    }


@contextmanager
def single(folder: Path) -> Iterator[Stack]:
    with Stack(StackSettings.from_env(env=free_port_env(folder / "var", SOAK_ENV))) as stack:
        yield stack


@contextmanager
def cluster(folder: Path) -> Iterator[Stack]:
    with postgres(durable=False) as database, redis(folder) as cache:
        shared = {**SOAK_ENV, **REPLICAS, "DATABASE_URL": database.url, "REDIS_URL": cache.url}
        env = free_port_env(folder / "var", shared)
        with ClusterStack(StackSettings.from_env(env=env), ClusterSettings.from_env(env)) as stack:
            yield stack


STACKS = {"run": single, "cluster": cluster}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", default="16,64", help="comma-separated counts")
    parser.add_argument("--seconds", type=int, default=30, help="length of each run")
    parser.add_argument("--stacks", default=",".join(STACKS), help="run, cluster or both")
    args = parser.parse_args()
    counts = [int(n) for n in args.customers.split(",")]
    for name in args.stacks.split(","):
        with tempfile.TemporaryDirectory() as tmp, STACKS[name](Path(tmp)) as stack:
            for customers in counts:
                row = locust(stack.settings.rasa_url, customers, args.seconds, Path(tmp))
                print(json.dumps({"stack": f"make {name}", **row}), flush=True)


if __name__ == "__main__":
    main()
