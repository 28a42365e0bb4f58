"""The feedback store on both databases: a rating kept once per answer, a comment once,
rows purged by age and forgotten by id."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from feedback import DOWN, UP, Feedback, FeedbackStore, open_feedback
from settings import FeedbackSettings

NOW = datetime(2026, 12, 7, 12, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FeedbackStore:
    database_url = request.getfixturevalue("database_url") if request.param != "sqlite" else ""
    environ = {"FEEDBACK_DB": str(tmp_path / "feedback.db"), "DATABASE_URL": database_url}
    return open_feedback(FeedbackSettings.from_env(environ))


def rated(feedback_id: str, rating: str = DOWN, at: datetime = NOW) -> Feedback:
    return Feedback(
        id=feedback_id,
        given_at=at,
        rating=rating,
        question="do you sell my data?",
        clause="sharing-1",
        section="Sharing",
        verdict="answer",
        score=0.91,
    )


def test_a_rating_is_kept_with_its_answer_and_a_second_click_replaces_it(
    store: FeedbackStore,
) -> None:
    store.rate(rated("a1", UP))
    store.rate(rated("a1", DOWN, NOW + timedelta(seconds=5)))
    [kept] = store.since(NOW - timedelta(days=1))
    assert (kept.id, kept.rating, kept.clause, kept.verdict) == ("a1", DOWN, "sharing-1", "answer")
    assert kept.score == pytest.approx(0.91) and kept.given_at == NOW + timedelta(seconds=5)


def test_a_comment_is_kept_once(store: FeedbackStore) -> None:
    store.rate(rated("a1"))
    assert store.comment("a1", "who you share it with")
    assert not store.comment("a1", "a second message")
    assert [f.comment for f in store.since(NOW - timedelta(days=1))] == ["who you share it with"]


def test_purge_by_age_and_forget_by_id(store: FeedbackStore) -> None:
    store.rate(rated("old", at=NOW - timedelta(days=40)))
    store.rate(rated("mine", at=NOW))
    store.rate(rated("theirs", at=NOW))
    assert store.delete_before(NOW - timedelta(days=30)) == 1
    assert store.forget(["mine", "unknown"]) == 1
    assert [f.id for f in store.since(NOW - timedelta(days=400))] == ["theirs"]
