"""Run the action server in one process: ``python -m actions.server``.

rasa-sdk's own entry point (``python -m rasa_sdk``) starts Sanic's manager process and
a worker process; both import the actions, so the sentence model and the index were
loaded twice (about 1.1 GB together). Serving from a single process halves the memory
and the start-up time. The model and index are loaded before the server listens, so
the first customer does not wait for them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.knowledge_base import pipeline
from data_requests import names
from data_requests.outbox import OutboxUnavailable, RequestStore, opened_once
from monitoring.logs import fields, turn, use_json_lines
from monitoring.readiness import BackgroundCheck
from settings import ActionServerSettings, RequestSettings

ACTIONS_PACKAGE = "actions"
log = logging.getLogger("actions.server")  # also when run as __main__


class SelectiveDomainExecutor(ActionExecutor):
    """Runs actions without the domain when Rasa did not send it.

    With ``enable_selective_domain`` (endpoints.yml) Rasa 3.6 sends the domain, some
    9 kB of JSON built on every call, only to actions that need it: ``validate_*``
    actions and those marked ``send_domain: true`` in domain.yml. rasa-sdk 3.21 expects
    a domain digest that only later Rasa versions send, and refuses every other call
    with HTTP 449, which Rasa 3.6 does not retry. Here such a call runs with an empty
    domain; the actions that get it are the ones that declared they use it.
    """

    async def run(self, action_call: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """Run the action with its turn's ids on every log line, and log it as one event."""
        tracker = action_call.get("tracker") or {}
        message_id = (tracker.get("latest_message") or {}).get("message_id")
        with turn(message_id, tracker.get("sender_id")):
            started = time.perf_counter()
            result = await super().run(action_call, *args, **kwargs)
            seconds = round(time.perf_counter() - started, 3)
            log.info("action", extra=fields(action=action_call.get("next_action"), seconds=seconds))
        return result

    def update_and_return_domain(
        self, payload: dict[str, Any], action_name: str
    ) -> dict[str, Any] | None:
        if payload.get("domain") is None:
            return {}
        return super().update_and_return_domain(payload, action_name)


def outbox_problem(store: Callable[[], RequestStore]) -> str | None:
    """Why a confirmed request could not be stored now (the customer is told only once
    it is), or None."""
    try:
        store().status_counts()
    except (sqlite3.Error, OSError, OutboxUnavailable):
        return "outbox unreachable"
    return None


def add_health_routes(app: Sanic) -> None:
    """``/health/live`` (answers) and ``/health/ready`` (index loaded, outbox reachable);
    rasa-sdk's own ``/health`` stays. The index is loaded before the server listens, so
    a server that answers has it; the outbox is asked in the background, at most every
    two seconds (``monitoring/readiness.py``)."""

    async def live(request: Request) -> HTTPResponse:
        return response.json({"status": "live"})

    store = opened_once(RequestSettings.from_env())
    readiness = BackgroundCheck(lambda: asyncio.to_thread(outbox_problem, store))

    async def ready(request: Request) -> HTTPResponse:
        reason = await readiness.reason()
        if reason:
            return response.json({"status": reason}, status=HTTPStatus.SERVICE_UNAVAILABLE)
        return response.json({"status": "ready"})

    app.add_route(live, "/health/live", methods=["GET"], name="health_live")
    app.add_route(ready, "/health/ready", methods=["GET"], name="health_ready")


def main() -> None:
    settings = ActionServerSettings.from_env()
    utils.configure_colored_logging(settings.log_level)
    utils.update_sanic_log_level()
    use_json_lines()
    # Loaded and trained before the first message, not during it.
    pipeline()
    names.reader()
    executor = SelectiveDomainExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    app = create_app(executor, cors_origins=None)
    add_health_routes(app)
    log.info("action server on %s", settings.url)
    app.prepare(
        host=settings.host, port=settings.port, single_process=True, access_log=False, motd=False
    )
    Sanic.serve_single(app)


if __name__ == "__main__":
    main()
