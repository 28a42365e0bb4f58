"""Rasa's tracker store read and changed outside Rasa: its ``events`` table.

Retention deletes from it and the review reads it, with the standard library only on
SQLite (deleted rows overwritten on disk, the write-ahead log emptied after), and
psycopg on PostgreSQL (``DATABASE_URL``; ``events`` vacuumed after a change).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

# Copies every page of the log into the database and truncates the log, so values just
# masked or deleted leave no copy in it (a no-op without the log).
EMPTY_THE_LOG = "PRAGMA wal_checkpoint(TRUNCATE)"
# Where the conversations are: the SQLite file, or a postgresql:// URL.
TrackerLocation = Path | str
_SQLITE_PARAMETER, _POSTGRES_PARAMETER = "?", "%s"
# A slot's events carry the slot's name where an action's carry the action's.
_SLOT_EVENTS = (
    "SELECT sender_id, timestamp, data FROM events"
    " WHERE type_name = 'slot' AND action_name = {p} AND timestamp >= {p}{sender}"
    " ORDER BY id"
)


@contextmanager
def sqlite_tracker_db(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to the tracker store in one transaction; None when Rasa has not
    created it yet (nothing to read or delete, and no empty file made)."""
    if not path.exists():
        yield None
        return
    with closing(sqlite3.connect(path, timeout=30)) as db:
        tables = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchall()
        db.execute("PRAGMA secure_delete=ON")
        with db:
            yield db if tables else None
        db.execute(EMPTY_THE_LOG)  # deleted rows leave no copy in the write-ahead log


@contextmanager
def postgres_tracker_db(url: str, vacuum: bool = True) -> Iterator[Any]:
    """The same on PostgreSQL; afterwards ``events`` is vacuumed (outside the transaction),
    so deleted rows' space is reclaimed rather than left until autovacuum comes."""
    import psycopg

    with psycopg.connect(url) as db:
        created = db.execute("SELECT to_regclass('events')").fetchone()[0]
        yield db if created else None
    if created and vacuum:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("VACUUM events")


@contextmanager
def tracker_db(where: TrackerLocation, changes: bool = True) -> Iterator[tuple[Any, str]]:
    """A connection to the conversations (None if there are none yet) and the SQL
    parameter marker of its driver; ``changes=False`` for a read (no vacuum)."""
    if isinstance(where, Path):
        with sqlite_tracker_db(where) as db:
            yield db, _SQLITE_PARAMETER
    else:
        with postgres_tracker_db(where, vacuum=changes) as db:
            yield db, _POSTGRES_PARAMETER


def slot_values(
    where: TrackerLocation, slot: str, since: float = 0.0, sender: str | None = None
) -> list[tuple[str, float, Any]]:
    """Every value ``slot`` was set to since ``since`` (a Unix time), oldest first: the
    sender, the time and the value; one sender's only when ``sender`` is given."""
    with tracker_db(where, changes=False) as (db, p):
        if db is None:
            return []
        query = _SLOT_EVENTS.format(p=p, sender=f" AND sender_id = {p}" if sender else "")
        args = (slot, since, sender) if sender else (slot, since)
        rows = db.execute(query, args).fetchall()
    return [(row[0], row[1], json.loads(row[2]).get("value")) for row in rows]
