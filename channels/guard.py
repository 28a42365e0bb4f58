"""What every channel does around Rasa's handling of a message, in one place.

All three connectors (REST, socket.io, Slack) wrap Rasa's ``on_new_message`` with
:func:`guarded`, so each customer message is:

- refused politely, without reaching the dialogue (no tracker, no stored text), when it
  is longer than ``MAX_MESSAGE_CHARS`` or its sender already sent
  ``RATE_LIMIT_MESSAGES`` in the last ``RATE_LIMIT_WINDOW_SECONDS`` (counted in Redis,
  across servers, under ``make cluster``): a flood from one sender cannot fill the
  tracker store or starve other customers;
- read as typed plainly (:func:`privacy.text.plain_text`): a question in full-width or
  "fancy text" letters, or with zero-width spaces pasted in, is the same question to the
  classifier and the policy search as in ASCII;
- never met with silence: Rasa 3.6 logs an error and says nothing when the action server
  is down, so a turn that produced no message gets the contact route instead, and the
  next turn, once the action server is back, is answered normally; a message passed to
  a person from the support team (``HANDLED_QUIETLY``, ``channels/handoff.py``) is the
  one kind that gets no reply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.shared_limits import rate_limiter
from monitoring.logs import fields, turn, use_json_lines
from monitoring.metrics import (
    CHANNELS,
    ERROR,
    FALLBACK,
    TURN_SECONDS,
    count_message,
    count_reply,
    known,
    timed,
)
from privacy.text import plain_text
from settings import ChannelSettings

logger = logging.getLogger(__name__)

# What a handler returns for a message it passed on without a reply on purpose (to a
# person from the support team, channels/handoff.py): no contact route is sent for it.
HANDLED_QUIETLY = "handled quietly"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

TOO_LONG = (
    "Sorry, that message is too long for me ({limit} characters at most). "
    "Could you ask your question in fewer words?"
)
TOO_MANY = (
    "You're sending messages faster than I can answer them. Please wait a minute, then try again."
)
NO_ANSWER = (
    "Sorry, I can't answer just now. Please try again in a few minutes, or contact "
    "Jessops customer service at cs@jessops.com or 0845 458 7005."
)


class CountingOutput:
    """Stands in for a message's output channel and counts what the bot says through it.

    Everything else is the real channel's, so each connector replies as it always does.
    """

    def __init__(self, channel: OutputChannel) -> None:
        self._channel = channel
        self.sent = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self._channel.send_response(recipient_id, message)


def known_channel(channel: str | None) -> str:
    """The channel as a metric label: one of the project's channels, or ``other``."""
    return known(channel, CHANNELS)


class MessageGuard:
    """Limits per sender and the no-silence fallback, shared by a connector's messages."""

    def __init__(self, settings: ChannelSettings) -> None:
        # Channels are made after Rasa and Sanic set their logging up: from here on the
        # Rasa server writes JSON lines (monitoring/logs.py).
        use_json_lines()
        self.max_chars = settings.max_message_chars
        self.limiter = rate_limiter(settings)  # shared by every Rasa server with REDIS_URL

    def refusal(self, message: UserMessage) -> str | None:
        """Why this message must not reach the dialogue, worded for the customer; or None."""
        if len(message.text or "") > self.max_chars:
            return TOO_LONG.format(limit=self.max_chars)
        if not self.limiter.allow(message.sender_id or ""):
            return TOO_MANY
        return None

    def wrap(self, on_new_message: OnNewMessage) -> OnNewMessage:
        async def handle(message: UserMessage) -> None:
            output = message.output_channel
            if message.text and len(message.text) <= self.max_chars:  # longer: refused as sent
                message.text = plain_text(message.text)
            refusal = self.refusal(message)
            if refusal:
                logger.info("Message refused on channel %s: over a limit.", message.input_channel)
                await output.send_text_message(message.sender_id, refusal)
                return
            channel = known_channel(message.input_channel)
            count_message(channel)
            with turn(message.message_id, message.sender_id):
                started = time.perf_counter()
                with timed(TURN_SECONDS.labels(channel)):
                    replies = await self.answer(message, on_new_message)
                seconds = round(time.perf_counter() - started, 3)
                logger.info("turn", extra=fields(channel=channel, replies=replies, seconds=seconds))

        return handle

    async def answer(self, message: UserMessage, on_new_message: OnNewMessage) -> int:
        """Let Rasa answer ``message``; how many messages the bot sent. A turn that failed
        or said nothing gets the contact route (counted as ``error``, ``fallback``)."""
        output = message.output_channel
        counting = CountingOutput(output)
        message.output_channel = counting
        # Rasa's own handlers log the message text with any error, including the
        # cancellation when a client hangs up, so both end here.
        try:
            if await on_new_message(message) == HANDLED_QUIETLY:
                return 0
        except asyncio.CancelledError:
            logger.warning("Client left before the reply on channel %s.", message.input_channel)
            return counting.sent
        except Exception:
            count_reply(ERROR)
            logger.exception("Handling a message on channel %s failed.", message.input_channel)
        if not counting.sent:
            count_reply(FALLBACK)
            logger.warning("No reply on channel %s; sent the contact route.", message.input_channel)
            await output.send_text_message(message.sender_id, NO_ANSWER)
        return counting.sent


def guarded(on_new_message: OnNewMessage, settings: ChannelSettings | None = None) -> OnNewMessage:
    """``on_new_message`` behind this channel's own limits and the no-silence fallback."""
    return MessageGuard(settings or ChannelSettings.from_env()).wrap(on_new_message)
