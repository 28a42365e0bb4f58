"""The action server's executor with Rasa's selective domain."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from actions.server import ACTIONS_PACKAGE, SelectiveDomainExecutor, outbox_problem
from data_requests.outbox import opened_once
from monitoring.logs import JsonLines, conversation_hash
from settings import RequestSettings
from stack.ports import free_port

TRACKER = {
    "sender_id": "domain-test",
    "slots": {},
    "latest_message": {"text": "hello", "intent": {"name": "greet"}, "entities": []},
    "events": [],
    "paused": False,
    "followup_action": None,
    "active_loop": {},
    "latest_action_name": "action_listen",
}


def call(executor: SelectiveDomainExecutor, action: str, **extra: object) -> object:
    payload = {"next_action": action, "sender_id": "domain-test", "tracker": TRACKER, **extra}
    return asyncio.run(executor.run(payload))


def test_an_action_without_the_domain_runs_and_one_with_it_stores_it() -> None:
    executor = SelectiveDomainExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    assert call(executor, "action_cancel_request") is not None  # no domain sent: runs
    assert executor.domain is None
    domain = {"slots": {}, "responses": {}, "forms": {}}
    assert call(executor, "action_cancel_request", domain=domain) is not None
    assert executor.domain == domain


def test_readiness_names_an_unreachable_outbox(tmp_path: Path) -> None:
    reachable = opened_once(RequestSettings.from_env({"OUTBOX_DB": str(tmp_path / "o.db")}))
    assert outbox_problem(reachable) is None
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    unreachable = opened_once(RequestSettings.from_env({"DATABASE_URL": closed}))
    assert outbox_problem(unreachable) == "outbox unreachable"


def test_each_action_is_one_log_event_with_the_turns_ids(
    caplog: pytest.LogCaptureFixture,
) -> None:
    executor = SelectiveDomainExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    tracker = {**TRACKER, "latest_message": {**TRACKER["latest_message"], "message_id": "m-1"}}
    payload = {"next_action": "action_cancel_request", "sender_id": "s", "tracker": tracker}
    with caplog.at_level(logging.INFO, logger="actions.server"):
        asyncio.run(executor.run(payload))
    [event] = [json.loads(JsonLines().format(r)) for r in caplog.records if r.msg == "action"]
    assert event["request_id"] == "m-1" and event["action"] == "action_cancel_request"
    assert event["conversation"] == conversation_hash("domain-test") != "domain-test"
