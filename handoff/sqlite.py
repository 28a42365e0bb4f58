"""Handoffs in a SQLite file: ``make run``, where the action server and the one Rasa
server share a machine. A handoff older than ``LASTS`` is over, as in Redis: it is not
found, and the next one started removes it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handoff.records import LASTS, Handoff, utc_now
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
            self._execute(
                db,
                "DELETE FROM handoffs WHERE sender = %(s)s OR started_at < %(over)s",
                {"s": handoff.sender, "over": utc_now() - LASTS},
            )
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
        return self._current("sender", sender)

    def by_thread(self, thread_ts: str) -> Handoff | None:
        return self._current("thread_ts", thread_ts)

    def _current(self, column: str, value: str) -> Handoff | None:
        """The handoff under way whose ``column`` (a name of this module's) is ``value``."""
        rows = self._rows(
            f"SELECT * FROM handoffs WHERE {column} = %(v)s AND started_at >= %(over)s",
            {"v": value, "over": utc_now() - LASTS},
        )
        return _handoff(rows[0] if rows else None)

    def take(self, sender: str) -> None:
        with self._transaction() as db:
            self._execute(db, "UPDATE handoffs SET taken = 1 WHERE sender = %(s)s", {"s": sender})

    def end(self, sender: str) -> Handoff | None:
        rows = self._rows("DELETE FROM handoffs WHERE sender = %(s)s RETURNING *", {"s": sender})
        return _handoff(rows[0] if rows else None)
