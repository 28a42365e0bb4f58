"""Stacks of the real servers for end-to-end tests, each on free ports with its own var/."""

from __future__ import annotations

import pytest

from stack.processes import Stack
from stack.settings import StackSettings
from tests.support.network import free_port

# Channel variables blanked, so a developer's own secrets never change what tests see.
CHANNELS_OFF = dict.fromkeys(
    ("REST_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CHANNEL", "SLACK_API_URL"),
    "",
)
# The relay looks at the outbox often in tests, so mail arrives within a second.
FAST_RELAY = {"RELAY_POLL_SECONDS": "0.2", "RELAY_BACKOFF_SECONDS": "0.2"}


def new_stack(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Stack:
    """A stack on free ports, with its own var/ and ``env`` for its servers (not started)."""
    settings = StackSettings(
        rasa_port=free_port(),
        action_port=free_port(),
        mail_sink_port=free_port(),
        web_port=free_port(),
        var_dir=tmp_path_factory.mktemp("var"),
        env={**CHANNELS_OFF, **FAST_RELAY, **env},
    )
    return Stack(settings)
