"""A store on a PostgreSQL server, shared by every server of ``make cluster``.

One connection per operation: the servers work between long waits (SMTP, customers), so a
held connection would mostly sit idle and count against the server's connection limit.
Opening a store touches the schema only when something in it is missing: ``CREATE INDEX
IF NOT EXISTS`` and ``ALTER TABLE`` lock their table even when they change nothing, and
deadlocked with the outbox's relay claims (make loadtest: 7-14 requests a run refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from storage import Database, StoreUnavailable

CONNECT_TIMEOUT_S = 10
# One round trip: which of the schema's tables and indexes do not exist.
_ABSENT = "SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL"


def relations(schema: str) -> list[str]:
    """The tables and indexes a schema creates."""
    return re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", schema)


class PostgresDatabase(Database):
    """The connection and dialect of a PostgreSQL database at ``self.url``."""

    url: str
    unavailable: type[StoreUnavailable] = StoreUnavailable
    _lock = "\n    FOR UPDATE SKIP LOCKED"

    def _value(self, value: object) -> object:
        if isinstance(value, dict):
            return Jsonb(value, dumps=lambda d: json.dumps(d, ensure_ascii=False))
        return value

    @staticmethod
    def _absent(db: psycopg.Connection, schema: str) -> list[str]:
        rows = db.execute(_ABSENT, (relations(schema),)).fetchall()
        return [row["name"] for row in rows]

    def _create(self, schema: str, lock_name: str) -> None:
        """Create the schema's missing tables, one server at a time (``lock_name``)."""
        with self._transaction() as db:
            if self._absent(db, schema):
                db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock_name,))
                db.execute(schema)

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        try:
            with psycopg.connect(
                self.url, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S
            ) as db:
                yield db
        except psycopg.Error as error:
            raise self.unavailable(type(error).__name__) from error
