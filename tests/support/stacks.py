"""Stacks of the real servers for end-to-end tests, each on free ports with its own var/
(``stack.ports``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from stack.ports import stack_on_free_ports
from stack.processes import Stack


def new_stack(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Stack:
    """A stack on free ports with a var/ of the test run's own; not started."""
    return stack_on_free_ports(tmp_path_factory.mktemp("var"), env)


# The support team's hours for the plain stack: one day three days from now, so a
# customer asking for a person there is outside them (test_handoff.py's own stack takes
# chats at any hour). The current time is passed as a setting, never faked.
CLOSED_NOW = f"{(datetime.now(timezone.utc) + timedelta(days=3)):%a} 09:00-17:30 UTC"
