"""What `make cluster` starts: how many of each, what they share, and a config HAProxy takes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from settings import ClusterSettings, StackSettings
from stack.cluster import HAPROXY, ClusterStack
from stack.processes import ACTION_READY_PATH, RASA_READY_PATH

SHARED = {
    "DATABASE_URL": "postgresql://u@127.0.0.1:5999/db",
    "REDIS_URL": "redis://127.0.0.1:6999/0",
}


def cluster(tmp_path: Path, **env: str) -> ClusterStack:
    env = {"VAR_DIR": str(tmp_path), **SHARED, **env}
    return ClusterStack(StackSettings.from_env({}, env=env), ClusterSettings.from_env(env))


def test_replica_counts_follow_the_settings_and_given_urls_start_no_database(
    tmp_path: Path,
) -> None:
    stack = cluster(tmp_path, RASA_REPLICAS="3", ACTION_REPLICAS="1", RELAYS="2")
    names = [service.name for service in stack.services]
    assert len(stack.replicas("rasa-server")) == 3 and len(stack.replicas("relay")) == 2
    assert len(stack.replicas("action-server")) == 1
    assert "postgres" not in names and "redis" not in names
    assert names.count("haproxy") == names.count("web-server") == names.count("retention") == 1


def test_every_server_shares_the_databases_and_rasa_uses_the_cluster_endpoints(
    tmp_path: Path,
) -> None:
    stack = cluster(tmp_path)
    for service in stack.services:
        assert (
            service.env.get("DATABASE_URL") == SHARED["DATABASE_URL"] or service.name == "haproxy"
        )
    for rasa in stack.replicas("rasa-server"):
        assert rasa.argv[rasa.argv.index("--endpoints") + 1] == "endpoints.cluster.yml"
        assert rasa.env["REDIS_URL"] == SHARED["REDIS_URL"]
        assert rasa.env["SQL_POOL_SIZE"] == "5"  # two replicas within PostgreSQL's 100
    ports = {rasa.argv[rasa.argv.index("--port") + 1] for rasa in stack.replicas("rasa-server")}
    assert str(stack.settings.rasa_port) not in ports  # the public port is HAProxy's


def test_haproxy_accepts_the_generated_configuration(tmp_path: Path) -> None:
    stack = cluster(tmp_path)
    config = tmp_path / "cluster" / "haproxy.cfg"
    checked = subprocess.run(
        [str(HAPROXY), "-c", "-f", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    assert f"bind 127.0.0.1:{stack.settings.rasa_port}" in text
    assert "disable-l7-retry unless METH_GET" in text and "balance source" in text
    rasa = text[text.index("\nbackend rasa\n") : text.index("\nbackend rasa-socketio")]
    assert "retry-on conn-failure empty-response" in rasa and "disable-l7-retry" not in rasa


def test_haproxy_checks_readiness_and_one_monitor_serves_the_metrics(tmp_path: Path) -> None:
    """A replica whose stores do not answer gets no customers; the cluster's metrics are
    at one address, added up from one folder every replica writes to."""
    stack = cluster(tmp_path, METRICS_PORT="9999")
    text = (tmp_path / "cluster" / "haproxy.cfg").read_text()
    assert f"option httpchk GET {RASA_READY_PATH}" in text
    assert f"option httpchk GET {ACTION_READY_PATH}" in text
    [monitor] = [service for service in stack.services if service.name == "monitor"]
    assert monitor.env["METRICS_PORT"] == "9999"
    folders = {s.env.get("PROMETHEUS_MULTIPROC_DIR") for s in stack.services if s.env}
    assert folders == {str(tmp_path / "metrics")}
