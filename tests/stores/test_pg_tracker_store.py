"""The redacting tracker store on a real PostgreSQL, built by Rasa from endpoints.cluster.yml.

A script in the Rasa interpreter plays three conversations through the store as Rasa
does (a card number typed, a request whose contact details are cleared when it is
finished, an old conversation); the test then reads the rows with psycopg and runs
retention's command line against the same database.
"""

from __future__ import annotations

import json
import os
import subprocess

import psycopg
import pytest

from settings import ACTIONS_BIN, PROJECT_ROOT
from stack.databases import PostgresServer
from tests.support.databases import new_database
from tests.support.rasa_interpreter import run_in_rasa

CARD = "4111 1111 1111 1111"
EMAIL = "jane.doe@example.com"
POOL_SIZE = 3
CONVERSATIONS = """
import asyncio, json, os, time
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_server.patches import apply

apply()
store = TrackerStore.create(
    read_endpoints_from_path("endpoints.cluster.yml").tracker_store, Domain.load("domain.yml")
)
FORTY_DAYS_AGO = time.time() - 40 * 86400
CARD, EMAIL = os.environ["CARD"], os.environ["EMAIL"]


async def turn(sender, text, slots, at=None):
    tracker = (
        await store.get_or_create_tracker(sender)
        if at is None  # a new tracker starts with an action_listen stamped now
        else DialogueStateTracker(sender, store.domain.slots)
    )
    tracker.update(UserUttered(text, intent={"name": "inform", "confidence": 1.0}, timestamp=at))
    for name, value in slots.items():
        tracker.update(SlotSet(name, value, timestamp=at))
    await store.save(tracker)


async def main():
    await turn("card", "my card is " + CARD, {})
    await turn("contact", "delete my account", {"request_type": "deletion"})
    await turn("contact", EMAIL, {"email": EMAIL})
    during = json.dumps([e.as_dict() for e in (await store.retrieve("contact")).events])
    await turn("contact", "yes", {"request_type": None, "email": None})
    await turn("old", "hello", {}, at=FORTY_DAYS_AGO)
    after = await store.retrieve("contact")
    slots_after = {name: after.get_slot(name) for name in ("email", "request_type")}
    print(json.dumps({
        "store": type(store).__name__, "dialect": store.engine.dialect.name,
        "pool_size": store.engine.pool.size(), "readable_during_request": EMAIL in during,
        "slots_after": slots_after,
    }))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def played(postgres_server: PostgresServer) -> tuple[str, dict]:
    """The database the conversations were played into, and what the script saw."""
    url = new_database(postgres_server.url)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": "redis://127.0.0.1:1/0",  # read by the endpoints file, never used here
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook",
        "SQL_POOL_SIZE": str(POOL_SIZE),
        "CARD": CARD,
        "EMAIL": EMAIL,
    }
    return url, run_in_rasa(CONVERSATIONS, env)


def stored(url: str, sender: str) -> list[str]:
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [data for (data,) in rows]


def retention(url: str, *args: str) -> str:
    return subprocess.run(
        [str(ACTIONS_BIN / "python"), "-m", "stores.retention", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_rasa_builds_our_store_on_postgresql_with_its_pool_settings(
    played: tuple[str, dict],
) -> None:
    _, seen = played
    assert (seen["store"], seen["dialect"], seen["pool_size"]) == (
        "RedactingTrackerStore",
        "postgresql",
        POOL_SIZE,
    )


def test_a_card_number_never_reaches_the_database(played: tuple[str, dict]) -> None:
    url, _ = played
    rows = stored(url, "card")
    assert rows and all(CARD not in row and "4111111111111111" not in row for row in rows)
    assert any("my card is" in json.loads(row).get("text", "") for row in rows)


def test_contact_details_are_masked_once_the_request_is_finished(
    played: tuple[str, dict],
) -> None:
    url, seen = played
    assert seen["readable_during_request"]  # the form needs them until then
    assert seen["slots_after"] == {"email": None, "request_type": None}
    rows = stored(url, "contact")
    assert len(rows) > 4 and not [row for row in rows if EMAIL in row]


def test_events_are_indexed_by_sender_and_time(played: tuple[str, dict]) -> None:
    url, _ = played
    with psycopg.connect(url) as db:
        [(definition,)] = db.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'events_sender_id_timestamp'"
        ).fetchall()
    assert '(sender_id, "timestamp")' in definition


def test_retention_purges_old_conversations_and_forgets_one_on_request(
    played: tuple[str, dict],
) -> None:
    url, _ = played
    retention(url, "purge")
    assert stored(url, "old") == [] and stored(url, "card") and stored(url, "contact")
    assert "deleted 2 events" in retention(url, "forget", "card")
    assert stored(url, "card") == [] and stored(url, "contact")
