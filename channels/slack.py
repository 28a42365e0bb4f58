"""Rasa's Slack connector for the support team's channel, with the gaps we found closed.

Rasa's ``SlackInput`` already rejects unsigned requests, bad signatures and timestamps
more than five minutes off (400), and acknowledges at once so Slack does not time out.
What it lacks, and this module adds:

- any redelivery of a message is answered once: Rasa drops only retries whose reason is
  ``http_timeout``, and a mention in the watched channel arrives twice anyway (as
  ``message`` and as ``app_mention``), so deliveries are de-duplicated by message;
- ``url_verification`` is answered with the challenge in plain text, as Slack documents;
- system messages (joins, topic changes, edits) are not taken for questions;
- a quote's 👍 / 👎 come in the same message, each with a label for screen readers;
- a message in a handoff's thread (a person from the support team answering a
  customer in the widget) goes to that customer, not to the bot (``channels.handoff``);
- replies go in the asker's thread, as one message (Rasa splits on blank lines, which
  would tear a quote from its section), without the ``as_user`` flag that only classic
  Slack apps may send, and to ``SLACK_API_URL`` so tests can use a fake Slack.

The channel is off (no routes, so 404) unless ``SLACK_BOT_TOKEN`` and
``SLACK_SIGNING_SECRET`` are set; see ``settings.ChannelSettings``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.guard import guarded
from channels.handoff import HandoffRelay
from channels.shared_limits import delivery_memory
from channels.slack_messages import (
    button_blocks,
    escape_mrkdwn,
    is_person_writing,
    message_key,
)
from settings import ChannelSettings, HandoffSettings

logger = logging.getLogger(__name__)


class ThreadedSlackBot(SlackBot):
    """Posts each bot message to the user's thread as one Slack message."""

    def __init__(
        self,
        token: str,
        api_url: str,
        slack_channel: str | None,
        thread_id: str | None,
        proxy: str | None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # classic Slack apps only; bot tokens post as the bot
        await self.client.chat_postMessage(channel=channel, thread_ts=self.thread_id, **kwargs)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=escape_mrkdwn(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """The text and its buttons as one message; each button labelled for screen
        readers (a quote's 👍 / 👎 read "This answer was helpful" and so on)."""
        await self._post_message(
            self.slack_channel or recipient_id,
            text=escape_mrkdwn(text),
            blocks=button_blocks(text, buttons),
        )


class SlackOff(InputChannel):
    """Stands in for the Slack channel when it is not configured: no routes, so 404."""

    @classmethod
    def name(cls) -> str:
        return "slack"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return Blueprint("slack_webhook_off", __name__)


class SupportSlackInput(SlackInput):
    """``POST /webhooks/slack/webhook``: Slack Events API and interactive messages."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = ChannelSettings.from_env()
        if not settings.slack_enabled:
            logger.info("Slack channel off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET unset.")
            return SlackOff()
        return cls(settings)

    def __init__(self, settings: ChannelSettings) -> None:
        super().__init__(
            slack_token=settings.slack_bot_token or "",
            slack_channel=settings.slack_channel,
            slack_retry_reason_header="X-Slack-Retry-Reason",
            slack_retry_number_header="X-Slack-Retry-Num",
            use_threads=True,
            slack_signing_secret=settings.slack_signing_secret or "",
            # One conversation per thread: follow-ups in a thread share context, and two
            # colleagues' threads never mix.
            conversation_granularity="thread",
        )
        self.settings = settings
        self.api_url = settings.slack_api_url
        self._delivered = delivery_memory(settings)  # in Redis under make cluster
        self.handoffs = HandoffRelay(HandoffSettings.from_env())

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        return ThreadedSlackBot(
            self.slack_token, self.api_url, channel or self.slack_channel, thread_id, self.proxy
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(guarded(on_new_message, self.settings))
        webhook.middleware(self._screen, "request")
        return webhook

    async def _screen(self, request: Request) -> HTTPResponse | None:
        """Answer what Rasa's handler would get wrong; None lets the request through.

        Unsigned and stale requests are passed on untouched: Rasa's handler refuses them.
        """
        if not is_json_post(request) or not self.is_request_from_slack_authentic(request):
            return None
        payload = request.json or {}
        if payload.get("type") == "url_verification":
            return response.text(str(payload.get("challenge", "")))
        if not is_person_writing(payload):
            return response.text("Not a person's message.")
        return None

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict[str, Any] | None,
    ) -> Any:
        """Answer a message only the first time it is delivered.

        Rasa calls this only for messages it will answer, so a ``message`` event from a
        channel the bot does not watch cannot shadow the ``app_mention`` that follows it.
        """
        key = message_key(request.json or {}) if is_json_post(request) else None
        if key and not self._delivered.first_time(key):
            logger.info(
                "Slack delivered message %s again (retry %s); not answered twice.",
                key,
                request.headers.get("X-Slack-Retry-Num", "-"),
            )
            return response.text("Already answered.", headers={"X-Slack-No-Retry": "1"})
        if await self.handoffs.from_staff((metadata or {}).get("thread_id"), text):
            return response.text("Passed to the customer.")
        return await super().process_message(request, on_new_message, text, sender_id, metadata)


def is_json_post(request: Request) -> bool:
    """Slack's Events API posts JSON; interactive messages are form-encoded."""
    return request.method == "POST" and request.headers.get("content-type") == "application/json"
