"""Liveness and readiness of a Rasa server, for HAProxy and for people.

``GET /webhooks/rest/health/live``: the server answers. ``GET /webhooks/rest/health/ready``:
the model is loaded and the conversation stores answer (the tracker store, and under
``make cluster`` the Redis lock store); 503 with the reason otherwise, so a load
balancer sends no customer to a server that could only fail them. The stores are asked
in the background, at most every two seconds (``monitoring/readiness.py``). Both are on the REST
channel's blueprint because it is always on; they are GETs, which the bearer token never
guards, and say nothing about any conversation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import sqlalchemy as sa
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.pool import NullPool

from monitoring.readiness import BackgroundCheck

logger = logging.getLogger(__name__)

LIVE_PATH, READY_PATH = "/health/live", "/health/ready"
STORE_TIMEOUT_S = 2.0


def store_pings(agent: Any) -> list[Callable[[], object]]:
    """Blocking calls that reach the conversation stores on connections of their own.

    Rasa's SQL tracker store does its queries synchronously on the event loop, from a
    pool that customers' turns keep busy under load: asking it would block every turn
    and wait behind them. A separate engine without a pool reaches the same database,
    in a worker thread, and says only whether the database answers.
    """
    pings: list[Callable[[], object]] = []
    engine = getattr(agent.tracker_store, "engine", None)
    if engine is not None:
        probe = sa.create_engine(engine.url, poolclass=NullPool)

        def select_one() -> None:
            with probe.connect() as connection:
                connection.execute(sa.text("SELECT 1"))

        pings.append(select_one)
    redis = getattr(agent.lock_store, "red", None)
    if redis is not None:
        pings.append(redis.ping)
    return pings


async def not_ready_because(app: Sanic, pings: list[Callable[[], object]]) -> str | None:
    """Why this server cannot take a turn now, or None when it can."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return "model not loaded"
    try:
        for ping in pings:
            await asyncio.wait_for(asyncio.to_thread(ping), STORE_TIMEOUT_S)
    except Exception as error:  # any store's own error type: the check must answer
        logger.warning("Not ready: a store did not answer (%s).", type(error).__name__)
        return "conversation stores unreachable"
    return None


def readiness(app: Sanic) -> BackgroundCheck:
    """The app's readiness check, made at the first probe (the agent exists by then)."""
    if hasattr(app.ctx, "readiness"):
        return app.ctx.readiness
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():  # asked again at the next probe
        return BackgroundCheck(lambda: not_ready_because(app, []))
    pings = store_pings(agent)
    app.ctx.readiness = BackgroundCheck(lambda: not_ready_because(app, pings))
    return app.ctx.readiness


def add_health_routes(blueprint: Blueprint) -> Blueprint:
    """The two health routes on ``blueprint`` (the REST channel's)."""

    async def live(request: Request) -> HTTPResponse:
        return response.json({"status": "live"})

    async def ready(request: Request) -> HTTPResponse:
        reason = await readiness(request.app).reason()
        if reason:
            return response.json({"status": reason}, status=HTTPStatus.SERVICE_UNAVAILABLE)
        return response.json({"status": "ready"})

    blueprint.add_route(live, LIVE_PATH, methods=["GET"], name="health_live")
    blueprint.add_route(ready, READY_PATH, methods=["GET"], name="health_ready")
    return blueprint
