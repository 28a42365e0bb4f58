"""Both stores of handoffs hold the same promises: the SQLite file and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from handoff.records import Handoff, HandoffStore
from handoff.redis_store import RedisHandoffs
from handoff.sqlite import SqliteHandoffs
from stack.databases import RedisServer

STARTED = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.servers)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HandoffStore]:
    if request.param == "sqlite":
        yield SqliteHandoffs(tmp_path / "handoff.db")
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    yield RedisHandoffs(server.url)


def test_a_handoff_is_found_from_either_side(store: HandoffStore) -> None:
    store.start(Handoff("widget-1", "100.000001", STARTED))
    assert store.by_sender("widget-1") == Handoff("widget-1", "100.000001", STARTED)
    assert store.by_thread("100.000001") == store.by_sender("widget-1")
    assert store.by_sender("widget-2") is None and store.by_thread("999.1") is None


def test_taken_once_a_person_replies(store: HandoffStore) -> None:
    store.start(Handoff("widget-3", "100.000003", STARTED))
    store.take("widget-3")
    assert store.by_sender("widget-3").taken


def test_ended_once_only(store: HandoffStore) -> None:
    store.start(Handoff("widget-4", "100.000004", STARTED))
    assert store.end("widget-4") == Handoff("widget-4", "100.000004", STARTED)
    assert store.end("widget-4") is None
    assert store.by_thread("100.000004") is None


def test_a_new_handoff_replaces_the_customers_last(store: HandoffStore) -> None:
    store.start(Handoff("widget-5", "100.000005", STARTED))
    store.start(Handoff("widget-5", "100.000006", STARTED))
    assert store.by_sender("widget-5").thread_ts == "100.000006"


def test_a_handoff_nobody_ended_is_over_after_a_day_in_the_file(tmp_path: Path) -> None:
    """(Redis expires its keys a day after they were written.)"""
    store = SqliteHandoffs(tmp_path / "handoff.db")
    store.start(Handoff("widget-6", "100.000007", datetime.now(timezone.utc) - timedelta(days=2)))
    assert store.by_sender("widget-6") is None and store.by_thread("100.000007") is None
