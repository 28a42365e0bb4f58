"""Rasa's socket.io channel with session persistence that works on python-socketio 5.10+.

Rasa 3.6 joins a client to its session's room with ``sio.enter_room(...)`` and no
``await`` (RasaHQ/rasa#13027). Since python-socketio 5.10 that method is a coroutine, so
the room is never joined and, with ``session_persistence: true``, every reply is sent to
an empty room: the widget would wait forever. This connector replaces that one handler,
and sends a quote's 👍 / 👎 buttons inside its data (``channels.buttons``). While a
person from the support team is in a customer's chat, the customer's messages go to them
(``channels.handoff``), and under ``make cluster`` the socket.io servers of all Rasa
servers share their rooms through Redis, so a staff reply arriving at any server reaches
the widget. Everything else is Rasa's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels.buttons import buttons_into_data, reshaping
from channels.guard import guarded
from channels.handoff import HandoffRelay, sockets
from settings import HandoffSettings


class PersistentSocketIOInput(SocketIOInput):
    """``/socket.io``: one conversation per ``session_id`` across reloads and reconnects."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = HandoffSettings.from_env()
        relay = HandoffRelay(settings)
        answered = reshaping(on_new_message, buttons_into_data)
        socket_blueprint = super().blueprint(guarded(relay.customer_side(answered)))
        sockets.serve(self.sio, self.bot_message_evt, settings.redis_url)
        # Registering the event again replaces Rasa's handler for it.
        self.sio.on("session_request", self._session_request, namespace=self.namespace)
        return socket_blueprint

    async def _session_request(self, sid: str, data: dict[str, Any] | None) -> None:
        """Confirm the client's session id (a new one if it has none) and join its room."""
        session_id = (data or {}).get("session_id") or uuid.uuid4().hex
        if self.session_persistence:
            await self.sio.enter_room(sid, session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
