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
from settings import PROJECT_ROOT, RetentionSettings
from stores.retention import forget, purge
from tests.support.stored_events import events

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
DAY = 86_400.0

# The columns Rasa's SQL tracker store creates (rasa.core.tracker_store.SQLTrackerStore).
EVENTS_TABLE = """CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


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
    env = {"TRACKER_DB": str(settings.tracker_db), "OUTBOX_DB": str(settings.outbox_db)}

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "stores.retention", *args],
            env={"PYTHONPATH": str(PROJECT_ROOT), **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "deleted 1 events" in run("forget", "carol")
    run("purge")
    assert events(settings.tracker_db, "carol") == [] and events(settings.tracker_db, "dave") == []
