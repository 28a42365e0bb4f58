"""Liveness and readiness of a Rasa server, for HAProxy and for people.

``GET /webhooks/rest/health/live``: the server answers. ``GET /webhooks/rest/health/ready``:
the model is loaded and the conversation stores answer (the tracker store, and under
``make cluster`` the Redis lock store); 503 with the reason otherwise, so a load
balancer sends no customer to a server that could only fail them. Both are on the REST
channel's blueprint because it is always on; they are GETs, which the bearer token never
guards, and say nothing about any conversation.
"""

from __future__ import annotations

import asyncio
import logging
from http import HTTPStatus

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

LIVE_PATH, READY_PATH = "/health/live", "/health/ready"
# A conversation id no customer has: asking whether it exists reads the tracker store.
PROBE_SENDER = "health-check-probe"
STORE_TIMEOUT_S = 2.0


async def not_ready_because(request: Request) -> str | None:
    """Why this server cannot take a turn now, or None when it can."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return "model not loaded"
    try:
        await asyncio.wait_for(agent.tracker_store.exists(PROBE_SENDER), STORE_TIMEOUT_S)
        redis = getattr(agent.lock_store, "red", None)
        if redis is not None:
            await asyncio.wait_for(asyncio.to_thread(redis.ping), STORE_TIMEOUT_S)
    except Exception as error:  # any store's own error type: the check must answer
        logger.warning("Not ready: a store did not answer (%s).", type(error).__name__)
        return "conversation stores unreachable"
    return None


def add_health_routes(blueprint: Blueprint) -> Blueprint:
    """The two health routes on ``blueprint`` (the REST channel's)."""

    async def live(request: Request) -> HTTPResponse:
        return response.json({"status": "live"})

    async def ready(request: Request) -> HTTPResponse:
        reason = await not_ready_because(request)
        if reason:
            return response.json({"status": reason}, status=HTTPStatus.SERVICE_UNAVAILABLE)
        return response.json({"status": "ready"})

    blueprint.add_route(live, LIVE_PATH, methods=["GET"], name="health_live")
    blueprint.add_route(ready, READY_PATH, methods=["GET"], name="health_ready")
    return blueprint
