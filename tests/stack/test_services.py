"""The throw-away database servers of ``make cluster`` and the tests really serve."""

from __future__ import annotations

import psycopg

from stack.services import PostgresServer, RedisServer, accepts_connections, postgres
from tests.support.databases import redis_command


def test_postgres_answers_queries_in_a_database_of_the_tests_own(database_url: str) -> None:
    with psycopg.connect(database_url) as connection:
        name, version = connection.execute("SELECT current_database(), version()").fetchone()
    assert name.startswith("test_") and "PostgreSQL 15" in version


def test_redis_answers_and_keeps_nothing_on_disk(redis_server: RedisServer) -> None:
    assert redis_command(redis_server.port, "PING") == b"+PONG\r\n"
    config = redis_command(redis_server.port, "CONFIG", "GET", "save")
    assert config.endswith(b"$4\r\nsave\r\n$0\r\n\r\n")


def test_a_stopped_postgres_leaves_its_port_closed_and_its_folder_gone() -> None:
    with postgres(durable=False) as server:
        assert accepts_connections(server.port)
        folder = server.data_dir
    assert not accepts_connections(server.port) and not folder.exists()


def test_a_data_folder_is_reused_by_the_next_start(postgres_server: PostgresServer) -> None:
    assert (postgres_server.data_dir / "PG_VERSION").exists()
    first = postgres_server.data_dir.stat().st_ino
    postgres_server.initialise()  # already initialised: nothing is recreated
    assert postgres_server.data_dir.stat().st_ino == first
