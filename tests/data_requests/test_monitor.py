"""The monitor's parts in one process: the outbox gauges, readiness, and the alerts'
once-per-cause rule on both stores, posting to the fake Slack API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from prometheus_client import CollectorRegistry, generate_latest

from data_requests.alerts import FAILED_CAUSE, STUCK_CAUSE, send_alerts
from data_requests.monitor import OutboxCollector, handler, monitor_token, outbox_reachable
from data_requests.outbox import RequestStore, open_outbox
from monitoring.metrics import CHANNELS, known
from settings import MonitorSettings, RequestSettings
from stack.ports import free_port
from tests.support.fake_slack import SUPPORT_CHANNEL, FakeSlack, notice_env

NOW = datetime(2026, 1, 31, 10, 0, tzinfo=timezone.utc)
THRESHOLD = timedelta(minutes=15)
DETAILS = {"full_name": "Jane Doe", "email": "jane@example.com"}


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox(request: pytest.FixtureRequest, tmp_path: Path) -> RequestStore:
    database_url = request.getfixturevalue("database_url") if request.param != "sqlite" else ""
    environ = {"OUTBOX_DB": str(tmp_path / "outbox.db"), "DATABASE_URL": database_url}
    return open_outbox(RequestSettings.from_env(environ))


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A fake Slack of the test's own: every test's first request is JES-2026-000001."""
    with FakeSlack().running() as fake:
        for name, value in notice_env(fake.url).items():
            monkeypatch.setenv(name, value)
        yield fake


def alerts(fake: FakeSlack, reference: str) -> list[str]:
    return [p["text"] for p in fake.posts_in(SUPPORT_CHANNEL, None) if reference in p["text"]]


def test_one_alert_per_cause_and_a_new_one_after_a_requeue(
    outbox: RequestStore, slack: FakeSlack
) -> None:
    stored = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    ref = stored.reference
    assert send_alerts(outbox, THRESHOLD, NOW + timedelta(minutes=14)) == 0
    assert send_alerts(outbox, THRESHOLD, NOW + timedelta(minutes=15)) == 1
    assert send_alerts(outbox, THRESHOLD, NOW + timedelta(minutes=30)) == 0  # same cause
    outbox.mark_failed(outbox.get(ref), "SMTPDataError: (554, 'Rejected')")
    assert send_alerts(outbox, THRESHOLD, NOW + timedelta(minutes=31)) == 1
    assert send_alerts(outbox, THRESHOLD, NOW + timedelta(minutes=32)) == 0
    assert outbox.requeue(ref)
    outbox.mark_failed(outbox.get(ref), "SMTPDataError: (554, 'Rejected')")
    assert send_alerts(outbox, THRESHOLD) == 1  # failed again after the requeue: a new cause
    posted = alerts(slack, ref)
    assert len(posted) == 3 and "not been sent for 15 minutes" in posted[0]
    assert f"make requests ARGS='requeue {ref}'" in posted[1]
    assert not any(value in text for text in posted for value in DETAILS.values())
    causes = [e.detail for e in outbox.history(ref) if e.event == "alerted"]
    assert causes == [STUCK_CAUSE, FAILED_CAUSE, FAILED_CAUSE]


def test_with_slack_off_the_log_line_is_the_alert_once(
    outbox: RequestStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    stored = outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    later = NOW + timedelta(hours=1)
    assert send_alerts(outbox, THRESHOLD, later) == 1
    assert send_alerts(outbox, THRESHOLD, later) == 0
    assert [r.levelname for r in caplog.records if stored.reference in r.getMessage()] == ["ERROR"]


def test_outbox_gauges_and_readiness(tmp_path: Path) -> None:
    outbox = open_outbox(RequestSettings.from_env({"OUTBOX_DB": str(tmp_path / "o.db")}))
    outbox.submit("key-1", "deletion", DETAILS, "rest", now=NOW)
    registry = CollectorRegistry()
    registry.register(OutboxCollector(lambda: outbox))
    page = generate_latest(registry).decode()
    assert 'jessops_outbox_requests{kind="deletion",status="pending"} 1.0' in page
    assert "jessops_outbox_up 1.0" in page
    age = registry.get_sample_value("jessops_outbox_oldest_pending_seconds")
    assert age >= (datetime.now(timezone.utc) - NOW).total_seconds() - 1
    assert outbox_reachable(lambda: outbox)


def unreachable() -> RequestStore:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    return open_outbox(RequestSettings.from_env({"DATABASE_URL": url}))


def test_an_unreachable_outbox_is_not_ready_and_reads_as_down() -> None:
    assert not outbox_reachable(unreachable)
    registry = CollectorRegistry()
    registry.register(OutboxCollector(unreachable))
    assert registry.get_sample_value("jessops_outbox_up") == 0


def test_labels_take_only_known_values() -> None:
    assert known("rest", CHANNELS) == "rest"
    assert known("Jane Doe <jane@example.com>", CHANNELS) == "other"


def test_the_review_page_needs_the_monitors_token(tmp_path: Path) -> None:
    store = open_outbox(RequestSettings.from_env({"OUTBOX_DB": str(tmp_path / "o.db")}))
    serve = handler(CollectorRegistry(), lambda: store, "t0ken", lambda: b"<p>the week</p>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), serve)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/review"
    try:
        assert requests.get(url, timeout=5).status_code == 401
        wrong = {"Authorization": "Bearer guess"}
        assert requests.get(url, headers=wrong, timeout=5).status_code == 401
        page = requests.get(url, headers={"Authorization": "Bearer t0ken"}, timeout=5)
        assert page.status_code == 200 and page.text == "<p>the week</p>"
        assert page.headers["Content-Type"].startswith("text/html")
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_set_token_one_is_made_for_the_operator(tmp_path: Path) -> None:
    settings = MonitorSettings.from_env({"VAR_DIR": str(tmp_path)})
    token = monitor_token(settings)
    assert len(token) >= 32 and monitor_token(settings) == token
    assert (tmp_path / "monitor.token").stat().st_mode & 0o777 == 0o600
    assert monitor_token(MonitorSettings.from_env({"MONITOR_TOKEN": "set"})) == "set"
