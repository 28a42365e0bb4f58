"""Database paths a user exports are what the servers and the support commands all use."""

from __future__ import annotations

import os
import subprocess

import pytest

from settings import PROJECT_ROOT
from stack.processes import Stack
from stack.rest_client import converse, new_sender, reference_in
from tests.support.stored_events import user_texts

pytestmark = pytest.mark.e2e


SUB_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ARGS")


def make(target: str, stack: Stack, **variables: str) -> str:
    """``make -s <target>`` with the stack's exported database paths and nothing else of it."""
    exported = {name: stack.settings.env[name] for name in ("OUTBOX_DB", "TRACKER_DB")}
    arguments = [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(
        ["make", "-s", target, *arguments],
        cwd=PROJECT_ROOT,
        # Not the outer make's flags: under `make pytest ARGS=...` its ARGS would reach
        # this make too and become the command.
        env={**{k: v for k, v in os.environ.items() if k not in SUB_MAKE}, **exported},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_requests_and_forget_share_the_exported_databases(stack: Stack) -> None:
    paths = stack.settings.paths
    assert paths.outbox_db.parent != paths.var_dir and paths.tracker_db.parent != paths.var_dir
    sender = new_sender("exported")
    replies = converse(
        stack.settings.rest_webhook,
        ["stop sending me marketing emails", "Ola Nordmann", "ola@example.com", "yes"],
        sender,
    )
    reference = reference_in(replies[-1])
    assert reference, replies[-1]
    assert not (paths.var_dir / "outbox.db").exists()
    assert not (paths.var_dir / "tracker.db").exists()

    assert reference in make("requests", stack)
    assert user_texts(paths.tracker_db, sender)
    assert "deleted" in make("forget", stack, SENDER=sender)
    assert user_texts(paths.tracker_db, sender) == []
