"""A conversation log written as Rasa's SQL tracker store writes it, for retention and
the review: its ``events`` table, with the answer records of ``feedback.answers``."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from feedback.answers import ANSWER_SLOT, AnswerRecord

# The columns Rasa's SQL tracker store creates (rasa.core.tracker_store.SQLTrackerStore).
EVENTS_TABLE = """CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def add_event(db_path: Path, sender: str, at: float, data: dict[str, Any]) -> None:
    """One event as Rasa stores it: a slot's name in ``action_name``, as for an action."""
    with closing(sqlite3.connect(db_path)) as db, db:
        db.execute(EVENTS_TABLE)
        db.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, action_name, data)"
            " VALUES (?, ?, ?, ?, ?)",
            (sender, data["event"], at, data.get("name"), json.dumps({**data, "timestamp": at})),
        )


def add_answer(
    db_path: Path, sender: str, at: datetime, record: AnswerRecord, slot_name: str = ANSWER_SLOT
) -> None:
    """A customer's message and the record of the reply to it (in ``slot_name``)."""
    add_event(db_path, sender, at.timestamp(), {"event": "user", "text": record.question})
    slot = {"event": "slot", "name": slot_name, "value": record.as_slot()}
    add_event(db_path, sender, at.timestamp() + 0.1, slot)
