"""Message size and rate limits per sender: over REST and the widget's socket on a stack
with small limits, and over Slack with the default ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import socketio

from stack.processes import Stack
from stack.rest_client import TIMEOUT_S, new_sender, reply_text
from tests.support.fake_slack import SUPPORT_CHANNEL, FakeSlack
from tests.support.slack_events import ask
from tests.support.stacks import new_stack
from tests.support.stored_events import user_texts

pytestmark = pytest.mark.e2e

MAX_CHARS = 120
PER_WINDOW = 3


@pytest.fixture(scope="module")
def limited_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {
        "MAX_MESSAGE_CHARS": str(MAX_CHARS),
        "RATE_LIMIT_MESSAGES": str(PER_WINDOW),
        "RATE_LIMIT_WINDOW_SECONDS": "600",
    }
    with new_stack(tmp_path_factory, env) as running:
        yield running


def test_a_message_over_the_size_limit_never_reaches_the_dialogue(limited_stack: Stack) -> None:
    sender = new_sender("big")
    reply = reply_text(limited_stack.settings.rest_webhook, sender, "Do you sell my data? " * 20)
    assert "too long" in reply and str(MAX_CHARS) in reply
    assert user_texts(limited_stack.settings.paths.tracker_db, sender) == []


def test_a_sender_past_the_rate_limit_is_asked_to_wait_others_are_not(
    limited_stack: Stack,
) -> None:
    webhook = limited_stack.settings.rest_webhook
    sender = new_sender("fast")
    replies = [reply_text(webhook, sender, f"Do you sell my data? ({i})") for i in range(5)]
    assert all("faster than I can answer" not in r for r in replies[:PER_WINDOW])
    assert all("faster than I can answer" in r for r in replies[PER_WINDOW:])
    assert len(user_texts(limited_stack.settings.paths.tracker_db, sender)) == PER_WINDOW
    other = reply_text(webhook, new_sender("calm"), "Do you sell my data?")
    assert "From our privacy policy" in other


def test_slack_gets_the_same_size_limit_in_the_thread(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    """Every channel goes through the same guard: here Slack, with the default limit."""
    ts = ask(secured_stack, "Do you sell my data? " * 100)  # 2100 characters
    [reply] = fake_slack.wait_for_posts(SUPPORT_CHANNEL, ts)
    assert "too long" in reply["text"] and "2000" in reply["text"]


def test_the_widget_socket_gets_the_same_limits(limited_stack: Stack) -> None:
    session = new_sender("widget")
    with socketio.SimpleClient() as socket:
        socket.connect(limited_stack.settings.rasa_url, transports=["polling"])
        socket.emit("session_request", {"session_id": session})
        assert socket.receive(timeout=TIMEOUT_S) == ["session_confirm", session]
        socket.emit("user_uttered", {"message": "x" * (MAX_CHARS + 1), "session_id": session})
        event, reply = socket.receive(timeout=TIMEOUT_S)
    assert event == "bot_uttered" and "too long" in reply["text"]
    assert user_texts(limited_stack.settings.paths.tracker_db, session) == []
