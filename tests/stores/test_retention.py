"""stores.retention on real SQLite files: purge by age, forget one sender, keep the rest."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

from data_requests.outbox import Outbox
from feedback import DOWN, Feedback, open_feedback
from feedback.answers import QUOTE, AnswerRecord
from settings import PROJECT_ROOT, RetentionSettings
from stores.retention import forget, forget_customer, purge
from tests.support.conversation_log import EVENTS_TABLE, add_answer
from tests.support.stored_events import events

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
DAY = 86_400.0


def add_conversation(db_path: Path, sender: str, *ages_days: float) -> None:
    """One user event per age, in days before NOW."""
    with closing(sqlite3.connect(db_path)) as db, db:
        db.execute(EVENTS_TABLE)
        for age in ages_days:
            stamp = NOW.timestamp() - age * DAY
            data = json.dumps({"event": "user", "text": f"secret of {sender}", "timestamp": stamp})
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                " VALUES (?, 'user', ?, ?)",
                (sender, stamp, data),
            )


def settings_for(tmp_path: Path) -> RetentionSettings:
    return RetentionSettings(
        tracker_db=tmp_path / "tracker.db",
        outbox_db=tmp_path / "outbox.db",
        feedback_db=tmp_path / "feedback.db",
        conversation_days=30,
        request_days=730,
    )


def test_purge_deletes_whole_conversations_whose_last_event_is_too_old(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    add_conversation(settings.tracker_db, "old", 45, 40)
    add_conversation(settings.tracker_db, "ongoing", 90, 2)  # started long ago, still going
    add_conversation(settings.tracker_db, "new", 1)
    assert purge(settings, NOW).conversations == 1
    assert events(settings.tracker_db, "old") == []
    assert len(events(settings.tracker_db, "ongoing")) == 2 and events(settings.tracker_db, "new")
    assert b"secret of old" not in settings.tracker_db.read_bytes(), "overwritten, not unlinked"


def test_purge_keeps_requests_for_the_accountability_period_and_unsent_ones(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    outbox = Outbox(settings.outbox_db)
    old_sent = outbox.submit("k1", "deletion", {"full_name": "A"}, "rest", NOW - timedelta(800))
    outbox.mark_sent(old_sent, NOW - timedelta(799))
    recent = outbox.submit("k2", "deletion", {"full_name": "B"}, "rest", NOW - timedelta(100))
    outbox.mark_sent(recent, NOW - timedelta(99))
    old_pending = outbox.submit("k3", "deletion", {"full_name": "C"}, "rest", NOW - timedelta(800))
    assert purge(settings, NOW).requests == 1
    assert [r.reference for r in outbox.list()] == [recent.reference, old_pending.reference]


def test_forget_deletes_one_customers_conversation_only(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    add_conversation(settings.tracker_db, "alice", 1, 0)
    add_conversation(settings.tracker_db, "bob", 1)
    assert forget(settings.tracker_db, "alice") == 2
    assert events(settings.tracker_db, "alice") == [] and events(settings.tracker_db, "bob")


def test_nothing_to_purge_before_rasa_created_its_store(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert purge(settings, NOW).conversations == 0
    assert not settings.tracker_db.exists() and not settings.outbox_db.exists()


def test_command_line_forget_and_purge(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    add_conversation(settings.tracker_db, "carol", 0)
    add_conversation(settings.tracker_db, "dave", 400)
    env = {
        "TRACKER_DB": str(settings.tracker_db),
        "OUTBOX_DB": str(settings.outbox_db),
        "FEEDBACK_DB": str(settings.feedback_db),
    }

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "stores.retention", *args],
            env={"PYTHONPATH": str(PROJECT_ROOT), **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    answered(settings.tracker_db, "carol", "carol-answer", 0)
    rate(settings, "carol-answer", 0)
    assert "deleted 3 events of that conversation and 1 feedback" in run("forget", "carol")
    run("purge")
    assert events(settings.tracker_db, "carol") == [] and events(settings.tracker_db, "dave") == []


def answered(db_path: Path, sender: str, feedback_id: str, age_days: float) -> None:
    record = AnswerRecord(feedback_id, "do you sell my data?", QUOTE, "answer", "sharing-1")
    add_answer(db_path, sender, NOW - timedelta(days=age_days), record)


def rate(settings: RetentionSettings, feedback_id: str, age_days: float) -> None:
    given = NOW - timedelta(days=age_days)
    item = Feedback(
        feedback_id, given, DOWN, "do you sell my data?", "sharing-1", None, "answer", 0.9
    )
    open_feedback(settings).rate(item)


def test_forget_finds_a_customers_feedback_through_their_conversation(tmp_path: Path) -> None:
    """Feedback carries no sender: its random ids are recorded only in the conversation."""
    settings = settings_for(tmp_path)
    answered(settings.tracker_db, "alice", "alice-answer", 1)
    answered(settings.tracker_db, "bob", "bob-answer", 1)
    rate(settings, "alice-answer", 1)
    rate(settings, "bob-answer", 1)
    assert forget_customer(settings, "alice")[0] == 1
    assert events(settings.tracker_db, "alice") == []
    kept = open_feedback(settings).since(NOW - timedelta(days=400))
    assert [f.id for f in kept] == ["bob-answer"]


def test_purge_deletes_feedback_older_than_the_conversations_are_kept(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    rate(settings, "old", 31)
    rate(settings, "recent", 29)
    assert purge(settings, NOW).feedback == 1
    assert [f.id for f in open_feedback(settings).since(NOW - timedelta(days=400))] == ["recent"]
