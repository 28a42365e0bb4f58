"""A store in a SQLite file: one connection per operation, one writer at a time.

``synchronous=FULL``: what a store wrote survives a power cut before anyone is told.
Times are kept as ISO text in one fixed format, so they compare correctly as text in
SQL; JSON as text. Deleted rows are overwritten on disk (``secure_delete``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from storage import Database

_NAMED = re.compile(r"%\((\w+)\)s")


def stamp(moment: datetime) -> str:
    """One fixed ISO format, so stamps compare correctly as text in SQL."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


class SqliteDatabase(Database):
    """The connection and dialect of a SQLite file at ``self.path``."""

    path: Path

    def _sql(self, query: str) -> str:
        """psycopg's ``%(name)s`` as SQLite's ``:name``."""
        return _NAMED.sub(r":\1", query)

    def _value(self, value: object) -> object:
        if isinstance(value, datetime):
            return stamp(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def _before_delete(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA secure_delete=ON")

    def _create(self, schema: str) -> None:
        """Make the file and its tables if missing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(schema)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a stored row survives a power cut
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
