"""The relay against real SMTP servers: delivered, retried, failed, never lost."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from data_requests.cli import main as requests_cli
from data_requests.outbox import FAILED, PENDING, SEND_LEASE, SENT, Outbox
from data_requests.relay import Relay
from settings import RequestSettings, SmtpSettings
from stack.mail_sink import SavingHandler
from stack.ports import free_port
from tests.support.smtp_servers import (
    FlakyHandler,
    ScriptedHandler,
    saved_messages,
    smtp_server,
)

DETAILS = {
    "full_name": "Jane O'Doe",
    "email": "jane.doe@example.com",
    "phone": "020 7946 0958",
    "postcode": "SW1A 1AA",
    "correction_field": "postal address",
    "correction_current": "1 Old Road",
    "correction_new": "12 High Street\nBcc: someone@example.org",
}


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(tmp_path: Path) -> RequestSettings:
    return RequestSettings(
        outbox_db=tmp_path / "outbox.db",
        mailbox="cs@jessops.com",
        sender="privacy-assistant@jessops.com",
        poll_s=0.05,
        backoff_base_s=0.05,
        backoff_max_s=0.2,
    )


@pytest.fixture
def relay(settings: RequestSettings, port: int) -> Relay:
    smtp = SmtpSettings(
        host="127.0.0.1", port=port, username=None, password=None, starttls=False, timeout_s=5
    )
    return Relay(Outbox(settings.outbox_db), smtp, settings)


def submit(relay: Relay, key: str = "key-1", kind: str = "correction") -> str:
    return relay.outbox.submit(key, kind, DETAILS, "rest").reference


def run_until_settled(relay: Relay, rounds: int = 40) -> None:
    """Run the relay's sending of requests until nothing is pending, as `make run`'s relay
    loop would (the receipts to customers are tested in test_verification.py)."""
    for _ in range(rounds):
        asyncio.run(relay.send_requests())
        if not relay.outbox.list(PENDING):
            return
        asyncio.run(asyncio.sleep(relay.settings.poll_s))


def test_request_is_delivered_with_complete_safe_content(
    relay: Relay, port: int, tmp_path: Path
) -> None:
    reference = submit(relay)
    with smtp_server(SavingHandler(tmp_path / "mail"), port):
        run_until_settled(relay)
    [message] = saved_messages(tmp_path / "mail")
    assert message["To"] == "cs@jessops.com"
    assert message["Subject"] == f"[{reference}] Data request: correction"
    assert message["Reply-To"] == "jane.doe@example.com"
    assert message["Message-ID"].startswith(f"<{reference}.")
    assert message["Bcc"] is None  # customer text never becomes a header
    body = message.get_body(("plain",)).get_content()
    for value in (
        "Jane O'Doe",
        "jane.doe@example.com",
        "020 7946 0958",
        "SW1A 1AA",
        "1 Old Road",
        "12 High Street",
        reference,
        "Channel:     rest",
        "Respond by:",
    ):
        assert value in body
    [attachment] = list(message.iter_attachments())
    record = json.loads(attachment.get_content())
    assert attachment.get_filename() == "request.json"
    assert record["reference"] == reference and record["customer"] == DETAILS
    assert record["type"] == "correction" and record["channel"] == "rest"
    assert relay.outbox.get(reference).status == SENT


def test_server_down_at_submission_then_delivered_once_it_is_up(
    relay: Relay, port: int, tmp_path: Path
) -> None:
    reference = submit(relay)
    asyncio.run(relay.send_requests())  # nothing listens on the port yet
    waiting = relay.outbox.get(reference)
    assert waiting.status == PENDING and waiting.attempts == 1 and waiting.last_error
    with smtp_server(SavingHandler(tmp_path / "mail"), port):
        run_until_settled(relay)
    assert relay.outbox.get(reference).status == SENT
    assert len(saved_messages(tmp_path / "mail")) == 1


def test_a_4xx_reply_is_retried_until_accepted(relay: Relay, port: int, tmp_path: Path) -> None:
    reference = submit(relay)
    handler = FlakyHandler(tmp_path / "mail", "451 4.3.0 Try again later", failures=2)
    with smtp_server(handler, port):
        run_until_settled(relay)
    stored = relay.outbox.get(reference)
    assert stored.status == SENT and stored.attempts == 3 and handler.attempts == 3
    assert len(saved_messages(tmp_path / "mail")) == 1


def test_a_5xx_reply_fails_the_request_and_the_cli_lists_it(
    relay: Relay,
    port: int,
    tmp_path: Path,
    settings: RequestSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = submit(relay)
    handler = FlakyHandler(tmp_path / "mail", "554 5.7.1 Rejected", failures=99)
    with smtp_server(handler, port):
        run_until_settled(relay)
    failed = relay.outbox.get(reference)
    assert failed.status == FAILED and "554" in failed.last_error
    monkeypatch.setenv("OUTBOX_DB", str(settings.outbox_db))
    assert requests_cli(["list", "--status", "failed"]) == 0
    listing = capsys.readouterr().out
    assert reference in listing and "Jane" not in listing  # no personal details in lists
    assert requests_cli(["requeue", reference]) == 0
    with smtp_server(SavingHandler(tmp_path / "mail"), port):
        run_until_settled(relay)
    assert relay.outbox.get(reference).status == SENT


def test_a_relay_that_died_mid_send_sends_again_after_the_lease(
    relay: Relay, port: int, tmp_path: Path
) -> None:
    reference = submit(relay)
    [claimed] = relay.outbox.claim_due()  # a relay took it, then crashed before sending
    assert claimed.reference == reference
    with smtp_server(SavingHandler(tmp_path / "mail"), port):
        assert asyncio.run(relay.send_requests()) == [], "leased: not sent twice at once"
        after_the_lease = datetime.now(timezone.utc) + SEND_LEASE + timedelta(seconds=1)
        [outcome] = asyncio.run(relay.send_requests(now=after_the_lease))
    assert outcome.status == SENT
    [message] = saved_messages(tmp_path / "mail")
    assert message["Subject"] == f"[{reference}] Data request: correction"
    assert message["Message-ID"].startswith(f"<{reference}.")
    assert relay.outbox.get(reference).status == SENT


STEPS = ["stored", "retried", "failed", "requeued", "sent"]


def test_the_audit_trail_shows_every_step_in_order(
    relay: Relay,
    port: int,
    tmp_path: Path,
    settings: RequestSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Retried on a 4xx, failed on a 5xx, re-queued by staff, then sent: each step is in
    the trail with its time and SMTP reply, in order (``show`` prints one line each: date,
    time, "UTC", the event), and no customer detail is."""
    reference = submit(relay)
    replies = ["451 4.3.0 Try again later", "554 5.7.1 Rejected"]
    monkeypatch.setenv("OUTBOX_DB", str(settings.outbox_db))
    with smtp_server(ScriptedHandler(tmp_path / "mail", replies), port):
        run_until_settled(relay)
        assert requests_cli(["requeue", reference]) == 0
        run_until_settled(relay)
    trail = relay.outbox.history(reference)
    assert [e.event for e in trail] == STEPS
    assert "451" in trail[1].detail and "554" in trail[2].detail
    assert [e.at for e in trail] == sorted(e.at for e in trail)
    capsys.readouterr()
    assert requests_cli(["show", reference]) == 0
    shown = capsys.readouterr().out.split("Audit trail:")[1]
    lines = shown.strip().splitlines()
    assert [line.split()[3] for line in lines] == STEPS
    assert "(451, '4.3.0 Try again later')" in shown
    assert not any(str(value) in shown for value in DETAILS.values())
