"""Free loopback ports, and a stack of the real servers on them with a var/ of its own:
what the end-to-end tests, the benchmarks and the evaluation start (never colliding with
a running `make run`)."""

from __future__ import annotations

import socket
from pathlib import Path

from settings import LOOPBACK, Paths, StackSettings
from stack.processes import Stack

# Channel variables blanked, so a developer's own secrets never change what tests see.
CHANNELS_OFF = dict.fromkeys(
    ("REST_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CHANNEL", "SLACK_API_URL"),
    "",
)
# The relay looks at the outbox often in tests, so mail arrives within a second.
FAST_RELAY = {"RELAY_POLL_SECONDS": "0.2", "RELAY_BACKOFF_SECONDS": "0.2"}


def free_port(host: str = LOOPBACK) -> int:
    """A port of ``host`` nothing listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


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
