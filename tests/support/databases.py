"""Real PostgreSQL and Redis servers for tests, and a fresh database for each test.

One server of each per test run (started by the fixtures in ``tests/conftest.py`` with
``stack.databases``); each test that writes gets a database of its own, so tests never
see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import socket
from urllib.parse import urlsplit, urlunsplit

import psycopg

_numbers = itertools.count()


def new_database(server_url: str) -> str:
    """Create an empty database on the server at ``server_url``; its URL."""
    name = f"test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def _encoded(*words: str) -> bytes:
    return (f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)).encode()


def redis_command(port: int, *words: str, db: int = 0) -> bytes:
    """One Redis command over a plain socket (the tests' interpreter has no redis-py);
    its raw reply. In another database than 0 the reply follows SELECT's ``+OK``."""
    request = (_encoded("SELECT", str(db)) if db else b"") + _encoded(*words)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        reply = connection.recv(65536)
        while db and reply.count(b"\r\n") < 2:  # SELECT's reply may come alone
            reply += connection.recv(65536)
        return reply
