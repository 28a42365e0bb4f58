"""Operations end to end: the metrics move during a conversation and a request, the mail
server being down raises exactly one alert per cause in the support channel, and no
label or alert carries what the customer said."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from data_requests.outbox import Outbox
from stack.ports import free_port
from stack.processes import (
    ACTION_LIVE_PATH,
    ACTION_READY_PATH,
    MONITOR_LIVE_PATH,
    MONITOR_READY_PATH,
    RASA_LIVE_PATH,
    RASA_READY_PATH,
    Stack,
)
from stack.rest_client import converse, new_sender, reference_in
from tests.support.fake_slack import SUPPORT_CHANNEL, FakeSlack, notice_env
from tests.support.metrics import scrape, scrape_when, value, wait_for
from tests.support.smtp_servers import ScriptedHandler, smtp_server, wait_for_mail
from tests.support.stacks import new_stack

pytestmark = pytest.mark.e2e

QUESTION = "Do you keep my card details?"
REQUEST = ["stop sending me marketing emails", "Kim Park", "kim.park@example.com", "yes"]
PERSONAL = ("Kim Park", "kim.park@example.com", "card details", "marketing emails")
# The monitor announces a request pending this long (0.05 minutes: 3 s) and looks often.
ALERT_AFTER = {"ALERT_PENDING_MINUTES": "0.05", "MONITOR_POLL_SECONDS": "0.2"}
# Several monitor rounds: long enough for a repeated alert to have shown up.
QUIET_ROUNDS_S = 2.0


@pytest.fixture(scope="module")
def smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def ops_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack, smtp_port: int
) -> Iterator[Stack]:
    """A stack whose mail server the test starts and stops, with Slack notices on the fake
    API and the metrics on a free port."""
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "METRICS_PORT": str(free_port()),
        **notice_env(fake_slack.url),
        "RELAY_BACKOFF_MAX_SECONDS": "0.5",
        **ALERT_AFTER,
    }
    with new_stack(tmp_path_factory, env) as running:
        yield running


def alerts_about(fake: FakeSlack, reference: str) -> list[str]:
    posts = fake.posts_in(SUPPORT_CHANNEL, None)
    return [p["text"] for p in posts if reference in p["text"] and "needs attention" in p["text"]]


def test_metrics_and_alerts_follow_a_request_through_a_mail_outage(
    ops_stack: Stack, fake_slack: FakeSlack, smtp_port: int, tmp_path: Path
) -> None:
    url = ops_stack.settings.monitor.metrics_url
    before = scrape(url)
    webhook = ops_stack.settings.rest_webhook
    assert "From our privacy policy" in converse(webhook, [QUESTION], new_sender("ops"))[0]
    reference = reference_in(converse(webhook, REQUEST, new_sender("ops"))[-1])

    # The mail server is down: the request waits, its age grows, one alert goes out.
    waiting = scrape_when(url, "jessops_relay_deliveries_total", lambda n: n > 0, outcome="retry")
    opt_out = {"kind": "marketing_opt_out"}
    assert value(waiting, "jessops_outbox_requests", **opt_out, status="pending") == 1
    first_age = value(waiting, "jessops_outbox_oldest_pending_seconds")
    wait_for(
        lambda: value(scrape(url), "jessops_outbox_oldest_pending_seconds") > first_age,
        "pending age growing",
    )
    [stuck] = wait_for(lambda: alerts_about(fake_slack, reference), "the pending alert")
    assert "not been sent" in stuck
    time.sleep(QUIET_ROUNDS_S)  # a repeat cannot be polled for: let the monitor go round
    assert len(alerts_about(fake_slack, reference)) == 1

    # The mail server refuses it: failed, one more alert, then re-queued and sent.
    handler = ScriptedHandler(tmp_path / "mail", ["554 5.7.1 Rejected"], only_to="cs@jessops.com")
    with smtp_server(handler, smtp_port):
        wait_for(lambda: len(alerts_about(fake_slack, reference)) == 2, "the failure alert")
        failed = scrape(url)
        assert value(failed, "jessops_outbox_requests", **opt_out, status="failed") == 1
        assert value(failed, "jessops_relay_deliveries_total", outcome="failed") == 1
        assert Outbox(ops_stack.settings.paths.outbox_db).requeue(reference)
        wait_for_mail(tmp_path / "mail", reference, "cs@jessops.com")
    after = scrape_when(url, "jessops_relay_deliveries_total", lambda n: n == 1, outcome="sent")
    assert value(after, "jessops_outbox_requests", **opt_out, status="pending") == 0
    assert value(after, "jessops_outbox_oldest_pending_seconds") == 0

    moved = [
        ("jessops_messages_total", {"channel": "rest"}, len(REQUEST) + 1),
        ("jessops_replies_total", {"kind": "quote"}, 1),
        ("jessops_requests_submitted_total", opt_out, 1),
        ("jessops_outbox_requests", {**opt_out, "status": "sent"}, 1),
        ("jessops_policy_answer_seconds_count", {}, 1),
        ("jessops_turn_seconds_count", {"channel": "rest"}, len(REQUEST) + 1),
    ]
    for name, labels, increase in moved:
        assert value(after, name, **labels) - value(before, name, **labels) >= increase, name
    texts = requests.get(url, timeout=10).text + "\n".join(alerts_about(fake_slack, reference))
    assert not any(word in texts for word in PERSONAL)
    assert len(alerts_about(fake_slack, reference)) == 2


def test_every_server_is_live_and_ready(ops_stack: Stack) -> None:
    """The checks `make run` waits on and HAProxy uses, on each server that listens."""
    settings = ops_stack.settings
    monitor = settings.monitor.metrics_url.removesuffix("/metrics")
    for base, live, ready in (
        (settings.rasa_url, RASA_LIVE_PATH, RASA_READY_PATH),
        (settings.action_url, ACTION_LIVE_PATH, ACTION_READY_PATH),
        (monitor, MONITOR_LIVE_PATH, MONITOR_READY_PATH),
    ):
        assert requests.get(f"{base}{live}", timeout=10).status_code == 200, base
        answer = requests.get(f"{base}{ready}", timeout=10)
        assert answer.status_code == 200 and "ready" in answer.text, base
