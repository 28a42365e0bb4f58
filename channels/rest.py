"""Rasa's REST channel, behind a bearer token when ``REST_API_TOKEN`` is set.

The webhook is how other channels reach the bot, so on a shared network anyone who can
reach the port could otherwise talk to it, and fill the tracker store, under any sender
id. The check runs as blueprint middleware: a refused request never reaches Rasa's
handler, so it creates no tracker and no reply. The GET health route stays open for
load balancers and the stack's readiness check; it says nothing about conversations.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.settings import ChannelSettings

Middleware = Callable[[Request], Awaitable[HTTPResponse | None]]


def bearer_token_matches(authorization: str | None, expected: str) -> bool:
    """Whether an ``Authorization`` header carries ``expected``, compared in constant time."""
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )


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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        if self.token:
            webhook.middleware(require_bearer_token(self.token), "request")
        return webhook
