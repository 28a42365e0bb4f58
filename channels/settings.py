"""Channel settings, each read from one environment variable.

The Rasa server's connectors and the action server's Slack notice both read them here,
so this module uses the standard library only (it runs on Python 3.10 and 3.11). An
empty variable counts as unset, so a deployment can switch a channel off with ``VAR=``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_MAX_MESSAGE_CHARS = 2000
DEFAULT_RATE_LIMIT_MESSAGES = 20
DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 60.0


def _value(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name) or None


@dataclass(frozen=True)
class ChannelSettings:
    """Secrets and addresses of the REST and Slack channels, and every channel's limits;
    all optional."""

    rest_api_token: str | None
    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_channel: str | None
    slack_api_url: str
    # Every channel: longer messages and more per sender per window never reach Rasa.
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    rate_limit_messages: int = DEFAULT_RATE_LIMIT_MESSAGES
    rate_limit_window_s: float = DEFAULT_RATE_LIMIT_WINDOW_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ChannelSettings:
        api_url = _value(environ, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
        return cls(
            rest_api_token=_value(environ, "REST_API_TOKEN"),
            slack_bot_token=_value(environ, "SLACK_BOT_TOKEN"),
            slack_signing_secret=_value(environ, "SLACK_SIGNING_SECRET"),
            slack_channel=_value(environ, "SLACK_CHANNEL"),
            # Methods are joined to it ("chat.postMessage"), so it must end in a slash.
            slack_api_url=api_url if api_url.endswith("/") else f"{api_url}/",
            max_message_chars=int(
                _value(environ, "MAX_MESSAGE_CHARS") or DEFAULT_MAX_MESSAGE_CHARS
            ),
            rate_limit_messages=int(
                _value(environ, "RATE_LIMIT_MESSAGES") or DEFAULT_RATE_LIMIT_MESSAGES
            ),
            rate_limit_window_s=float(
                _value(environ, "RATE_LIMIT_WINDOW_SECONDS") or DEFAULT_RATE_LIMIT_WINDOW_SECONDS
            ),
        )

    @property
    def slack_enabled(self) -> bool:
        """The Slack channel listens only when it can both verify requests and answer."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def slack_notices_enabled(self) -> bool:
        """Notices need only a token and a channel to post to; no requests come in."""
        return bool(self.slack_bot_token and self.slack_channel)
