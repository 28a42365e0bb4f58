"""The redacting tracker store on a real SQLite file, in the Rasa server's interpreter."""

from __future__ import annotations

from pathlib import Path

from tests.support.rasa_interpreter import run_in_rasa

CHECK = """
import asyncio, json, sqlalchemy as sa
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from stores.tracker_store import RedactingTrackerStore

store = RedactingTrackerStore(dialect="sqlite", db={db!r})
connects = []
sa.event.listen(store.engine, "connect", lambda *_: connects.append(1))

async def turns():
    for text in ("hello", "my card is 4111 1111 1111 1111", "thanks"):
        tracker = await store.get_or_create_tracker("shopper")
        tracker.update(UserUttered(text))
        await store.save(tracker)
    return await store.retrieve("shopper")

tracker = asyncio.run(turns())
with store.engine.connect() as connection:
    journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
print(json.dumps({{"connects": len(connects), "journal": journal,
                  "texts": [e.text for e in tracker.events if isinstance(e, UserUttered)]}}))
"""


def test_turns_reuse_one_connection_and_never_store_a_card(tmp_path: Path) -> None:
    outcome = run_in_rasa(CHECK.format(db=str(tmp_path / "tracker.db")))
    # Three turns of reads and writes, then a check, open at most one connection (none
    # when the pool still holds the one that created the index), with the write-ahead
    # log; without the pool every session opened its own: nine.
    assert outcome["connects"] <= 1 and outcome["journal"] == "wal"
    assert outcome["texts"][0] == "hello" and outcome["texts"][2] == "thanks"
    assert "4111" not in outcome["texts"][1] and "card" in outcome["texts"][1]
