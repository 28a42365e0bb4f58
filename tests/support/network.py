"""Ports for the servers a test starts, and for ones it wants to find closed."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
