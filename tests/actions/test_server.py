"""The action server's executor with Rasa's selective domain."""

from __future__ import annotations

import asyncio

from actions.server import ACTIONS_PACKAGE, SelectiveDomainExecutor

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
