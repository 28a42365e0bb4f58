"""Fixtures shared by every suite: the real model, an index in a temporary folder (the
project's current one copied, or built), a fake Slack Web API, and real PostgreSQL and
Redis servers (started only by the tests that ask for them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.answering.pipeline import Pipeline
from knowledge.builder import build
from knowledge.embedding import Encoder
from settings import KnowledgeSettings
from stack.databases import PostgresServer, RedisServer, postgres, redis
from tests.support.databases import new_database
from tests.support.fake_slack import FakeSlack


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    """Project settings with the index in a folder of the test run's own."""
    return replace(KnowledgeSettings.from_env(), index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def encoder(settings: KnowledgeSettings) -> Encoder:
    return Encoder.from_settings(settings)


@pytest.fixture(scope="session")
def built_index(settings: KnowledgeSettings, encoder: Encoder) -> Path:
    """The project's index copied in when it is current (make builds it from the current
    code before any test runs), saving a second build; ``build`` rebuilds the copy if it
    is missing or stale (reusing the trained question encoder when its inputs are the
    same), so a test never reads an index of other inputs."""
    project_index = KnowledgeSettings.from_env().index_dir
    if project_index.is_dir():
        shutil.copytree(project_index, settings.index_dir, dirs_exist_ok=True)
    build(settings, encoder)
    return settings.index_dir


@pytest.fixture(scope="session")
def pipeline(settings: KnowledgeSettings, built_index: Path) -> Pipeline:
    return Pipeline.from_settings(settings)


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack().running() as fake:
        yield fake


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A throw-away PostgreSQL 15 on a free loopback port (fsync off: it is thrown away)."""
    with postgres(log_dir=tmp_path_factory.mktemp("postgres-log"), durable=False) as server:
        yield server


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    """An empty database of the test's own on the session's PostgreSQL."""
    return new_database(postgres_server.url)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis(tmp_path_factory.mktemp("redis-log")) as server:
        yield server


# Fixtures that start a database server: the tests using them are marked "servers", and
# `make unit` (no servers) leaves them to `make test`.
SERVER_FIXTURES = frozenset({"postgres_server", "redis_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)
