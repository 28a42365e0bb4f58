"""``make cluster``: the same assistant as ``make run``, several servers of each kind.

PostgreSQL (conversations, outbox) and Redis (conversation locks) are ``DATABASE_URL`` and
``REDIS_URL`` when set, otherwise started here on free ports of ``BIND_HOST``, PostgreSQL's
data in ``$VAR_DIR/postgres``. Then the mail sink (without ``SMTP_HOST``), ``RELAYS``
relays, retention, ``ACTION_REPLICAS`` action servers, ``RASA_REPLICAS`` Rasa servers on
``endpoints.cluster.yml``, the shop page, and HAProxy in front of them on the public ports
of ``make run`` (``RASA_PORT``, ``WEB_PORT``; ``stack/haproxy.py``). Replicas listen on
free ports; only HAProxy's ports are public. The pieces are also what one role of a
cluster across machines starts (``stack/roles.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from settings import ClusterSettings, StackSettings
from stack.databases import PostgresServer, RedisServer
from stack.haproxy import STATS_PATH, Backend, config, servers_up
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


def postgres_service(
    settings: StackSettings, port: int, password: str | None = None
) -> tuple[Service, str]:
    """PostgreSQL on this host's address, its data under var/ (created on first start),
    and the URL that reaches it."""
    server = PostgresServer(
        settings.paths.var_dir / "postgres",
        port,
        settings.paths.logs_dir / "pg.log",
        host=settings.bind_host,
        password=password,
    )
    server.initialise()
    service = Service("postgres", server.command(), server.accepting_queries, stage=DATA_STAGE)
    return service, server.url


def redis_service(
    settings: StackSettings, port: int, password: str | None = None
) -> tuple[Service, str]:
    server = RedisServer(
        port, settings.paths.logs_dir / "redis.log", host=settings.bind_host, password=password
    )
    ready = tcp_open(server.host, server.port)
    return Service("redis", server.command(), ready, stage=DATA_STAGE), server.url


def haproxy(
    settings: StackSettings,
    config_text: str,
    stats_port: int,
    enough: Callable[[Iterable[bool]], bool] = all,
) -> Service:
    """HAProxy in the foreground (``-db``) with the generated configuration; ready once it
    sees ``enough`` servers of each back end up (started last, so soon after they are)."""
    config_dir = settings.paths.var_dir / "cluster"
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "haproxy.cfg"
    path.write_text(config_text)
    stats = f"http://{settings.bind_host}:{stats_port}{STATS_PATH}"
    argv = [str(HAPROXY), "-db", "-f", str(path)]
    return Service("haproxy", argv, lambda: servers_up(stats, enough))


def front(
    settings: StackSettings,
    rasas: Sequence[str],
    actions: Sequence[str],
    action_port: int,
    enough: Callable[[Iterable[bool]], bool] = all,
) -> list[Service]:
    """The shop page and HAProxy in front of the Rasa servers and action servers at
    ``host:port`` addresses: the public ports, and the action servers' on ``action_port``."""
    web_port, stats_port = free_port(settings.bind_host), free_port(settings.bind_host)
    proxy = config(
        settings.bind_host,
        settings.rasa_port,
        settings.web_port,
        action_port,
        stats_port,
        rasa=Backend("rasa", rasas, RASA_READY_PATH),
        actions=Backend("actions", actions, ACTION_READY_PATH),
        web=Backend("web", [f"{settings.bind_host}:{web_port}"], "/"),
    )
    return [web_server(settings, web_port), haproxy(settings, proxy, stats_port, enough)]


def back_office(settings: StackSettings, relays: Sequence[str]) -> list[Service]:
    """What runs beside the servers customers talk to: the mail sink (without
    ``SMTP_HOST``), the relays named, retention and the monitor."""
    return [
        *([mail_sink(settings)] if settings.uses_mail_sink else []),
        *[relay(settings, name) for name in relays],
        retention(settings),
        monitor(settings),
    ]


def with_shared_state(
    settings: StackSettings, cluster: ClusterSettings, urls: dict[str, str]
) -> StackSettings:
    """The settings with every server pointed at the shared PostgreSQL and Redis
    (``urls``), and Rasa's pool and lock settings sized for several servers."""
    shared = {
        **urls,
        "SQL_POOL_SIZE": str(cluster.sql_pool_size),
        "SQL_MAX_OVERFLOW": str(cluster.sql_max_overflow),
        "TICKET_LOCK_LIFETIME": str(cluster.ticket_lock_lifetime_s),
    }
    return dataclasses.replace(settings, env={**settings.env, **shared})


def data_servers(settings: StackSettings, cluster: ClusterSettings) -> tuple[list[Service], dict]:
    """The servers to start for the shared state (those without a URL), and the
    variables that find it."""
    services, env = [], {}
    for url, start, name in (
        (cluster.database_url, postgres_service, "DATABASE_URL"),
        (cluster.redis_url, redis_service, "REDIS_URL"),
    ):
        if url is None:
            service, url = start(settings, free_port(settings.bind_host))
            services.append(service)
        env[name] = url
    return services, env


def numbered(host: str, count: int) -> list[tuple[int, int]]:
    """(replica number, free port of ``host``) for each replica."""
    return [(number, free_port(host)) for number in range(1, count + 1)]


class ClusterStack(Stack):
    """The servers of ``make cluster``, started and stopped as one stack."""

    def __init__(self, settings: StackSettings, cluster: ClusterSettings) -> None:
        data, urls = data_servers(settings, cluster)
        settings = with_shared_state(settings, cluster, urls)
        self.cluster = cluster
        host = settings.bind_host
        action_lb = free_port(host)
        actions = numbered(host, cluster.action_replicas)
        rasas = numbered(host, cluster.rasa_replicas)
        servers = [
            *back_office(settings, [f"relay-{n}" for n in range(1, cluster.relays + 1)]),
            *[action_server(settings, f"action-server-{n}", port) for n, port in actions],
            *[
                rasa_server(
                    settings,
                    f"rasa-server-{n}",
                    port,
                    CLUSTER_ENDPOINTS,
                    action_url=f"http://{host}:{action_lb}",
                )
                for n, port in rasas
            ],
            *front(
                settings,
                [f"{host}:{port}" for _, port in rasas],
                [f"{host}:{port}" for _, port in actions],
                action_lb,
            ),
        ]
        for server in servers:
            server.stage = SERVER_STAGE
        super().__init__(settings, [*data, *servers])

    def replicas(self, kind: str) -> list[Service]:
        """The running servers of one kind ("rasa-server", "relay", ...), in order."""
        return [s for s in self.services if s.name.startswith(f"{kind}-")]
