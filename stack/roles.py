"""One role of a cluster across machines, on the machine it runs on (``make cluster
ROLE=...``, ``python -m stack --cluster --role ...``, or deploy/'s systemd units).

- ``database``: PostgreSQL and Redis at the addresses ``DATABASE_URL`` and ``REDIS_URL``
  give every host (their port and password; listening on ``BIND_HOST``), and the mail
  sink when ``SMTP_HOST`` is unset (so tests see what the relays send, over real SMTP).
- ``application``: a Rasa server on ``RASA_PORT`` and an action server on ``ACTION_PORT``,
  a relay, retention and the monitor. Every application host runs the same: relays share
  the outbox (a request is claimed by one), retention's deletes are idempotent, alerts
  are recorded in the outbox when announced, and each monitor serves its own host's
  metrics. The Rasa server calls ``ACTION_SERVER_URL`` (the edge's action port, or by
  default this host's own action server).
- ``edge``: HAProxy on ``RASA_PORT``, ``WEB_PORT`` and ``ACTION_PORT`` in front of
  ``RASA_SERVERS`` and ``ACTION_SERVERS``, and the shop page.

The servers are those of ``make cluster`` (stack/cluster.py), watched by the same
supervisor: one that dies on a host is started again there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from settings import ClusterSettings, StackSettings
from stack.cluster import (
    CLUSTER_ENDPOINTS,
    back_office,
    front,
    postgres_service,
    redis_service,
    with_shared_state,
)
from stack.processes import Service, Stack, StackError, action_server, mail_sink, rasa_server

ROLES = ("database", "application", "edge")
POSTGRES_PORT, REDIS_PORT = 5432, 6379  # the servers' usual ports, when a URL names none


def missing(settings: StackSettings, names: tuple[str, ...]) -> None:
    """Stop before starting anything when a variable the role needs is unset: a host
    that started without its peers' addresses would only fail later, less clearly."""
    unset = [name for name in names if not settings.setting(name)]
    if unset:
        raise StackError(f"this role needs {', '.join(unset)} (see docs/deploy.md)")


def database(settings: StackSettings, cluster: ClusterSettings) -> list[Service]:
    """PostgreSQL and Redis on the ports and with the passwords of the URLs the other
    hosts are given; the mail sink without ``SMTP_HOST``."""
    postgres, redis = urlsplit(cluster.database_url or ""), urlsplit(cluster.redis_url or "")
    services = [
        postgres_service(settings, postgres.port or POSTGRES_PORT, postgres.password)[0],
        redis_service(settings, redis.port or REDIS_PORT, redis.password)[0],
    ]
    return [*services, *([mail_sink(settings)] if settings.uses_mail_sink else [])]


def application(settings: StackSettings, cluster: ClusterSettings) -> list[Service]:
    """One Rasa server and one action server on this host's public ports, beside a relay,
    retention and the monitor; the conversation state is the database host's. Every
    application host needs the same ``VERIFY_SECRET``: a code mailed by one is checked
    by whichever takes the customer's next message."""
    missing(settings, ("DATABASE_URL", "REDIS_URL", "VERIFY_SECRET"))
    urls = {"DATABASE_URL": cluster.database_url, "REDIS_URL": cluster.redis_url}
    settings = with_shared_state(settings, cluster, urls)
    return [
        *back_office(settings, ["relay"]),
        action_server(settings),
        rasa_server(settings, endpoints=CLUSTER_ENDPOINTS),
    ]


def edge(settings: StackSettings, cluster: ClusterSettings) -> list[Service]:
    """HAProxy in front of the application hosts, ready once one server of each kind
    answers (a host that is down must not keep the door shut), and the shop page."""
    missing(settings, ("RASA_SERVERS", "ACTION_SERVERS"))
    return front(settings, cluster.rasa_servers, cluster.action_servers, settings.action_port, any)


def role_stack(role: str, settings: StackSettings, cluster: ClusterSettings) -> Stack:
    """The servers of one role on this host, as one stack."""
    build = {"database": database, "application": application, "edge": edge}[role]
    return Stack(settings, build(settings, cluster))
