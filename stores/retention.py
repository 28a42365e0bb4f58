"""Delete conversations and requests once they are kept no longer than needed.

``python -m stores.retention purge``: conversations (every event of a sender) whose
last event is older than ``CONVERSATION_RETENTION_DAYS`` leave the tracker store, and
sent requests received more than ``REQUEST_RETENTION_DAYS`` ago leave the outbox.
``--every SECONDS`` repeats the purge (``make run`` does this hourly).
``python -m stores.retention forget SENDER``: delete one customer's conversation now,
and the feedback they gave on its answers (``make forget SENDER=...``). Feedback on
answers older than ``CONVERSATION_RETENTION_DAYS`` is purged with the conversations.

No Rasa: it works on the SQLite files directly, while the servers run, and deleted rows
are overwritten on disk (``secure_delete``), not just unlinked. With ``DATABASE_URL``
(``make cluster``) it works on the PostgreSQL tables instead (psycopg, imported only
then), and vacuums ``events`` after deleting so the dead rows' space is reclaimed.
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from data_requests.outbox import open_outbox
from feedback import open_feedback
from feedback.answers import ANSWER_SLOT
from monitoring.logs import use_json_lines
from settings import RetentionSettings
from storage.conversations import TrackerLocation, slot_values, tracker_db

log = logging.getLogger(__name__)
SECONDS_PER_DAY = 86_400
_OLD_SENDERS = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < {p}"


@dataclass(frozen=True)
class Purged:
    conversations: int
    requests: int
    feedback: int = 0


def feedback_ids(where: TrackerLocation, sender: str) -> set[str]:
    """The ids of every answer ``sender`` could rate: recorded only in their conversation."""
    return {
        value["feedback_id"]
        for _, _, value in slot_values(where, ANSWER_SLOT, sender=sender)
        if isinstance(value, dict) and value.get("feedback_id")
    }


def forget_customer(settings: RetentionSettings, sender: str) -> tuple[int, int]:
    """Delete ``sender``'s feedback (found through their conversation), then the
    conversation: how many feedback rows and events went."""
    where = conversations(settings)
    ids = feedback_ids(where, sender)
    rated = open_feedback(settings).forget(ids) if ids and has_feedback(settings) else 0
    return rated, forget(where, sender)


def has_feedback(settings: RetentionSettings) -> bool:
    """Whether there is a feedback store to purge (none is made here)."""
    return bool(settings.database_url) or settings.feedback_db.exists()


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
    feedback = (
        open_feedback(settings).delete_before(now - timedelta(days=settings.conversation_days))
        if has_feedback(settings)
        else 0
    )
    return Purged(purged, requests, feedback)


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
        rated, deleted = forget_customer(settings, args.sender)
        print(f"deleted {deleted} events of that conversation and {rated} feedback on its answers")
        return
    while True:
        purged = purge(settings)
        log.info(
            "retention: deleted %d conversations, %d sent requests, %d feedback",
            purged.conversations,
            purged.requests,
            purged.feedback,
        )
        if not args.every:
            return
        time.sleep(args.every)


if __name__ == "__main__":
    main()
