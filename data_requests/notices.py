"""Tell the support team's Slack channel that a data request was stored.

The notice carries the request's type and reference only: the customer's details stay in
the outbox and the email to customer service, never in a chat history. Slack is a
courtesy here; the stored request is what counts, so a failed notice is logged and
dropped, never raised. The call blocks for at most ``TIMEOUT_S``; from async code run it
in a thread (``asyncio.to_thread``). ``slack_sdk`` is the client the Slack channel uses
too, so both speak to ``SLACK_API_URL`` the same way.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from settings import ChannelSettings

logger = logging.getLogger(__name__)

TIMEOUT_S = 5


def notice_text(request_type: str, reference: str) -> str:
    return f"New data request: {request_type}, reference {reference}"


def notify_request_stored(request_type: str, reference: str) -> None:
    """Post "New data request: <type>, reference <ref>" to ``SLACK_CHANNEL``, if Slack is on."""
    post_to_support(notice_text(request_type, reference), reference)


def post_to_support(text: str, reference: str) -> bool:
    """Post ``text`` about request ``reference`` to the support channel; whether it got
    there (False when Slack is off or failed; the failure is logged, never raised)."""
    settings = ChannelSettings.from_env()
    if not settings.slack_notices_enabled:
        return False
    client = WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT_S
    )
    try:
        client.chat_postMessage(channel=settings.slack_channel, text=text)
    except SlackApiError as refused:
        error = refused.response.get("error")
        logger.warning("Slack refused the notice of request %s: %s", reference, error)
    except (SlackClientError, OSError) as problem:
        logger.warning("Slack notice of request %s not sent: %s", reference, type(problem).__name__)
    else:
        return True
    return False
