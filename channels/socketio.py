"""Rasa's socket.io channel with session persistence that works on python-socketio 5.10+.

Rasa 3.6 joins a client to its session's room with ``sio.enter_room(...)`` and no
``await`` (RasaHQ/rasa#13027). Since python-socketio 5.10 that method is a coroutine, so
the room is never joined and, with ``session_persistence: true``, every reply is sent to
an empty room: the widget would wait forever. This connector replaces that one handler,
and sends a quote's 👍 / 👎 buttons inside its data (:func:`buttons_into_data`);
everything else is Rasa's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels.guard import guarded


def buttons_into_data(message: dict[str, Any]) -> dict[str, Any]:
    """A message whose widget variation is data (a quote) keeps its buttons in that data.

    Rasa's output channel would send the buttons on their own, as a message with no text,
    which its socket.io output cannot send; the widget wants them under the quote.
    """
    if not (message.get("custom") and message.get("buttons")):
        return message
    kept = {k: v for k, v in message.items() if k not in ("buttons", "custom")}
    return {**kept, "custom": {**message["custom"], "buttons": message["buttons"]}}


class DataWithButtons:
    """Stands in for a message's socket.io output and sends each message through
    :func:`buttons_into_data`; everything else is the real channel's."""

    def __init__(self, channel: OutputChannel) -> None:
        self._channel = channel

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._channel.send_response(recipient_id, buttons_into_data(message))


def with_buttons_in_data(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handle(message: UserMessage) -> Any:
        message.output_channel = DataWithButtons(message.output_channel)
        return await on_new_message(message)

    return handle


class PersistentSocketIOInput(SocketIOInput):
    """``/socket.io``: one conversation per ``session_id`` across reloads and reconnects."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socket_blueprint = super().blueprint(guarded(with_buttons_in_data(on_new_message)))
        # Registering the event again replaces Rasa's handler for it.
        self.sio.on("session_request", self._session_request, namespace=self.namespace)
        return socket_blueprint

    async def _session_request(self, sid: str, data: dict[str, Any] | None) -> None:
        """Confirm the client's session id (a new one if it has none) and join its room."""
        session_id = (data or {}).get("session_id") or uuid.uuid4().hex
        if self.session_persistence:
            await self.sio.enter_room(sid, session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
