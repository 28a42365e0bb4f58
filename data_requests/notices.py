"""Tell the support team's Slack channel that a data request was stored.

The notice carries the request's type and reference only: the customer's details stay in
the outbox and the email to customer service, never in a chat history. Slack is a
courtesy here; the stored request is what counts, so a failed notice is logged and
dropped, never raised. The call blocks for at most ``TIMEOUT_S``; from async code run it
in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import logging

import requests

from channels.settings import ChannelSettings

logger = logging.getLogger(__name__)

TIMEOUT_S = 5


def notify_request_stored(request_type: str, reference: str) -> None:
    """Post "New data request: <type>, reference <ref>" to ``SLACK_CHANNEL``, if Slack is on."""
    settings = ChannelSettings.from_env()
    if not settings.slack_notices_enabled:
        return
    try:
        answer = requests.post(
            f"{settings.slack_api_url}chat.postMessage",
            json={
                "channel": settings.slack_channel,
                "text": f"New data request: {request_type}, reference {reference}",
            },
            headers={"Authorization": f"Bearer {settings.slack_bot_token}"},
            timeout=TIMEOUT_S,
        )
        answer.raise_for_status()
        body = answer.json()
    except (requests.RequestException, ValueError) as problem:
        logger.warning("Slack notice of request %s not sent: %s", reference, type(problem).__name__)
        return
    if not body.get("ok"):
        logger.warning("Slack refused the notice of request %s: %s", reference, body.get("error"))
