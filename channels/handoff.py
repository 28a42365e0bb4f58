"""The Rasa servers' side of a handoff: messages between the customer's widget and the
support thread while a person is in the chat (issue 29, docs/handoff.md).

``action_hand_off`` (the action server) opens the thread and records the handoff in the
shared store (``handoff.open_store``: Redis under ``make cluster``, a file under ``make
run``). From then on:

- a customer's widget message goes to the thread, card numbers masked, and not to the
  dialogue, so the assistant stays quiet; "back to the assistant" (the NLU's
  ``back_to_assistant``) ends the handoff and goes to the dialogue, which answers it;
- a staff reply in the thread is pushed to the customer's widget as from Jessops
  support; "done" or the End chat button ends the handoff.

A staff reply may reach a Rasa server other than the one holding the customer's socket:
under ``make cluster`` every server's socket.io server shares a Redis manager
(``python-socketio``'s ``AsyncRedisManager``), so an emit to the customer's room from
any server reaches the socket wherever it is.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from socketio import AsyncRedisManager, AsyncServer

from channels.guard import HANDLED_QUIETLY
from handoff import STORE_ERRORS, open_store
from handoff.messages import (
    BACK_CONFIDENCE,
    BACK_INTENT,
    CUSTOMER_LEFT,
    ENDED_FOR_CUSTOMER,
    ENDED_IN_THREAD,
    NOT_PASSED_ON,
    STAFF_NAME,
    from_customer,
    is_end,
    unescape_mrkdwn,
)
from handoff.records import Handoff
from handoff.slack import post
from monitoring.metrics import TAKEN, count_handoff
from settings import HandoffSettings

logger = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class CustomerSockets:
    """This Rasa server's socket.io server, through which messages reach a customer's
    widget by its session (the room the widget joined)."""

    def __init__(self) -> None:
        self._sio: AsyncServer | None = None
        self._event = "bot_uttered"

    def serve(self, sio: AsyncServer, bot_event: str, redis_url: str | None) -> None:
        """Use ``sio``; with ``redis_url``, share its rooms with every Rasa server."""
        if redis_url:
            manager = AsyncRedisManager(redis_url, channel="jessops-socketio")
            sio.manager = manager
            manager.set_server(sio)
        self._sio, self._event = sio, bot_event

    async def send(self, session_id: str, message: dict[str, Any]) -> None:
        if self._sio is None:
            logger.warning("No socket.io server here: a handoff message was not delivered.")
            return
        await self._sio.emit(self._event, message, room=session_id)


# One socket.io server per Rasa process: the widget's channel registers it, the Slack
# channel sends through it.
sockets = CustomerSockets()


async def means_back(text: str) -> bool:
    """Whether the NLU (the model the Rasa server is serving) is sure ``text`` asks for
    the assistant back."""
    parsed = await Sanic.get_app().ctx.agent.parse_message(text)
    intent = parsed.get("intent") or {}
    return intent.get("name") == BACK_INTENT and intent.get("confidence", 0) >= BACK_CONFIDENCE


class HandoffRelay:
    """Carries a handoff's messages both ways; one per channel, all on the shared store."""

    def __init__(self, settings: HandoffSettings) -> None:
        self.settings = settings
        self.store = open_store(settings)

    def _found(self, find: Callable[[str], Handoff | None], key: str | None) -> Handoff | None:
        """The handoff ``find`` finds for ``key``; None when there is none, or when the
        store cannot be read: the assistant answering beats a message going nowhere."""
        if not key:
            return None
        try:
            return find(key)
        except STORE_ERRORS as error:
            logger.warning(
                "handoffs unavailable, message left to the bot: %s", type(error).__name__
            )
            return None

    async def _to_thread(self, handoff: Handoff, text: str) -> bool:
        """Post to the handoff's thread; whether Slack took it (a failure is logged)."""
        if await asyncio.to_thread(post, self.settings.slack, text, handoff.thread_ts):
            return True
        logger.warning("A handoff message did not reach its Slack thread.")
        return False

    def customer_side(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """``on_new_message`` for the widget: while a person is in the chat, messages
        go to them instead."""

        async def handle(message: UserMessage) -> Any:
            handoff = self._found(self.store.by_sender, message.sender_id)
            if handoff is None or not message.text:
                return await on_new_message(message)
            if await means_back(message.text):
                if self.store.end(handoff.sender):
                    await self._to_thread(handoff, CUSTOMER_LEFT)
                return await on_new_message(message)
            if not await self._to_thread(handoff, from_customer(message.text)):
                await message.output_channel.send_text_message(message.sender_id, NOT_PASSED_ON)
            return HANDLED_QUIETLY

        return handle

    async def from_staff(self, thread_ts: str | None, text: str) -> bool:
        """Pass a message in a handoff thread to its customer; False when ``thread_ts``
        is no handoff's thread (the message is then the bot's to answer)."""
        handoff = self._found(self.store.by_thread, thread_ts)
        if handoff is None:
            return False
        if is_end(text):
            if self.store.end(handoff.sender):
                await sockets.send(handoff.sender, {"text": ENDED_FOR_CUSTOMER})
                await self._to_thread(handoff, ENDED_IN_THREAD)
            return True
        if not handoff.taken:
            self.store.take(handoff.sender)
            count_handoff(TAKEN)
        await sockets.send(handoff.sender, {"text": unescape_mrkdwn(text), "from": STAFF_NAME})
        return True
