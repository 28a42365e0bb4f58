"""Rasa's REST channel, behind a bearer token when ``REST_API_TOKEN`` is set.

The webhook is how other channels reach the bot, so on a shared network anyone who can
reach the port could otherwise talk to it, and fill the tracker store, under any sender
id. The check runs as blueprint middleware: a refused request never reaches Rasa's
handler, so it creates no tracker and no reply. The GET health route stays open for
load balancers and the stack's readiness check, as do the liveness and readiness checks
(``channels/health.py``); they say nothing about conversations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.auth import bearer_token_matches
from channels.buttons import buttons_on_last_part, reshaping
from channels.guard import guarded
from channels.health import add_health_routes
from settings import ChannelSettings

Middleware = Callable[[Request], Awaitable[HTTPResponse | None]]


def require_bearer_token(token: str) -> Middleware:
    """Request middleware answering 401 to a POST without ``token``; other requests pass."""

    async def check(request: Request) -> HTTPResponse | None:
        if request.method != "POST" or bearer_token_matches(
            request.headers.get("Authorization"), token
        ):
            return None
        return response.json(
            {"error": "A valid 'Authorization: Bearer <token>' header is required."},
            status=HTTPStatus.UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Bearer realm="rasa"'},
        )

    return check


def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON body if it is an object, else {}; malformed JSON is Sanic's 400."""
    body = request.json
    return body if isinstance(body, dict) else {}


class TokenRestInput(RestInput):
    """``POST /webhooks/rest/webhook``; with a token configured, only for its holders."""

    @classmethod
    def name(cls) -> str:
        return "rest"  # keeps the URL /webhooks/rest/webhook

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        return cls(ChannelSettings.from_env().rest_api_token)

    def __init__(self, token: str | None) -> None:
        self.token = token

    # Any JSON body is answered (200); only the text of "sender" and "message" is taken.
    # A client may neither name another channel nor have metadata stored with the message.

    async def _extract_sender(self, req: Request) -> str | None:
        sender = json_object(req).get("sender")
        return sender if isinstance(sender, str) and sender else None

    def _extract_message(self, req: Request) -> str:
        message = json_object(req).get("message")
        return message if isinstance(message, str) else ""

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = add_health_routes(
            super().blueprint(guarded(reshaping(on_new_message, buttons_on_last_part)))
        )
        if self.token:
            webhook.middleware(require_bearer_token(self.token), "request")
        return webhook
