"""The throw-away database servers of ``make cluster`` and the tests really serve."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from stack.databases import (
    PostgresServer,
    RedisServer,
    ServiceError,
    accepts_connections,
    free_port,
    give_to_postgres,
    postgres,
    redis,
)
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
        assert accepts_connections(server.host, server.port)
        folder = server.data_dir
    assert not accepts_connections(server.host, server.port) and not folder.exists()


def test_make_clusters_data_folder_keeps_conversations_between_runs() -> None:
    """``make cluster`` keeps PostgreSQL's data under var/: a second start reuses it."""
    scratch = Path(tempfile.mkdtemp(prefix="jessops-pg-test-"))
    give_to_postgres(scratch)
    try:
        for run in range(2):
            with (
                postgres(data_dir=scratch / "data", log_dir=scratch) as server,
                psycopg.connect(server.url, autocommit=True) as db,
            ):
                if run == 0:
                    db.execute("CREATE TABLE kept (note TEXT)")
                    db.execute("INSERT INTO kept VALUES ('from the first run')")
                notes = db.execute("SELECT note FROM kept").fetchall()
        assert notes == [("from the first run",)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_a_data_folder_postgres_cannot_reach_is_a_clear_error() -> None:
    """As root, PostgreSQL runs as the postgres user: a private parent folder stops it."""
    private = Path(tempfile.mkdtemp(prefix="jessops-private-"))  # mode 700, root's
    try:
        with pytest.raises(ServiceError, match=r"initdb failed in .*jessops-private-"):
            PostgresServer(private / "pg", free_port(), private / "pg.log").initialise()
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_a_database_host_with_a_password_admits_only_clients_that_give_it() -> None:
    """The database host of a cluster across machines: PostgreSQL and Redis on its
    address, each refusing a client without the password of the URLs its peers get."""
    scratch = Path(tempfile.mkdtemp(prefix="jessops-pg-pw-"))
    give_to_postgres(scratch)
    server = PostgresServer(scratch / "data", free_port(), scratch / "pg.log", password="s3cret")
    try:
        server.start()
        with psycopg.connect(server.url) as db:
            assert db.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(server.url.replace(":s3cret", ""))
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    assert server.url.startswith("postgresql://postgres:s3cret@127.0.0.1:")


def test_redis_with_a_password_refuses_commands_until_authenticated(tmp_path: Path) -> None:
    with redis(tmp_path) as plain:
        assert plain.url == f"redis://127.0.0.1:{plain.port}/0"
    locked = RedisServer(free_port(), tmp_path / "locked.log", password="s3cret")
    try:
        locked.start()
        assert redis_command(locked.port, "PING").startswith(b"-NOAUTH")
        assert redis_command(locked.port, "AUTH", "s3cret") == b"+OK\r\n"
    finally:
        locked.stop()
    assert locked.url == f"redis://:s3cret@127.0.0.1:{locked.port}/0"
