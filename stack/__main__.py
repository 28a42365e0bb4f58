"""``make run`` / ``make cluster`` (``--cluster``): start the servers, say where to talk to
the bot, start again any that dies (stack/supervision.py), stop all on Ctrl-C. With
``--role`` (``make cluster ROLE=...``), one role of a cluster across machines
(stack/roles.py)."""

from __future__ import annotations

import argparse
import signal
import sys

from settings import ChannelSettings, ClusterSettings, StackSettings, SupervisionSettings
from stack.cluster import ClusterStack
from stack.processes import ACTION_HEALTH, MONITOR_HEALTH, RASA_HEALTH, Stack, StackError
from stack.roles import ROLES, role_stack
from stack.supervision import Supervisor


def cluster_line(cluster: ClusterSettings | None) -> str:
    """What ``make cluster`` runs behind HAProxy (no URL: it may carry a password)."""
    if cluster is None:
        return ""
    postgres = "DATABASE_URL's" if cluster.database_url else "own (data in var/postgres)"
    redis = "REDIS_URL's" if cluster.redis_url else "own"
    return (
        f"  Cluster:        {cluster.rasa_replicas} Rasa servers, {cluster.action_replicas} "
        f"action servers, {cluster.relays} relays behind HAProxy; "
        f"PostgreSQL {postgres}, Redis {redis}\n"
    )


def health_lines(settings: StackSettings, cluster: ClusterSettings | None = None) -> str:
    """Where Prometheus scrapes the stack, and each server's live and ready checks (the
    cluster's action servers are on private ports, checked by HAProxy)."""
    metrics = settings.monitor.metrics_url
    checks = [
        ("Rasa", settings.rasa_url + RASA_HEALTH),
        ("monitor", metrics.removesuffix("/metrics") + MONITOR_HEALTH),
    ]
    if cluster is None:
        checks.append(("actions", settings.action_url + ACTION_HEALTH))
    health = ", ".join(f"{base}/{{live,ready}} ({name})" for name, base in checks)
    token = "$MONITOR_TOKEN" if settings.monitor.token else f"$(cat {settings.monitor.token_file})"
    review = f'curl -s -H "Authorization: Bearer {token}" {metrics.removesuffix("/metrics")}/review'
    return (
        f"  Metrics:        {metrics}\n  Health:         {health}\n"
        f"  Review:         make review, or {review}\n"
    )


def banner(
    settings: StackSettings, channels: ChannelSettings, cluster: ClusterSettings | None = None
) -> str:
    token = ' -H "Authorization: Bearer $REST_API_TOKEN"' if channels.rest_api_token else ""
    slack = (
        f"{settings.rasa_url}/webhooks/slack/webhook"
        if channels.slack_enabled
        else "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
    )
    mail = (
        f"saved as .eml files in {settings.paths.mail_dir}"
        if settings.uses_mail_sink
        else f"sent via {settings.setting('SMTP_HOST')}"
    )
    return (
        "\nThe Jessops privacy assistant is running.\n"
        f"  Shop page:      {settings.web_url}  (chat widget in the corner)\n"
        f"  REST webhook:   curl -s {settings.rest_webhook}{token} "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "me", "message": "Do you sell my data?"}\'\n'
        f"  Slack events:   {slack}\n"
        f"  Request mail:   {mail}\n"
        f"  Logs:           {settings.paths.logs_dir}\n"
        f"{health_lines(settings, cluster)}"
        f"{cluster_line(cluster)}"
        "Press Ctrl-C to stop.\n"
    )


def role_banner(stack: Stack, role: str) -> str:
    """What one host of a cluster runs: its servers, where they listen and log."""
    names = ", ".join(service.name for service in stack.services)
    settings = stack.settings
    door = (
        f"  Shop page:      {settings.web_url}\n  REST webhook:   {settings.rest_webhook}\n"
        if role == "edge"
        else ""
    )
    return (
        f"\nThe Jessops privacy assistant's {role} role is running on "
        f"{settings.bind_host}: {names}.\n{door}"
        f"  Logs:           {settings.paths.logs_dir}\n"
        "Press Ctrl-C to stop.\n"
    )


def new_stack(settings: StackSettings, cluster: ClusterSettings | None, role: str | None) -> Stack:
    if role:
        return role_stack(role, settings, cluster or ClusterSettings.from_env())
    return ClusterStack(settings, cluster) if cluster else Stack(settings)


def report(line: str) -> None:
    print(line, file=sys.stderr if line.startswith("error") else sys.stdout, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", action="store_true", help="make cluster: several of each")
    parser.add_argument("--role", choices=ROLES, help="one role of a cluster across machines")
    args = parser.parse_args(argv)
    settings = StackSettings.from_env()
    cluster = ClusterSettings.from_env() if args.cluster else None
    try:
        stack = new_stack(settings, cluster, args.role)
    except StackError as problem:  # PostgreSQL could not be set up, or a setting is missing
        print(f"error: {problem}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        print("Starting the servers...", flush=True)
        stack.start()
        channels = settings.channels()
        shown = (
            role_banner(stack, args.role)
            if args.role
            else banner(stack.settings, channels, cluster)
        )
        print(shown, flush=True)
        Supervisor(stack, SupervisionSettings.from_env(), say=report).run()
    except StackError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, SystemExit):
        print("\nStopping...", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
