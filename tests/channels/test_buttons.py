"""Where a quote's buttons go on REST and on the widget's socket.io channel."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.buttons import buttons_into_data, buttons_on_last_part, reshaping

BUTTONS = [{"title": "👍 Helpful", "payload": '/feedback_up{"feedback_id":"x"}'}]


def test_rest_keeps_a_paragraph_a_message_with_the_buttons_on_the_last() -> None:
    quote = {"text": 'From our privacy policy (Security):\n\n"We use SSL."', "buttons": BUTTONS}
    assert buttons_on_last_part(quote) == [
        {"text": "From our privacy policy (Security):"},
        {"text": '"We use SSL."', "buttons": BUTTONS},
    ]
    plain = {"text": "Hello"}
    assert buttons_on_last_part(plain) == [plain]
    summary = {
        "text": "Here is your request:\n\nShall I send it?",
        "buttons": [{"title": "Yes", "payload": "/affirm"}],
    }
    assert buttons_on_last_part(summary) == [summary]  # as it always was: one message


def test_the_widget_gets_the_buttons_inside_the_quotes_data() -> None:
    data = {"quote": "We use SSL.", "section": "Security"}
    quote = {"text": None, "custom": {"data": data}}
    [sent] = buttons_into_data({**quote, "buttons": BUTTONS})
    assert sent == {"text": None, "custom": {"data": {**data, "buttons": BUTTONS}}}
    assert buttons_into_data(quote) == [quote]


def test_a_reshaped_channel_sends_every_part_and_is_otherwise_the_channel() -> None:
    sent: list[dict[str, Any]] = []

    class Channel:
        def name(self) -> str:
            return "rest"

        async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
            sent.append(message)

    class Message:
        output_channel = Channel()

    async def rasa(message: Any) -> str:
        await message.output_channel.send_response("r", {"text": "a\n\nb", "buttons": BUTTONS})
        return message.output_channel.name()

    assert asyncio.run(reshaping(rasa, buttons_on_last_part)(Message())) == "rest"
    assert sent == [{"text": "a"}, {"text": "b", "buttons": BUTTONS}]
