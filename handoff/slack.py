"""Posting to the support channel's handoff threads, with ``slack_sdk`` (as the request
notices and the Slack channel do, so all speak to ``SLACK_API_URL`` the same way).

A failed post is logged (never with its text) and reported as None: the caller tells
the customer the team could not be reached. The call blocks for at most ``TIMEOUT_S``;
from async code run it in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handoff.messages import END_PAYLOAD, escape_mrkdwn
from settings import ChannelSettings

logger = logging.getLogger(__name__)

TIMEOUT_S = 5


def end_button() -> list[dict[str, Any]]:
    """The End chat button under the thread's first message."""
    return [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "end_handoff",
                    "text": {"type": "plain_text", "text": "End chat"},
                    "value": END_PAYLOAD,
                }
            ],
        }
    ]


def post(
    settings: ChannelSettings,
    text: str,
    thread_ts: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> str | None:
    """Post ``text`` to the support channel (in ``thread_ts`` when given); the posted
    message's timestamp, which names a new thread, or None if Slack could not be told."""
    client = WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT_S
    )
    extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
    if blocks:
        section = {"type": "section", "text": {"type": "plain_text", "text": text[:3000]}}
        extra["blocks"] = [section, *blocks]
    try:
        answer = client.chat_postMessage(
            channel=settings.slack_channel, text=escape_mrkdwn(text), **extra
        )
    except SlackApiError as refused:
        logger.warning("Slack refused a handoff message: %s", refused.response.get("error"))
    except (SlackClientError, OSError) as problem:
        logger.warning("handoff message not sent to Slack: %s", type(problem).__name__)
    else:
        return answer.get("ts")
    return None
