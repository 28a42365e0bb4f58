"""Shared fixtures: the real model, an index built into a temporary folder, the stack."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.builder import build
from knowledge.embedding import Encoder
from knowledge.retrieval import Retriever
from knowledge.settings import Settings


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real action server and Rasa server, on free ports, with their own var/."""
    from stack.processes import Stack
    from stack.settings import StackSettings

    settings = StackSettings(
        rasa_port=free_port(), action_port=free_port(), var_dir=tmp_path_factory.mktemp("var")
    )
    with Stack(settings) as running:
        yield running
