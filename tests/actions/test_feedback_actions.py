"""👍 / 👎 on answers, run on small trackers: what is kept, and what never is."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions import feedback as feedback_actions
from actions import policy_answers
from feedback import DOWN, UP, FeedbackStore, open_feedback
from feedback.answers import ANSWER_SLOT, QUOTE, AnswerRecord
from knowledge.answering.pipeline import Pipeline
from settings import NLU_DATA, FeedbackSettings
from tests.support.trackers import run, tracker

CARD = "4111 1111 1111 1111"
NAME, EMAIL, PHONE = "Jane Doe", "jane.doe@example.com", "07700 900123"
# A request's details, as the form's slot events hold them in the conversation.
REQUEST = [
    {"event": "slot", "name": "full_name", "value": NAME},
    {"event": "slot", "name": "email", "value": EMAIL},
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FeedbackStore:
    opened = open_feedback(FeedbackSettings.from_env({"FEEDBACK_DB": str(tmp_path / "f.db")}))
    monkeypatch.setattr(feedback_actions, "store", lambda: opened)
    return opened


def rating(intent: str, feedback_id: str | None, *records: AnswerRecord) -> Tracker:
    """The click of a feedback button after ``records`` were answered."""
    track = tracker(f"/{intent}", intent=intent)
    if feedback_id:
        track.latest_message["entities"] = [{"entity": "feedback_id", "value": feedback_id}]
    answers = [{"event": "slot", "name": ANSWER_SLOT, "value": r.as_slot()} for r in records]
    track.events = [*REQUEST, *answers, *track.events]
    return track


def record(feedback_id: str, question: str) -> AnswerRecord:
    return AnswerRecord(feedback_id, question, QUOTE, "answer", "security-2", "Security", 0.93)


def test_a_quote_carries_helpful_and_not_helpful_buttons_and_is_recorded(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy_answers, "pipeline", lambda: pipeline)
    track = tracker(f"Is my payment encrypted? I'm {NAME}")
    track.events = [*REQUEST, *track.events]
    messages, events = run(policy_answers.ActionAnswerPolicy(), track)
    [quote] = messages
    [answer] = [e["value"] for e in events if e.get("name") == ANSWER_SLOT]
    assert answer["clause"] == "security-2" and answer["kind"] == QUOTE
    assert NAME not in answer["question"] and "J*** D**" in answer["question"]
    titles = [(b["title"], b["payload"]) for b in quote["buttons"]]
    fid = answer["feedback_id"]
    assert titles == [
        ("👍 Helpful", f'/feedback_up{{"feedback_id":"{fid}"}}'),
        ("👎 Not helpful", f'/feedback_down{{"feedback_id":"{fid}"}}'),
    ]


def test_no_feedback_buttons_while_a_request_is_taken(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy_answers, "pipeline", lambda: pipeline)
    track = tracker("Is my payment encrypted?", active_loop="data_request_form")
    messages, _ = run(policy_answers.ActionAnswerPolicy(), track)
    assert not messages[0].get("buttons")


def test_a_thumbs_up_rates_the_answer_its_button_names(store: FeedbackStore) -> None:
    first, second = record("f1", "is my card safe?"), record("f2", "do you use cookies?")
    counted = REGISTRY.get_sample_value("jessops_feedback_total", {"rating": "up"}) or 0
    messages, events = run(
        feedback_actions.ActionRateAnswer(), rating("feedback_up", "f1", first, second)
    )
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"] and events == []
    assert REGISTRY.get_sample_value("jessops_feedback_total", {"rating": "up"}) == counted + 1
    [kept] = store.since(first_moment())
    assert (kept.id, kept.rating, kept.question, kept.clause) == (
        "f1",
        UP,
        "is my card safe?",
        "security-2",
    )


def test_a_thumbs_down_awaits_a_comment_and_keeps_it_redacted(store: FeedbackStore) -> None:
    asked = record("f1", f"{NAME} here, is {CARD} kept, mail me at {EMAIL}")
    messages, events = run(
        feedback_actions.ActionRateAnswer(), rating("feedback_down", "f1", asked)
    )
    assert messages == [] and events == [SlotSet("feedback_comment_for", "f1")]
    comment = tracker(
        "x", slots={"feedback_comment_for": "f1", "feedback_comment": f"ring {PHONE}, card {CARD}"}
    )
    comment.events = [*REQUEST, *comment.events]
    messages, events = run(feedback_actions.ActionKeepFeedbackComment(), comment)
    assert [m["response"] for m in messages] == ["utter_feedback_comment_thanks"]
    assert SlotSet("feedback_comment_for", None) in events
    [kept] = store.since(first_moment())
    assert kept.rating == DOWN and kept.comment == "ring ***** ******, card **** **** **** 1111"
    stored = Path(store.path).read_bytes()
    for secret in (NAME, EMAIL, PHONE, CARD, "jane.doe"):
        assert secret.encode() not in stored, secret


def test_a_rating_of_an_unknown_answer_stores_nothing(store: FeedbackStore) -> None:
    messages, _ = run(feedback_actions.ActionRateAnswer(), rating("feedback_up", "forged"))
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"]
    assert store.since(first_moment()) == []


def first_moment() -> datetime:
    """Long before any test's rating."""
    return datetime(2000, 1, 1, tzinfo=timezone.utc)


def test_typed_feedback_shares_no_word_with_yes_no_or_that_didnt_help() -> None:
    """ "👍 yes" once taught the classifier that "yes" at a request's summary was a rating."""
    examples: dict[str, set[str]] = {}
    for path in NLU_DATA.glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                words = {w for line in block["examples"].splitlines() for w in line.lower().split()}
                examples.setdefault(block["intent"], set()).update(words - {"-"})
    typed = examples["feedback_up"] | examples["feedback_down"]
    for intent in ("affirm", "deny", "wrong_answer", "stop"):
        assert not typed & examples[intent], (intent, typed & examples[intent])
