"""HAProxy's configuration for ``make cluster`` and a cluster's edge host: the public ports
in front of the replicas.

Three front ends, all on ``BIND_HOST``: the Rasa servers on ``RASA_PORT`` (REST, Slack and
the widget's socket.io), the shop page on ``WEB_PORT``, and the action servers on a port
that the Rasa servers call. The servers behind them are ``host:port`` addresses: free
loopback ports of one machine, or the application hosts of a cluster across machines.
Each back end checks its servers' health every second and takes a server out after two
failed checks, so a dead replica gets no new requests.

Retries, each to another server: a request that never reached a server (connection
refused: a replica just died) is retried whatever its method. A GET is retried on any
retryable failure. A customer's message (a POST to Rasa) that reached a server is
retried only when the server closed the connection without any answer, which is what a
Rasa server killed mid-turn does: Rasa saves a turn's events only at the end of the
turn, so the other server almost always handles the message for the first time, and the
turn's effects are idempotent anyway (a confirmed request is stored under its
submission key, once). A POST answered with an error, or too slowly, is never retried:
that turn may have happened. Calls to the action servers are retried only before they
reach one. socket.io keeps a session in the Rasa server that
accepted it (Rasa has no shared socket.io manager), so ``/socket.io/`` sticks to one
server per client address; REST and Slack need no stickiness, as every turn reads the
conversation from PostgreSQL under a Redis lock.
"""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

CHECK_INTERVAL_MS = 1000
FALL_AFTER_CHECKS = 2
# How long a health check may wait for its answer. A Rasa server under load answers its
# readiness check only after the turns queued before it on its event loop: with the
# check timing out at the interval (HAProxy's default), 64 customers at once on two cores
# took both Rasa servers out and 189 messages got HAProxy's 503. A dead server refuses
# the connection at once, so it is still taken out within two intervals.
CHECK_TIMEOUT = "10s"
RETRIES = 3
CONNECT_TIMEOUT = "2s"
# A turn can wait on the action server's model; socket.io long-polls for up to ~25 s.
SERVER_TIMEOUT = "60s"
# An upgraded websocket stays open as long as the widget does.
TUNNEL_TIMEOUT = "1h"
STATS_PATH = "/stats"


@dataclass(frozen=True)
class Backend:
    """Servers of one kind: their name, ``host:port`` addresses and the URL path that says
    they are up."""

    name: str
    servers: Sequence[str]
    health_path: str


def _servers(backend: Backend) -> list[str]:
    return [
        f"    server {backend.name}-{number} {address} check"
        for number, address in enumerate(backend.servers, start=1)
    ]


def _fallbacks(backend: Backend) -> list[str]:
    """The same servers again as unchecked backups, used only while every server fails
    its readiness check.

    When PostgreSQL or Redis is down, every Rasa server is "not ready" at once, and
    HAProxy alone would answer each customer with a bare 503. A Rasa server can still
    say "I can't answer just now, please try again" (channels/guard.py), so the turn
    goes to one of them anyway. A dead one refuses the connection, and the retry goes
    to the next.
    """
    return [
        "    option allbackups",
        *(
            f"    server {backend.name}-{number}-anyway {address} backup"
            for number, address in enumerate(backend.servers, start=1)
        ),
    ]


# A request that reached a server is retried only if it is a GET (a POST may have acted).
ONLY_GETS_AFTER_SENDING = "    http-request disable-l7-retry unless METH_GET"


def _backend(
    backend: Backend,
    balance: str = "roundrobin",
    retries: Sequence[str] = (ONLY_GETS_AFTER_SENDING,),
    fallbacks: bool = False,
) -> list[str]:
    return [
        f"backend {backend.name}",
        f"    balance {balance}",
        f"    option httpchk GET {backend.health_path}",
        "    http-check expect status 200",
        *retries,
        *_servers(backend),
        *(_fallbacks(backend) if fallbacks else []),
        "",
    ]


def _frontend(address: str, name: str, port: int, rules: Sequence[str] = ()) -> list[str]:
    return [f"frontend {name}", f"    bind {address}:{port}", *rules, ""]


def servers_up(stats_url: str, enough: Callable[[Iterable[bool]], bool] = all) -> bool:
    """Whether, in HAProxy's stats (CSV), ``enough`` of each back end's servers are up:
    ``all`` on one machine (only then does a request reach any replica, a socket.io
    session included); ``any`` on an edge host, whose application hosts come and go."""
    try:
        with urllib.request.urlopen(f"{stats_url};csv", timeout=2) as response:
            rows = list(csv.DictReader(io.StringIO(response.read().decode().lstrip("# "))))
    except (urllib.error.URLError, OSError):
        return False
    up: dict[str, list[bool]] = {}
    for row in rows:
        if row["svname"] not in ("FRONTEND", "BACKEND") and row["bck"] != "1":  # checked ones
            up.setdefault(row["pxname"], []).append(row["status"] == "UP")
    return bool(up) and all(enough(states) for states in up.values())


def config(
    bind_host: str,
    rasa_port: int,
    web_port: int,
    action_port: int,
    stats_port: int,
    rasa: Backend,
    actions: Backend,
    web: Backend,
) -> str:
    """The whole haproxy.cfg, its front ends on ``bind_host``."""
    lines = [
        "global",
        "    log stdout format raw local0",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        f"    timeout connect {CONNECT_TIMEOUT}",
        f"    timeout client {SERVER_TIMEOUT}",
        f"    timeout server {SERVER_TIMEOUT}",
        f"    timeout tunnel {TUNNEL_TIMEOUT}",
        f"    timeout check {CHECK_TIMEOUT}",
        f"    retries {RETRIES}",
        "    option redispatch 1",  # every retry goes to another server
        "    retry-on all-retryable-errors",
        f"    default-server inter {CHECK_INTERVAL_MS} fall {FALL_AFTER_CHECKS} rise 1"
        # A server whose name does not resolve at start waits, down, instead of stopping
        # HAProxy: the edge starts whichever application hosts are up.
        " init-addr last,libc,none",
        "",
        *_frontend(
            bind_host,
            "rasa",
            rasa_port,
            [
                "    use_backend rasa-socketio if { path_beg /socket.io/ }",
                "    default_backend rasa",
            ],
        ),
        *_frontend(bind_host, "actions", action_port, ["    default_backend actions"]),
        *_frontend(bind_host, "web", web_port, ["    default_backend web"]),
        # Which servers are up, for people (a page) and for make cluster's start-up (CSV).
        *_frontend(
            bind_host, "stats", stats_port, ["    stats enable", f"    stats uri {STATS_PATH}"]
        ),
        # A customer's message only when a server died on it without answering (above).
        # The whole body is read before it is sent on, or HAProxy cannot send it again.
        *_backend(
            rasa,
            retries=["    option http-buffer-request", "    retry-on conn-failure empty-response"],
            fallbacks=True,
        ),
        # Same servers, sticky per client address: a socket.io session lives in one server.
        *_backend(
            Backend("rasa-socketio", rasa.servers, rasa.health_path), "source", fallbacks=True
        ),
        *_backend(actions),
        *_backend(web),
    ]
    return "\n".join(lines)
