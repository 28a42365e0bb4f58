"""`make soak`: many simulated customers at once on loopback, for a bounded time.

Each customer visits again and again, each visit under a new sender id: half the visits
ask a policy question, half make a whole request to stop marketing email (four turns,
ending with the reference). Afterwards every confirmed reference must be in the outbox
and in the SMTP sink exactly once. Prints messages/s, latency percentiles, errors,
requests confirmed/stored/delivered and the servers' memory at start and end. A
benchmark, not a test: ``tests/e2e/test_soak_short.py`` runs a small one in the suite.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import requests

from data_requests.outbox import Outbox
from stack.mail_sink import saved_messages
from stack.ports import stack_on_free_ports
from stack.processes import Stack
from stack.rest_client import TIMEOUT_S, reference_in
from tools.bench import percentiles, resident_mb

QUESTIONS = [
    "Do you sell my data?",
    "What cookies do you use?",
    "How do I stop marketing emails?",
    "Is my card safe when I pay online?",
    "Who do you share my information with?",
]
NAMES = ["Jane Doe", "Sam Smith", "Kim Park", "Ann Lee"]
MAIL_WAIT_S = 60
RETRY_AFTER_S = 1.0
# Simulated customers type far faster than people: lift the per-sender limits.
SOAK_ENV = {"RATE_LIMIT_MESSAGES": "100000", "RELAY_POLL_SECONDS": "0.2"}


@dataclass
class Tally:
    """What all customers saw, shared between their threads."""

    latencies_s: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    references: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, webhook: str, sender: str, message: str) -> str:
        """Send one message; its reply text, or "" after recording why it failed."""
        started = time.perf_counter()
        try:
            response = requests.post(
                webhook, json={"sender": sender, "message": message}, timeout=TIMEOUT_S
            )
            ok = response.status_code == 200  # a proxy's error page is not JSON
            text = "\n".join(m.get("text", "") for m in response.json()) if ok else ""
            problem = None if text else f"HTTP {response.status_code}"
        except (requests.RequestException, ValueError) as error:
            text, problem = "", type(error).__name__
        with self.lock:
            self.latencies_s.append(time.perf_counter() - started)
            if problem:
                self.errors[problem] += 1
        if problem:
            # A person (or the widget reconnecting) waits a moment before the next
            # message, rather than sending thousands into a refused connection a second.
            time.sleep(RETRY_AFTER_S)
        return text


def ask(tally: Tally, webhook: str, n: int) -> None:
    reply = tally.say(webhook, f"soak-{uuid.uuid4().hex[:10]}", QUESTIONS[n % len(QUESTIONS)])
    if reply and "privacy policy" not in reply:
        with tally.lock:
            tally.errors["no answer"] += 1


def request(tally: Tally, webhook: str, n: int) -> None:
    sender = f"soak-{uuid.uuid4().hex[:10]}"
    turns = [
        "stop sending me marketing emails",
        NAMES[n % len(NAMES)],
        f"soak.{uuid.uuid4().hex[:8]}@example.com",
        "yes",
    ]
    reply = ""
    for turn in turns:
        reply = tally.say(webhook, sender, turn)
    reference = reference_in(reply)
    with tally.lock:
        if reference:
            tally.references.append(reference)
        else:
            tally.errors["request not confirmed"] += 1


def customer(tally: Tally, webhook: str, keep_going: threading.Event, visits: int | None) -> None:
    n = 0
    while keep_going.is_set() and (visits is None or n < visits):
        (ask if n % 2 == 0 else request)(tally, webhook, n)
        n += 1


def requests_mailed(mail_dir: Path) -> list[EmailMessage]:
    """The mails to customer service in the sink (the codes and receipts to customers aside)."""
    return [m for m in saved_messages(mail_dir) if "Data request:" in m["Subject"]]


def delivered(mail_dir: Path, references: list[str]) -> Counter[str]:
    """How many mails to customer service in the sink carry each reference, once all
    arrived or time ran out."""
    deadline = time.monotonic() + MAIL_WAIT_S
    while True:
        subjects = [m["Subject"] for m in requests_mailed(mail_dir)]
        counts = Counter(r for r in references for s in subjects if r in s)
        if set(counts) >= set(references) or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def run(stack: Stack, customers: int, seconds: float | None, visits: int | None) -> dict:
    """Drive ``customers`` threads until ``seconds`` pass or each made ``visits`` visits."""
    servers = ("rasa-server", "action-server")
    memory_start = {name: resident_mb(stack.service(name).process.pid) for name in servers}
    tally = Tally()
    keep_going = threading.Event()
    keep_going.set()
    started = time.monotonic()
    with ThreadPoolExecutor(customers) as pool:
        runs = [
            pool.submit(customer, tally, stack.settings.rest_webhook, keep_going, visits)
            for _ in range(customers)
        ]
        if seconds is not None:
            time.sleep(seconds)
            keep_going.clear()
        for finished in runs:
            finished.result()
    elapsed = time.monotonic() - started
    stored = Counter(r.reference for r in Outbox(stack.settings.paths.outbox_db).list())
    mailed = delivered(stack.settings.paths.mail_dir, tally.references)
    return {
        "customers": customers,
        "seconds": round(elapsed, 1),
        "messages": len(tally.latencies_s),
        "messages_per_s": round(len(tally.latencies_s) / elapsed, 1),
        "latency": percentiles(tally.latencies_s),
        "errors": dict(tally.errors),
        "requests_confirmed": len(tally.references),
        "confirmed_in_outbox_once": sum(stored[r] == 1 for r in tally.references),
        "confirmed_in_sink_once": sum(mailed[r] == 1 for r in tally.references),
        "resident_memory_mb": {
            name: {"start": memory_start[name], "end": resident_mb(stack.service(name).process.pid)}
            for name in servers
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        stack_on_free_ports(Path(tmp), SOAK_ENV) as stack,
    ):
        print(json.dumps(run(stack, args.customers, args.seconds, None), indent=2))


if __name__ == "__main__":
    main()
