"""Where a message's buttons go on each channel, standard library only.

A policy quote carries its 👍 / 👎 buttons (``actions.policy_answers``). Rasa's output
channels would send such a message differently from the same text without buttons:

- REST: without buttons, Rasa sends each paragraph of a text as its own message (the
  section line, then the quote); with buttons, the whole text as one. Callers rely on a
  quote's paragraphs, so :func:`buttons_on_last_part` keeps them when the only buttons
  are the feedback ones, and puts those on the last paragraph, as Rasa's socket.io
  channel does; any other message with buttons (a request's summary) stays one message,
  as it always was;
- socket.io: the widget's variation of a quote is data, and Rasa would send the buttons
  apart, as a message with no text, which its socket.io output cannot send;
  :func:`buttons_into_data` puts them in the data.

Slack needs nothing: one message with blocks (``channels.slack``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Message = dict[str, Any]
Reshape = Callable[[Message], list[Message]]


FEEDBACK_PAYLOADS = ("/feedback_up", "/feedback_down")


def buttons_on_last_part(message: Message) -> list[Message]:
    """A text with only 👍 / 👎 buttons as one message a paragraph, the buttons on the
    last: the shape it has without them."""
    text, buttons = message.get("text"), message.get("buttons")
    if not (text and buttons) or message.get("custom"):
        return [message]
    if not all(str(b.get("payload", "")).startswith(FEEDBACK_PAYLOADS) for b in buttons):
        return [message]
    parts = text.strip().split("\n\n")
    rest = {k: v for k, v in message.items() if k not in ("text", "buttons")}
    return [{"text": part} for part in parts[:-1]] + [
        {**rest, "text": parts[-1], "buttons": buttons}
    ]


def buttons_into_data(message: Message) -> list[Message]:
    """A message whose widget variation is data keeps its buttons in that data (the
    ``data`` of its custom payload: Rasa emits that payload's keys as the event's)."""
    custom = message.get("custom")
    if not (isinstance(custom, dict) and isinstance(custom.get("data"), dict)):
        return [message]
    if not message.get("buttons"):
        return [message]
    kept = {k: v for k, v in message.items() if k not in ("buttons", "custom")}
    data = {**custom["data"], "buttons": message["buttons"]}
    return [{**kept, "custom": {**custom, "data": data}}]


class ReshapedOutput:
    """Stands in for a message's output channel and sends each bot message reshaped;
    everything else is the real channel's."""

    def __init__(self, channel: Any, reshape: Reshape) -> None:
        self._channel = channel
        self._reshape = reshape

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    async def send_response(self, recipient_id: str, message: Message) -> None:
        for part in self._reshape(message):
            await self._channel.send_response(recipient_id, part)


def reshaping(
    on_new_message: Callable[[Any], Awaitable[Any]], reshape: Reshape
) -> Callable[[Any], Awaitable[Any]]:
    """``on_new_message`` with each reply reshaped by ``reshape`` on its way out."""

    async def handle(message: Any) -> Any:
        message.output_channel = ReshapedOutput(message.output_channel, reshape)
        return await on_new_message(message)

    return handle
