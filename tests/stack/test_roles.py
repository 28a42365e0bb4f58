"""What one role of a cluster across machines starts on its host, at which addresses, and
that a host missing its peers' addresses refuses to start rather than failing later."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import ClusterSettings, StackSettings
from stack.__main__ import role_banner
from stack.cluster import HAPROXY
from stack.processes import Stack, StackError
from stack.roles import role_stack

PEERS = {
    "DATABASE_URL": "postgresql://postgres:pw@10.9.0.1:5433/postgres",
    "REDIS_URL": "redis://:pw@10.9.0.1:6380/0",
    "VERIFY_SECRET": "the same on every application host",
    "RASA_SERVERS": "10.9.0.21:5005,10.9.0.22:5005",
    "ACTION_SERVERS": "10.9.0.21:5055,10.9.0.22:5055",
}


def host(tmp_path: Path, role: str, **env: str) -> Stack:
    env = {"VAR_DIR": str(tmp_path), **PEERS, **env}
    return role_stack(role, StackSettings.from_env({}, env=env), ClusterSettings.from_env(env))


def names(stack: Stack) -> list[str]:
    return [service.name for service in stack.services]


def test_the_application_role_runs_one_of_each_server_on_its_own_address(
    tmp_path: Path,
) -> None:
    stack = host(
        tmp_path,
        "application",
        BIND_HOST="10.9.0.21",
        SMTP_HOST="10.9.0.1",
        ACTION_SERVER_URL="http://10.9.0.4:5055",
    )
    assert names(stack) == ["relay", "retention", "monitor", "action-server", "rasa-server"]
    rasa = stack.service("rasa-server")
    assert rasa.argv[rasa.argv.index("--interface") + 1] == "10.9.0.21"
    assert rasa.argv[rasa.argv.index("--endpoints") + 1] == "endpoints.cluster.yml"
    assert rasa.env["ACTION_ENDPOINT_URL"] == "http://10.9.0.4:5055/webhook"
    assert rasa.env["DATABASE_URL"] == PEERS["DATABASE_URL"]
    assert stack.service("action-server").env["ACTION_HOST"] == "10.9.0.21"
    assert stack.service("relay").env["SMTP_HOST"] == "10.9.0.1"


@pytest.fixture
def var_dir_postgres_reaches() -> Iterator[Path]:
    """A var/ the postgres OS user can enter (pytest's folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="jessops-role-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_database_role_serves_the_ports_its_peers_are_given(
    var_dir_postgres_reaches: Path,
) -> None:
    tmp_path = var_dir_postgres_reaches
    stack = host(tmp_path, "database", BIND_HOST="127.0.0.1")
    assert names(stack) == ["postgres", "redis", "mail-sink"]
    postgres = " ".join(stack.service("postgres").argv)
    assert "listen_addresses=127.0.0.1" in postgres and "port=5433" in postgres
    redis = stack.service("redis").argv
    assert redis[redis.index("--port") + 1] == "6380" and "--requirepass" in redis
    hba = (tmp_path / "postgres" / "pg_hba.conf").read_text()
    assert hba.rstrip().endswith("host all all all scram-sha-256")


def test_the_edge_balances_the_application_hosts_and_haproxy_accepts_it(tmp_path: Path) -> None:
    stack = host(tmp_path, "edge", BIND_HOST="127.0.0.1", PUBLIC_HOST="shop.example.com")
    assert names(stack) == ["web-server", "haproxy"]
    config = tmp_path / "cluster" / "haproxy.cfg"
    text = config.read_text()
    for port in (5005, 8080, 5055):
        assert f"bind 127.0.0.1:{port}" in text
    assert "server rasa-2 10.9.0.22:5005 check" in text
    assert "server actions-1 10.9.0.21:5055 check" in text
    web = stack.service("web-server").argv
    assert web[web.index("--socket-url") + 1] == "http://shop.example.com:5005"
    checked = subprocess.run(
        [str(HAPROXY), "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    printed = role_banner(stack, "edge")
    assert "edge role is running on 127.0.0.1: web-server, haproxy" in printed
    assert "REST webhook:   http://shop.example.com:5005/webhooks/rest/webhook" in printed


@pytest.mark.parametrize(
    ("role", "unset", "named"),
    [
        ("application", "REDIS_URL", "REDIS_URL"),
        ("application", "VERIFY_SECRET", "VERIFY_SECRET"),
        ("edge", "ACTION_SERVERS", "ACTION_SERVERS"),
    ],
)
def test_a_host_without_its_peers_addresses_refuses_to_start(
    tmp_path: Path, role: str, unset: str, named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(unset, raising=False)
    with pytest.raises(StackError, match=f"this role needs {named}"):
        host(tmp_path, role, **{unset: ""})
