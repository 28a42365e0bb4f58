"""Delete conversations and requests once they are kept no longer than needed.

``python -m stores.retention purge``: conversations (every event of a sender) whose
last event is older than ``CONVERSATION_RETENTION_DAYS`` leave the tracker store, and
sent requests received more than ``REQUEST_RETENTION_DAYS`` ago leave the outbox.
``--every SECONDS`` repeats the purge (``make run`` does this hourly).
``python -m stores.retention forget SENDER``: delete one customer's conversation now
(``make forget SENDER=...``).

Standard library only: it works on the SQLite files directly, while the servers run.
Deleted rows are overwritten on disk (``secure_delete``), not just unlinked.
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

from data_requests.outbox import Outbox
from settings import RetentionSettings
from stores.sqlite import EMPTY_THE_LOG

log = logging.getLogger(__name__)
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Purged:
    conversations: int
    requests: int


@contextmanager
def tracker_db(path: Path) -> Iterator[sqlite3.Connection | None]:
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


def purge_conversations(path: Path, older_than_s: float, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than ``older_than_s``."""
    cutoff = (time.time() if now is None else now) - older_than_s
    with tracker_db(path) as db:
        if db is None:
            return 0
        senders = [
            sender
            for (sender,) in db.execute(
                "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < ?",
                (cutoff,),
            )
        ]
        db.executemany("DELETE FROM events WHERE sender_id = ?", [(s,) for s in senders])
    return len(senders)


def forget(path: Path, sender: str) -> int:
    """Delete ``sender``'s whole conversation; the number of events deleted."""
    with tracker_db(path) as db:
        if db is None:
            return 0
        return db.execute("DELETE FROM events WHERE sender_id = ?", (sender,)).rowcount


def purge(settings: RetentionSettings, now: datetime | None = None) -> Purged:
    now = now or datetime.now(timezone.utc)
    conversations = purge_conversations(
        settings.tracker_db, settings.conversation_days * SECONDS_PER_DAY, now.timestamp()
    )
    requests = (
        Outbox(settings.outbox_db).delete_sent_before(now - timedelta(days=settings.request_days))
        if settings.outbox_db.exists()
        else 0
    )
    return Purged(conversations, requests)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    purge_command = commands.add_parser("purge", help="delete what is past its retention period")
    purge_command.add_argument("--every", type=float, help="repeat every this many seconds")
    forget_command = commands.add_parser("forget", help="delete one customer's conversation")
    forget_command.add_argument("sender", help="the conversation's sender id")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = RetentionSettings.from_env()
    if args.command == "forget":
        deleted = forget(settings.tracker_db, args.sender)
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
