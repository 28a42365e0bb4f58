"""One store, two databases: the SQLite file ``make run`` uses and the PostgreSQL server
``make cluster`` uses, with each store's queries written once.

Like httpx's transports, the base and each database's implementation are apart:

- :class:`Database` here runs a store's queries, written in psycopg's named style
  (``%(name)s``), through whatever connection and dialect a subclass supplies;
- ``storage.sqlite.SqliteDatabase`` and ``storage.postgres.PostgresDatabase`` supply them;
- ``storage.conversations`` opens Rasa's tracker store (its ``events`` table) on either.

The request outbox (``data_requests.outbox``) and the answer feedback
(``feedback``) are both built this way. Standard library only here; psycopg is imported
only by the PostgreSQL module, so the embedded default needs no PostgreSQL client.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any


def moment(value: str | datetime | None) -> datetime | None:
    """A stamp as SQLite keeps it (ISO text) or as PostgreSQL returns it."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class StoreUnavailable(RuntimeError):
    """A PostgreSQL store could not be reached or refused the operation (a SQLite one
    raises ``sqlite3.Error`` or ``OSError``)."""


class Database:
    """Runs named-style queries on the connection and dialect a subclass supplies."""

    _lock = ""  # what follows a claim's inner SELECT (PostgreSQL: FOR UPDATE SKIP LOCKED)

    def _transaction(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _sql(self, query: str) -> str:
        return query

    def _value(self, value: object) -> object:
        return value

    def _before_delete(self, db: Any) -> None:
        """Anything a store must do before deleting personal data (SQLite: overwrite it)."""

    def _execute(self, db: Any, query: str, args: dict[str, Any]) -> Any:
        return db.execute(self._sql(query), {k: self._value(v) for k, v in args.items()})

    def _rows(self, query: str, args: dict[str, Any]) -> list[Any]:
        with self._transaction() as db:
            return self._execute(db, query, args).fetchall()
