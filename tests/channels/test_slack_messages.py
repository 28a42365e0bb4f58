"""What the Slack connector decides about a delivery, without a Rasa server."""

from __future__ import annotations

import pytest

from channels.slack_messages import (
    RecentKeys,
    button_blocks,
    escape_mrkdwn,
    is_person_writing,
    message_key,
)


def test_markup_characters_are_escaped_and_nothing_else() -> None:
    assert (
        escape_mrkdwn("<@U1> & <!channel> 5 > 3") == "&lt;@U1&gt; &amp; &lt;!channel&gt; 5 &gt; 3"
    )
    assert escape_mrkdwn("Jessops’ policy: *cookies*") == "Jessops’ policy: *cookies*"


def test_one_message_has_one_key_whichever_event_brings_it() -> None:
    message = {"event": {"type": "message", "channel": "C1", "ts": "17.000100"}}
    mention = {"event": {"type": "app_mention", "channel": "C1", "ts": "17.000100"}}
    assert message_key(message) == message_key(mention) == "C1/17.000100"
    assert message_key({"event": {"channel": "C1", "ts": "17.000200"}}) != "C1/17.000100"


@pytest.mark.parametrize("payload", [{}, {"event": None}, {"event": {"channel": "C1"}}])
def test_a_payload_without_a_message_has_no_key(payload: dict) -> None:
    assert message_key(payload) is None


@pytest.mark.parametrize(
    ("subtype", "person"),
    [
        (None, True),
        ("thread_broadcast", True),
        ("file_share", True),
        ("channel_join", False),
        ("message_changed", False),
        ("bot_message", False),
    ],
)
def test_only_people_writing_are_questions(subtype: str | None, person: bool) -> None:
    event = {"type": "message", "text": "hi"} | ({"subtype": subtype} if subtype else {})
    assert is_person_writing({"event": event}) is person


def test_recent_keys_remember_each_key_once_and_forget_the_oldest() -> None:
    keys = RecentKeys(size=2)
    assert keys.first_time("a") and keys.first_time("b")
    assert not keys.first_time("a")
    assert keys.first_time("c")  # "a" is now the oldest beyond the bound
    assert keys.first_time("a") and not keys.first_time("c")


def test_feedback_buttons_are_labelled_for_screen_readers() -> None:
    buttons = [
        {"title": "👍 Helpful", "payload": '/feedback_up{"feedback_id":"x"}'},
        {"title": "👎 Not helpful", "payload": '/feedback_down{"feedback_id":"x"}'},
    ]
    section, actions = button_blocks('From our policy:\n\n"<quote>"', buttons)
    assert section["text"] == {"type": "plain_text", "text": 'From our policy:\n\n"<quote>"'}
    assert [e["accessibility_label"] for e in actions["elements"]] == [
        "This answer was helpful",
        "This answer was not helpful",
    ]
    assert actions["elements"][1]["value"] == '/feedback_down{"feedback_id":"x"}'
