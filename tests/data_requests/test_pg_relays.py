"""Several relays at once on the PostgreSQL outbox, against a real aiosmtpd server.

Every confirmed request reaches customer service exactly once, with the Message-ID it
was composed with, while three relay processes claim from the one table; with one relay
SIGKILLed mid-batch, every request still arrives, and a request the dead relay was
sending arrives again with the same Message-ID (recognisably a resend). The support
staff's CLI reads the same table.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from data_requests.mail import message_id
from data_requests.outbox import SENT, OutboxUnavailable, RequestStore, open_outbox
from data_requests.outbox.postgres import PostgresOutbox
from settings import ACTIONS_BIN, PROJECT_ROOT, RequestSettings
from stack.mail_sink import SavingHandler, saved_messages
from stack.ports import free_port
from tests.support.smtp_servers import smtp_server

REQUESTS = 30
RELAYS = 3
SEND_DELAY_S = 0.05  # each message takes a moment, so a batch is still going at the kill
LEASE_S = 2  # a dead relay's requests are sent by another after this
SETTLE_TIMEOUT_S = 60
DETAILS = {"full_name": "Jane Doe", "email": "jane@example.com"}


class SlowSink(SavingHandler):
    """Saves like the mail sink, after a short delay per message."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(SEND_DELAY_S)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def environ(database_url: str, tmp_path: Path) -> dict[str, str]:
    port = free_port()
    return {
        "DATABASE_URL": database_url,
        "OUTBOX_DB": str(tmp_path / "unused.db"),  # must stay untouched: PostgreSQL wins
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "RELAY_POLL_SECONDS": "0.05",
        "RELAY_LEASE_SECONDS": str(LEASE_S),
        "PYTHONPATH": str(PROJECT_ROOT),
    }


@pytest.fixture
def outbox(environ: dict[str, str]) -> RequestStore:
    store = open_outbox(RequestSettings.from_env(environ))
    for number in range(REQUESTS):
        store.submit(f"key-{number}", "deletion", DETAILS, "rest")
    return store


@contextmanager
def relays(environ: dict[str, str], count: int) -> Iterator[list[subprocess.Popen]]:
    processes = [
        subprocess.Popen(
            [str(ACTIONS_BIN / "python"), "-m", "data_requests.relay"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
            process.wait()


def wait_until_all_sent(outbox: RequestStore, folder: Path) -> None:
    """Until every request has gone to customer service and every receipt to its customer."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while len(outbox.list(SENT)) < REQUESTS or len(delivered_ids(folder)) < 2 * REQUESTS:
        assert time.monotonic() < deadline, f"only {len(outbox.list(SENT))} sent"
        time.sleep(0.1)


def delivered_ids(folder: Path) -> Counter[str]:
    return Counter(message["Message-ID"] for message in saved_messages(folder))


def expected_ids(outbox: RequestStore) -> set[str]:
    """Each request's message to customer service, and its receipt to the customer."""
    sender = RequestSettings.from_env({}).sender
    return {
        message_id(request, sender, purpose)
        for request in outbox.list()
        for purpose in ("", "receipt")
    }


def test_several_relays_deliver_every_request_exactly_once(
    outbox: RequestStore, environ: dict[str, str], tmp_path: Path
) -> None:
    mail = tmp_path / "mail"
    with smtp_server(SlowSink(mail), int(environ["SMTP_PORT"])), relays(environ, RELAYS):
        wait_until_all_sent(outbox, mail)
    delivered = delivered_ids(mail)
    assert set(delivered) == expected_ids(outbox)
    assert set(delivered.values()) == {1}, "a request was sent twice"
    assert not Path(environ["OUTBOX_DB"]).exists()


def test_a_relay_killed_mid_batch_loses_nothing(
    outbox: RequestStore, environ: dict[str, str], tmp_path: Path
) -> None:
    mail = tmp_path / "mail"
    with smtp_server(SlowSink(mail), int(environ["SMTP_PORT"])), relays(environ, RELAYS) as running:
        while not saved_messages(mail):
            time.sleep(0.01)
        os.kill(running[0].pid, signal.SIGKILL)
        wait_until_all_sent(outbox, mail)
    delivered = delivered_ids(mail)
    print(f"\nresent after the kill: {sum(delivered.values()) - len(delivered)}")
    assert set(delivered) == expected_ids(outbox)  # every request, under its own Message-ID
    assert max(delivered.values()) <= 2  # at most the one in flight at the kill, once more
    assert sum(delivered.values()) - len(delivered) <= 1


def test_the_requests_cli_reads_the_postgresql_outbox(
    outbox: RequestStore, environ: dict[str, str]
) -> None:
    listing = subprocess.run(
        [str(ACTIONS_BIN / "python"), "-m", "data_requests", "list", "--status", "pending"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **environ},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{REQUESTS} request(s)" in listing
    assert all(request.reference in listing for request in outbox.list())
    assert "jane@example.com" not in listing  # the listing shows no personal details


def test_servers_opening_the_outbox_while_relays_claim_never_deadlock(database_url: str) -> None:
    """Every action opens the outbox: opening must not lock the tables (DDL that changes
    nothing still does) while relays claim and customers' requests are stored."""
    PostgresOutbox(database_url)
    refused: list[str] = []

    def customer() -> None:
        for _ in range(20):
            try:
                PostgresOutbox(database_url).submit(
                    uuid.uuid4().hex, "marketing_opt_out", DETAILS, "rest"
                )
            except OutboxUnavailable as error:
                refused.append(repr(error.__cause__))

    def relay() -> None:
        store = PostgresOutbox(database_url)
        for _ in range(100):
            try:
                for request in store.claim_due(limit=1):
                    store.mark_sent(request)
                for mail in store.claim_mails(limit=1):
                    store.mark_mail_sent(mail)
            except OutboxUnavailable as error:
                refused.append(repr(error.__cause__))

    workers = [threading.Thread(target=customer) for _ in range(12)]
    workers += [threading.Thread(target=relay) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not refused, refused[:3]
