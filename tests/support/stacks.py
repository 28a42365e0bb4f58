"""Stacks of the real servers for end-to-end tests, each on free ports with its own var/."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Paths, StackSettings
from stack.processes import Stack
from tests.support.network import free_port

# Channel variables blanked, so a developer's own secrets never change what tests see.
CHANNELS_OFF = dict.fromkeys(
    ("REST_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CHANNEL", "SLACK_API_URL"),
    "",
)
# The relay looks at the outbox often in tests, so mail arrives within a second.
FAST_RELAY = {"RELAY_POLL_SECONDS": "0.2", "RELAY_BACKOFF_SECONDS": "0.2"}


def free_port_env(var_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """Variables for a stack on free ports (never colliding with a running `make run`),
    with ``var_dir`` as its var/, channels off, a fast relay, then ``env`` on top."""
    own = {
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "MAIL_SINK_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "METRICS_PORT": str(free_port()),
        "VAR_DIR": str(var_dir),
        # Runtime paths follow VAR_DIR; the clause index is the one `make` built.
        "TRACKER_DB": "",
        "OUTBOX_DB": "",
        "KNOWLEDGE_INDEX_DIR": str(Paths.from_env().index_dir),
    }
    return {**CHANNELS_OFF, **FAST_RELAY, **own, **env}


def stack_on_free_ports(var_dir: Path, env: dict[str, str]) -> Stack:
    """A stack on free ports with ``var_dir`` as its var/ and ``env`` for its servers;
    not started."""
    return Stack(StackSettings.from_env(env=free_port_env(var_dir, env)))


def new_stack(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Stack:
    """A stack on free ports with a var/ of the test run's own; not started."""
    return stack_on_free_ports(tmp_path_factory.mktemp("var"), env)
