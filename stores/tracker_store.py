"""Rasa's SQL tracker store, writing conversations with personal data masked.

Rasa open source stores every message as typed; masking it is a paid feature. This store
does it in the open, inside the Rasa server (Python 3.10), configured in
``endpoints.yml`` as ``type: stores.tracker_store.RedactingTrackerStore``:

- card numbers are masked in every event before it is written, so they never reach disk,
  and so is a verification code in a customer's message;
- once a data request is stored or cancelled (its slots set back to None), the customer's
  contact details, taken from the conversation's own slot events, are masked in all of
  its stored events. Until then they stay readable, because Rasa rebuilds the tracker
  from the store on every turn and the form needs them. The request itself lives in the
  outbox, which is the one place that keeps them.

The same store runs on SQLite (``make run``) and on PostgreSQL (``make cluster``,
``endpoints.cluster.yml``: ``dialect: postgresql``). Rasa reads a conversation by
sender and retention finds old ones by sender and time, so the store adds an index on
``(sender_id, timestamp)``. If this module fails to import, the Rasa server refuses to
start (``rasa_server.patches``) rather than keep conversations in memory.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session

from privacy.redaction import mask_codes, redact
from stores.personal_data import personal_values, request_finished
from stores.sqlite import CONNECTION_PRAGMAS, EMPTY_THE_LOG

logger = logging.getLogger(__name__)


def slots_set_this_turn(tracker: DialogueStateTracker) -> list[str]:
    """Names of the slots set since the customer's latest message."""
    names = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, SlotSet):
            names.append(event.key)
    return names


# IF NOT EXISTS: several Rasa servers start together on one PostgreSQL.
SENDER_TIME_INDEX = (
    "CREATE INDEX IF NOT EXISTS events_sender_id_timestamp ON events (sender_id, timestamp)"
)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    for pragma in CONNECTION_PRAGMAS:
        connection.execute(pragma)


class RedactingTrackerStore(SQLTrackerStore):
    """An ``SQLTrackerStore`` that never writes a card number, nor keeps contact details
    after the request they were given for is finished."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._pool_sqlite_connections()
        self._create_sender_time_index()

    def _pool_sqlite_connections(self) -> None:
        """Keep SQLite connections open between turns.

        SQLAlchemy 1.4 opens and closes a new connection for every session on an SQLite
        file (its default ``NullPool``), and each open runs the pragmas again: a py-spy
        profile of canned replies put 12% of the Rasa server's samples in that open,
        pragma and close. Rasa uses the store from its event loop's thread only.
        """
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def _create_sender_time_index(self) -> None:
        """Rasa indexes ``sender_id`` alone; a conversation read in time order and
        retention's search by last event both want ``(sender_id, timestamp)``."""
        try:
            with self.engine.begin() as connection:
                connection.exec_driver_sql(SENDER_TIME_INDEX)
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            # Two servers creating it at the same instant: the other one's index serves.
            logger.debug("the (sender_id, timestamp) index was created by another server")

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        """The events Rasa is about to write, each with card numbers and codes masked.

        They go through the same dict round trip as when Rasa reloads a tracker.
        """
        for event in super()._additional_events(session, tracker):
            yield Event.from_parameters(redact(mask_codes(event.as_dict())))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append this turn's events; once a request is finished, mask its details."""
        await super().save(tracker)
        if request_finished(
            slots_set_this_turn(tracker), tracker.current_slot_values(), tracker.active_loop_name
        ):
            self.mask_personal_values(tracker.sender_id)

    def mask_personal_values(self, sender_id: str) -> None:
        """Rewrite every stored event of ``sender_id`` with its contact details masked."""
        with self.session_scope() as session:
            rows = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .order_by(self.SQLEvent.id)
                .all()
            )
            events = [json.loads(row.data) for row in rows]
            values = personal_values(events)
            if not values:
                return
            for row, event in zip(rows, events, strict=True):
                masked = json.dumps(redact(event, values))
                if masked != row.data:
                    row.data = masked
            session.commit()
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql(EMPTY_THE_LOG)
