"""Asking for a person, run on small trackers: which route each channel and hour gets,
and what happens when nobody answers in time."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff as handoff_actions
from feedback.answers import ANSWER_SLOT, PERSON, PERSON_SLOT, AnswerRecord
from handoff.records import Handoff
from handoff.sqlite import SqliteHandoffs
from tests.support.trackers import run, tracker

SLACK = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C0SUPPORT"}
STARTED = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def posts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str | None]]:
    """Slack on, the handoffs in a file of the test's own; what would go to Slack."""
    for name, value in {**SLACK, "VAR_DIR": str(tmp_path), "SUPPORT_HOURS": "always"}.items():
        monkeypatch.setenv(name, value)
    sent: list[tuple[str, str | None]] = []

    def post(settings: object, text: str, thread_ts: str | None = None, blocks: object = None):
        sent.append((text, thread_ts))
        return "200.000001"

    monkeypatch.setattr(handoff_actions, "post", post)
    return sent


def asking(channel: str) -> Tracker:
    track = tracker("can I talk to a person", intent="ask_for_person", sender="widget-1")
    track.events[0]["input_channel"] = channel
    return track


def closed_count() -> float:
    return REGISTRY.get_sample_value("jessops_handoffs_total", {"outcome": "closed"}) or 0


def test_outside_hours_the_email_route_and_a_callback(
    posts: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPORT_HOURS", "Mon 09:00-09:01 UTC")
    monkeypatch.setattr(handoff_actions, "utc_now", lambda: STARTED)  # a Monday at 10:00
    before = closed_count()
    messages, events = run(handoff_actions.ActionHandOff(), asking("socketio"))
    assert closed_count() == before + 1
    assert [m["response"] for m in messages] == ["utter_handoff_closed"]
    assert messages[0]["hours"] == "Monday, 09:00 to 09:01 UTC"
    assert (events[1:], posts) == ([], [])


def test_rest_is_told_handoff_is_a_widget_feature(posts: list) -> None:
    messages, events = run(handoff_actions.ActionHandOff(), asking("rest"))
    assert [m["response"] for m in messages] == ["utter_handoff_widget_only"]
    assert (events[1:], posts) == ([], [])


def test_without_slack_the_widget_gets_the_other_routes(
    posts: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CHANNEL", "")
    messages, _ = run(handoff_actions.ActionHandOff(), asking("socketio"))
    assert [m["response"] for m in messages] == ["utter_handoff_unavailable"]


def test_the_widget_gets_a_thread_and_a_reminder(posts: list, tmp_path: Path) -> None:
    messages, events = run(handoff_actions.ActionHandOff(), asking("socketio"))
    assert [m["response"] for m in messages] == ["utter_handoff_started"]
    assert messages[0]["minutes"] == "5"
    [(opening, thread)] = posts
    assert thread is None and opening.endswith("Customer: can I talk to a person")
    [_, reminder] = events
    assert reminder["event"] == "reminder" and reminder["intent"] == "EXTERNAL_handoff_unanswered"
    assert SqliteHandoffs(tmp_path / "handoff.db").by_sender("widget-1").thread_ts == "200.000001"


def test_every_ask_is_recorded_with_the_question_before_it_for_the_review(posts: list) -> None:
    # Asked first: the ask itself, masked. After an answer: that answer's question and clause.
    _, [first, *_] = run(handoff_actions.ActionHandOff(), asking("rest"))
    assert first["name"] == PERSON_SLOT and first["value"]["question"] == "can I talk to a person"
    answered = asking("socketio")
    record = AnswerRecord("f-1", "who sees my card number", "does_not_say", "", "security-2")
    answered.events.insert(0, {"event": "slot", "name": ANSWER_SLOT, "value": record.as_slot()})
    _, [after, *_] = run(handoff_actions.ActionHandOff(), answered)
    asked = AnswerRecord.from_slot(after["value"])
    assert (asked.kind, asked.question, asked.clause) == (PERSON, record.question, "security-2")


def test_nobody_answering_ends_the_wait(posts: list, tmp_path: Path) -> None:
    store = SqliteHandoffs(tmp_path / "handoff.db")
    store.start(Handoff("widget-1", "300.000001", STARTED))
    messages, _ = run(handoff_actions.ActionHandoffUnanswered(), tracker(sender="widget-1"))
    assert [m["response"] for m in messages] == ["utter_handoff_unanswered"]
    assert posts == [
        (
            "Nobody replied within 5 minutes, so the customer was offered the email route "
            "and a callback instead. Chat ended.",
            "300.000001",
        )
    ]
    assert store.by_sender("widget-1") is None


def test_a_chat_someone_answered_is_left_alone(posts: list, tmp_path: Path) -> None:
    store = SqliteHandoffs(tmp_path / "handoff.db")
    store.start(Handoff("widget-1", "300.000002", STARTED, taken=True))
    messages, _ = run(handoff_actions.ActionHandoffUnanswered(), tracker(sender="widget-1"))
    assert (messages, posts) == ([], [])
    assert store.by_sender("widget-1").taken


@pytest.mark.parametrize(("channel", "offered"), [("socketio", 1), ("rest", 0), ("slack", 0)])
def test_a_person_is_offered_after_that_didnt_help_in_the_widget_only(
    channel: str, offered: int
) -> None:
    dispatcher = CollectingDispatcher()
    handoff_actions.offer_person(dispatcher, asking(channel))
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_person"] * offered
