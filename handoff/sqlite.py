"""Handoffs in a SQLite file: ``make run``, where the action server and the one Rasa
server share a machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handoff.records import Handoff
from storage import moment
from storage.sqlite import SqliteDatabase

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    sender TEXT PRIMARY KEY,
    thread_ts TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0
);
"""


def _handoff(row: Any) -> Handoff | None:
    if row is None:
        return None
    return Handoff(row["sender"], row["thread_ts"], moment(row["started_at"]), bool(row["taken"]))


class SqliteHandoffs(SqliteDatabase):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._create(SCHEMA)

    def start(self, handoff: Handoff) -> None:
        with self._transaction() as db:
            self._execute(db, "DELETE FROM handoffs WHERE sender = %(s)s", {"s": handoff.sender})
            self._execute(
                db,
                "INSERT INTO handoffs (sender, thread_ts, started_at, taken)"
                " VALUES (%(s)s, %(t)s, %(at)s, %(taken)s)",
                {
                    "s": handoff.sender,
                    "t": handoff.thread_ts,
                    "at": handoff.started_at,
                    "taken": int(handoff.taken),
                },
            )

    def by_sender(self, sender: str) -> Handoff | None:
        rows = self._rows("SELECT * FROM handoffs WHERE sender = %(s)s", {"s": sender})
        return _handoff(rows[0] if rows else None)

    def by_thread(self, thread_ts: str) -> Handoff | None:
        rows = self._rows("SELECT * FROM handoffs WHERE thread_ts = %(t)s", {"t": thread_ts})
        return _handoff(rows[0] if rows else None)

    def take(self, sender: str) -> None:
        with self._transaction() as db:
            self._execute(db, "UPDATE handoffs SET taken = 1 WHERE sender = %(s)s", {"s": sender})

    def end(self, sender: str) -> Handoff | None:
        rows = self._rows("DELETE FROM handoffs WHERE sender = %(s)s RETURNING *", {"s": sender})
        return _handoff(rows[0] if rows else None)
