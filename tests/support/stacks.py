"""Stacks of the real servers for end-to-end tests, each on free ports with its own var/
(``stack.ports``)."""

from __future__ import annotations

import pytest

from stack.ports import stack_on_free_ports
from stack.processes import Stack


def new_stack(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Stack:
    """A stack on free ports with a var/ of the test run's own; not started."""
    return stack_on_free_ports(tmp_path_factory.mktemp("var"), env)
