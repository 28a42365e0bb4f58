"""Delete conversations and requests once they are kept no longer than needed.

``python -m stores.retention purge``: conversations (every event of a sender) whose
last event is older than ``CONVERSATION_RETENTION_DAYS`` leave the tracker store, and
sent requests received more than ``REQUEST_RETENTION_DAYS`` ago leave the outbox.
``--every SECONDS`` repeats the purge (``make run`` does this hourly).
``python -m stores.retention forget SENDER``: delete one customer's conversation now
(``make forget SENDER=...``).

No Rasa: it works on the SQLite files directly, while the servers run, and deleted rows
are overwritten on disk (``secure_delete``), not just unlinked. With ``DATABASE_URL``
(``make cluster``) it works on the PostgreSQL tables instead (psycopg, imported only
then), and vacuums ``events`` after deleting so the dead rows' space is reclaimed.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from data_requests.outbox import open_outbox
from monitoring.logs import use_json_lines
from settings import RetentionSettings
from stores.sqlite import EMPTY_THE_LOG

log = logging.getLogger(__name__)
SECONDS_PER_DAY = 86_400
# Where the conversations are: the SQLite file, or a postgresql:// URL.
TrackerLocation = Path | str
_SQLITE_PARAMETER, _POSTGRES_PARAMETER = "?", "%s"
_OLD_SENDERS = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < {p}"


@dataclass(frozen=True)
class Purged:
    conversations: int
    requests: int


@contextmanager
def sqlite_tracker_db(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to the tracker store in one transaction; None when Rasa has not
    created it yet (nothing to delete, and no empty file made)."""
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
def postgres_tracker_db(url: str) -> Iterator[Any]:
    """The same on PostgreSQL; afterwards ``events`` is vacuumed (outside the transaction),
    so the deleted rows' space is reclaimed rather than left until autovacuum comes."""
    import psycopg

    with psycopg.connect(url) as db:
        created = db.execute("SELECT to_regclass('events')").fetchone()[0]
        yield db if created else None
    if created:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("VACUUM events")


@contextmanager
def tracker_db(where: TrackerLocation) -> Iterator[tuple[Any, str]]:
    """A connection to the conversations (None if there are none yet) and the SQL
    parameter marker of its driver."""
    if isinstance(where, Path):
        with sqlite_tracker_db(where) as db:
            yield db, _SQLITE_PARAMETER
    else:
        with postgres_tracker_db(where) as db:
            yield db, _POSTGRES_PARAMETER


def purge_conversations(
    where: TrackerLocation, older_than_s: float, now: float | None = None
) -> int:
    """Delete every conversation whose last event is older than ``older_than_s``."""
    cutoff = (time.time() if now is None else now) - older_than_s
    with tracker_db(where) as (db, p):
        if db is None:
            return 0
        old = _OLD_SENDERS.format(p=p)
        count = db.execute(f"SELECT COUNT(*) FROM ({old}) AS old", (cutoff,)).fetchone()[0]
        db.execute(f"DELETE FROM events WHERE sender_id IN ({old})", (cutoff,))
    return count


def forget(where: TrackerLocation, sender: str) -> int:
    """Delete ``sender``'s whole conversation; the number of events deleted."""
    with tracker_db(where) as (db, p):
        if db is None:
            return 0
        return db.execute(f"DELETE FROM events WHERE sender_id = {p}", (sender,)).rowcount


def conversations(settings: RetentionSettings) -> TrackerLocation:
    return settings.database_url or settings.tracker_db


def purge(settings: RetentionSettings, now: datetime | None = None) -> Purged:
    now = now or datetime.now(timezone.utc)
    purged = purge_conversations(
        conversations(settings), settings.conversation_days * SECONDS_PER_DAY, now.timestamp()
    )
    has_outbox = settings.database_url or settings.outbox_db.exists()  # none made here
    requests = (
        open_outbox(settings).delete_sent_before(now - timedelta(days=settings.request_days))
        if has_outbox
        else 0
    )
    return Purged(purged, requests)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    purge_command = commands.add_parser("purge", help="delete what is past its retention period")
    purge_command.add_argument("--every", type=float, help="repeat every this many seconds")
    forget_command = commands.add_parser("forget", help="delete one customer's conversation")
    forget_command.add_argument("sender", help="the conversation's sender id")
    args = parser.parse_args(argv)
    use_json_lines(logging.INFO)
    settings = RetentionSettings.from_env()
    if args.command == "forget":
        deleted = forget(conversations(settings), args.sender)
        print(f"deleted {deleted} events of that conversation")
        return
    while True:
        purged = purge(settings)
        log.info(
            "retention: deleted %d conversations, %d sent requests",
            purged.conversations,
            purged.requests,
        )
        if not args.every:
            return
        time.sleep(args.every)


if __name__ == "__main__":
    main()
