"""What the Rasa server stored, read straight from its SQLite tracker store."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any


def events(tracker_db: Path, sender: str) -> list[dict[str, Any]]:
    """Every event of ``sender``'s conversation, oldest first; [] if it has none."""
    with closing(sqlite3.connect(tracker_db)) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def user_texts(tracker_db: Path, sender: str) -> list[str]:
    return [e["text"] for e in events(tracker_db, sender) if e["event"] == "user"]
