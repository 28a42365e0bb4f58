"""Rasa's socket.io channel with session persistence that works on python-socketio 5.10+.

Rasa 3.6 joins a client to its session's room with ``sio.enter_room(...)`` and no
``await`` (RasaHQ/rasa#13027). Since python-socketio 5.10 that method is a coroutine, so
the room is never joined and, with ``session_persistence: true``, every reply is sent to
an empty room: the widget would wait forever. This connector replaces that one handler,
and sends a quote's 👍 / 👎 buttons inside its data (``channels.buttons``);
everything else is Rasa's own.
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


class PersistentSocketIOInput(SocketIOInput):
    """``/socket.io``: one conversation per ``session_id`` across reloads and reconnects."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socket_blueprint = super().blueprint(guarded(reshaping(on_new_message, buttons_into_data)))
        # Registering the event again replaces Rasa's handler for it.
        self.sio.on("session_request", self._session_request, namespace=self.namespace)
        return socket_blueprint

    async def _session_request(self, sid: str, data: dict[str, Any] | None) -> None:
        """Confirm the client's session id (a new one if it has none) and join its room."""
        session_id = (data or {}).get("session_id") or uuid.uuid4().hex
        if self.session_persistence:
            await self.sio.enter_room(sid, session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
