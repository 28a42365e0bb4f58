"""The notice of a stored data request, posted to a fake Slack Web API."""

from __future__ import annotations

import logging

import pytest

from data_requests.notices import notify_request_stored
from stack.ports import free_port
from tests.support.fake_slack import SUPPORT_CHANNEL, FakeSlack, notice_env


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack) -> pytest.MonkeyPatch:
    for name, value in notice_env(fake_slack.url).items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def notices(fake: FakeSlack) -> list[str]:
    return [p["text"] for p in fake.posts_in(SUPPORT_CHANNEL, None)]  # notices start no thread


def test_notice_names_type_and_reference_only(slack_env: object, fake_slack: FakeSlack) -> None:
    notify_request_stored("deletion", "REQ-7F3K2")
    assert "New data request: deletion, reference REQ-7F3K2" in notices(fake_slack)


def test_notice_is_not_sent_when_slack_is_off(
    slack_env: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    slack_env.setenv("SLACK_BOT_TOKEN", "")
    notify_request_stored("deletion", "REQ-OFF")
    assert not any("REQ-OFF" in text for text in notices(fake_slack))


@pytest.mark.parametrize("failure", ["unreachable", "refused"])
def test_failed_notice_is_logged_not_raised(
    slack_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    if failure == "unreachable":
        slack_env.setenv("SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")
    else:
        slack_env.setenv("SLACK_CHANNEL", "C0ARCHIVED")  # Slack answers channel_not_found
    with caplog.at_level(logging.WARNING, logger="data_requests.notices"):
        notify_request_stored("correction", "REQ-FAIL1")
    [record] = [r for r in caplog.records if r.name == "data_requests.notices"]
    assert record.levelno == logging.WARNING and "REQ-FAIL1" in record.getMessage()
    assert "New data request" not in record.getMessage()
