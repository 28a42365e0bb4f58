"""Shared fixtures: the real model, an index built into a temporary folder, the stacks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.builder import build
from knowledge.embedding import Encoder
from knowledge.retrieval import Retriever
from knowledge.settings import Settings
from stack.processes import Stack
from stack.settings import StackSettings
from tests.fake_slack import BOT_TOKEN, SIGNING_SECRET, SUPPORT_CHANNEL, FakeSlack
from tests.network import free_port


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Project settings with the index in a folder of the test run's own."""
    return replace(Settings.from_env(), index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def encoder(settings: Settings) -> Encoder:
    return Encoder(settings.model)


@pytest.fixture(scope="session")
def built_index(settings: Settings, encoder: Encoder) -> Path:
    build(settings, encoder)
    return settings.index_dir


@pytest.fixture(scope="session")
def retriever(settings: Settings, built_index: Path) -> Retriever:
    return Retriever.from_settings(settings)


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


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real action server, Rasa server and shop page, on free ports, with their own var/."""
    with new_stack(tmp_path_factory, {}) as running:
        yield running


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack().running() as fake:
        yield fake


@pytest.fixture(scope="session")
def secured_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack
) -> Iterator[Stack]:
    """A second stack with every channel secret set: a REST token, Slack on the fake API.

    Tests read the secrets back from ``secured_stack.settings.env``.
    """
    env = {
        "REST_API_TOKEN": "test-rest-token",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_CHANNEL": SUPPORT_CHANNEL,
        "SLACK_API_URL": fake_slack.url,
    }
    with new_stack(tmp_path_factory, env) as running:
        yield running
