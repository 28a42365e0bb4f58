"""``make cluster``: the same assistant as ``make run``, several servers of each kind.

PostgreSQL (conversations, outbox) and Redis (conversation locks) are ``DATABASE_URL`` and
``REDIS_URL`` when set, otherwise started here on free loopback ports, PostgreSQL's data
in ``$VAR_DIR/postgres``. Then the mail sink (without ``SMTP_HOST``), ``RELAYS`` relays,
retention, ``ACTION_REPLICAS`` action servers, ``RASA_REPLICAS`` Rasa servers on
``endpoints.cluster.yml``, the shop page, and HAProxy in front of them on the public ports
of ``make run`` (``RASA_PORT``, ``WEB_PORT``; ``stack/haproxy.py``). Replicas listen on
free loopback ports; only HAProxy's ports are public.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from settings import HOST, ClusterSettings, StackSettings
from stack.databases import PostgresServer, RedisServer
from stack.haproxy import STATS_PATH, Backend, all_servers_up, config
from stack.ports import free_port
from stack.processes import (
    ACTION_READY_PATH,
    RASA_READY_PATH,
    Service,
    Stack,
    action_server,
    mail_sink,
    monitor,
    rasa_server,
    relay,
    retention,
    tcp_open,
    web_server,
)

HAPROXY = Path("/usr/sbin/haproxy")
DATA_STAGE, SERVER_STAGE = 0, 1  # the databases are ready before any server starts
CLUSTER_ENDPOINTS = "endpoints.cluster.yml"


def own_postgres(settings: StackSettings) -> tuple[Service, str]:
    """PostgreSQL with its data under var/ (created on first start), and its URL."""
    server = PostgresServer(
        settings.paths.var_dir / "postgres", free_port(), settings.paths.logs_dir / "pg.log"
    )
    server.initialise()
    return Service(
        "postgres", server.command(), server.accepting_queries, stage=DATA_STAGE
    ), server.url


def own_redis(settings: StackSettings) -> tuple[Service, str]:
    server = RedisServer(free_port(), settings.paths.logs_dir / "redis.log")
    return Service("redis", server.command(), tcp_open(server.port), stage=DATA_STAGE), server.url


def haproxy(config_text: str, config_dir: Path, stats_port: int) -> Service:
    """HAProxy in the foreground (``-db``) with the generated configuration; ready once it
    sees every replica up (started last, so that is soon after they are)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "haproxy.cfg"
    path.write_text(config_text)
    stats = f"http://{HOST}:{stats_port}{STATS_PATH}"
    return Service("haproxy", [str(HAPROXY), "-db", "-f", str(path)], lambda: all_servers_up(stats))


def data_servers(settings: StackSettings, cluster: ClusterSettings) -> tuple[list[Service], dict]:
    """The servers to start for the shared state, and the variables that find it."""
    services, env = [], {}
    for url, start, names in (
        (cluster.database_url, own_postgres, ("DATABASE_URL",)),
        (cluster.redis_url, own_redis, ("REDIS_URL",)),
    ):
        if url is None:
            service, url = start(settings)
            services.append(service)
        env |= dict.fromkeys(names, url)
    return services, env


def numbered(count: int) -> list[tuple[int, int]]:
    """(replica number, free port) for each replica."""
    return [(number, free_port()) for number in range(1, count + 1)]


class ClusterStack(Stack):
    """The servers of ``make cluster``, started and stopped as one stack."""

    def __init__(self, settings: StackSettings, cluster: ClusterSettings) -> None:
        data, shared = data_servers(settings, cluster)
        shared |= {
            "SQL_POOL_SIZE": str(cluster.sql_pool_size),
            "SQL_MAX_OVERFLOW": str(cluster.sql_max_overflow),
            "TICKET_LOCK_LIFETIME": str(cluster.ticket_lock_lifetime_s),
        }
        settings = dataclasses.replace(settings, env={**settings.env, **shared})
        self.cluster = cluster
        action_lb = free_port()
        actions = numbered(cluster.action_replicas)
        rasas = numbered(cluster.rasa_replicas)
        web_port, stats_port = free_port(), free_port()
        rasa_servers = [
            rasa_server(
                settings,
                f"rasa-server-{n}",
                port,
                CLUSTER_ENDPOINTS,
                action_url=f"http://{HOST}:{action_lb}",
            )
            for n, port in rasas
        ]
        proxy = config(
            settings.rasa_port,
            settings.web_port,
            action_lb,
            stats_port,
            rasa=Backend("rasa", [port for _, port in rasas], RASA_READY_PATH),
            actions=Backend("actions", [port for _, port in actions], ACTION_READY_PATH),
            web=Backend("web", [web_port], "/"),
        )
        servers = [
            *([mail_sink(settings)] if settings.uses_mail_sink else []),
            *[relay(settings, f"relay-{n}") for n in range(1, cluster.relays + 1)],
            retention(settings),
            monitor(settings),
            *[action_server(settings, f"action-server-{n}", port) for n, port in actions],
            *rasa_servers,
            web_server(settings, web_port),
            haproxy(proxy, settings.paths.var_dir / "cluster", stats_port),
        ]
        for server in servers:
            server.stage = SERVER_STAGE
        super().__init__(settings, [*data, *servers])

    def replicas(self, kind: str) -> list[Service]:
        """The running servers of one kind ("rasa-server", "relay", ...), in order."""
        return [s for s in self.services if s.name.startswith(f"{kind}-")]
