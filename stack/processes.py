"""Start the servers as child processes, wait until each is ready, stop them cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from settings import ACTIONS_BIN, MODELS_DIR, PROJECT_ROOT, RASA_BIN, Paths, StackSettings

STARTUP_TIMEOUT_S = 180
STOP_TIMEOUT_S = 15
RETENTION_EVERY_S = 3600
# Readiness checks (docs/operations.md#health): `make run` waits on them, HAProxy uses them.
RASA_HEALTH, ACTION_HEALTH, MONITOR_HEALTH = "/webhooks/rest/health", "/health", "/health"
LIVE, READY = "/live", "/ready"
RASA_LIVE_PATH, RASA_READY_PATH = RASA_HEALTH + LIVE, RASA_HEALTH + READY
ACTION_LIVE_PATH, ACTION_READY_PATH = ACTION_HEALTH + LIVE, ACTION_HEALTH + READY
MONITOR_LIVE_PATH, MONITOR_READY_PATH = MONITOR_HEALTH + LIVE, MONITOR_HEALTH + READY


class StackError(RuntimeError):
    """A server did not come up; the message names it and where its log is."""


def http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    return check


def tcp_open(host: str, port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            return False

    return check


def always() -> bool:
    return True


@dataclass
class Service:
    """One server: how to start it and how to tell that it is ready."""

    name: str
    argv: list[str]
    ready: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    # Services start stage by stage, each stage ready before the next starts (the
    # cluster's databases before the servers that connect to them at start-up).
    stage: int = 0

    def start(self, paths: Paths) -> None:
        """Start the server, its output appended to its log, its process id in run_dir."""
        for folder in (paths.logs_dir, paths.run_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.log_path = paths.logs_dir / f"{self.name}.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=PROJECT_ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the launcher, which stops us in order
            )
        (paths.run_dir / f"{self.name}.pid").write_text(f"{self.process.pid}\n")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def is_ready(self) -> bool:
        return self.running and self.ready()

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                code = self.process.returncode if self.process else None
                raise StackError(f"{self.name} exited with {code}; see {self.log_path}")
            if self.ready():
                return
            time.sleep(0.3)
        raise StackError(f"{self.name} was not ready in {timeout:.0f} s; see {self.log_path}")

    def kill(self) -> None:
        """Kill without warning, as a crash would (tests of recovery use this)."""
        if self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if not self.running:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def common_env(settings: StackSettings) -> dict[str, str]:
    """Environment every server shares: quiet, offline, no telemetry, and the paths the
    launcher resolved (so the servers and the command lines use the same files)."""
    env = {
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
        # Every server keeps its metrics here; the monitor adds them up (monitoring/).
        "PROMETHEUS_MULTIPROC_DIR": str(settings.paths.metrics_dir),
        **settings.env,
        **settings.paths.as_env(),  # resolved from the same variables: never left empty
    }
    if settings.uses_mail_sink:
        env |= {"SMTP_HOST": settings.bind_host, "SMTP_PORT": str(settings.mail_sink_port)}
    return env


def python_module(
    name: str,
    settings: StackSettings,
    command: list[str],
    ready: Callable[[], bool] = always,
    **env: str,
) -> Service:
    """A server that is a module of this project run by the action server's Python."""
    return Service(
        name=name,
        argv=[str(ACTIONS_BIN / "python"), "-m", *command],
        ready=ready,
        env={**common_env(settings), **env},
    )


def mail_sink(settings: StackSettings) -> Service:
    """The local SMTP server that saves what the relays send, on this host's address (a
    cluster's other hosts send to it as their SMTP_HOST)."""
    host, port = settings.bind_host, settings.mail_sink_port
    command = ["stack.mail_sink", "--host", host, "--port", str(port)]
    command += ["--dir", str(settings.paths.mail_dir)]
    return python_module("mail-sink", settings, command, tcp_open(host, port))


def relay(settings: StackSettings, name: str = "relay") -> Service:
    return python_module(name, settings, ["data_requests.relay"])


def monitor(settings: StackSettings) -> Service:
    """Metrics of every server at METRICS_PORT, the outbox's health, and the alerts."""
    health = settings.monitor.metrics_url.removesuffix("/metrics") + MONITOR_READY_PATH
    return python_module("monitor", settings, ["data_requests.monitor"], http_ok(health))


def fresh_metrics_dir(folder: Path) -> None:
    """An empty folder for this run's metrics: values of an earlier run, or of a dead
    process's id reused, must not be added to this one's."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def retention(settings: StackSettings) -> Service:
    """Deletes conversations and requests past their retention period, hourly."""
    command = ["stores.retention", "purge", "--every", str(RETENTION_EVERY_S)]
    return python_module("retention", settings, command)


def action_server(
    settings: StackSettings, name: str = "action-server", port: int | None = None
) -> Service:
    """The action server on ``port`` (by default the settings' one; replicas get others)."""
    port = port or settings.action_port
    return python_module(
        name,
        settings,
        ["actions.server"],
        http_ok(f"http://{settings.bind_host}:{port}{ACTION_READY_PATH}"),
        ACTION_HOST=settings.bind_host,
        ACTION_PORT=str(port),
    )


def rasa_server(
    settings: StackSettings,
    name: str = "rasa-server",
    port: int | None = None,
    endpoints: str = "endpoints.yml",
    action_url: str | None = None,
) -> Service:
    """A Rasa server on ``port`` (by default the public one), with ``endpoints``, calling
    actions at ``action_url`` (by default the one action server's)."""
    port = port or settings.rasa_port
    return Service(
        name=name,
        argv=[
            # Rasa's own command line, behind the project's entry point (rasa_server/).
            str(RASA_BIN / "python"),
            "-m",
            "rasa_server",
            "run",
            "--model",
            str(MODELS_DIR),
            "--endpoints",
            endpoints,
            "--credentials",
            "credentials.yml",
            "--interface",
            settings.bind_host,
            "--port",
            str(port),
            # The shop page is served from another port; its widget's socket needs CORS.
            "--cors",
            *settings.web_origins,
        ],
        ready=http_ok(f"http://{settings.bind_host}:{port}{RASA_READY_PATH}"),
        env={
            **common_env(settings),
            "ACTION_ENDPOINT_URL": f"{action_url or settings.action_url}/webhook",
        },
    )


def web_server(settings: StackSettings, port: int | None = None) -> Service:
    """The shop page on ``port`` (by default the public one); its widget always talks to
    the public Rasa URL."""
    port = port or settings.web_port
    host = settings.bind_host
    command = ["stack.web", "--host", host, "--port", str(port), "--socket-url", settings.rasa_url]
    return python_module("web-server", settings, command, http_ok(f"http://{host}:{port}/"))


class Stack:
    """The servers of one assistant, started together and stopped together."""

    def __init__(self, settings: StackSettings, services: list[Service] | None = None) -> None:
        """``make run``'s servers, or ``services`` (``make cluster`` builds its own list),
        started in this order and stopped in the reverse."""
        self.settings = settings
        sink = [mail_sink(settings)] if settings.uses_mail_sink else []
        self.services = services or [
            *sink,
            relay(settings),
            retention(settings),
            monitor(settings),
            action_server(settings),
            rasa_server(settings),
            web_server(settings),
        ]

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def start(self) -> None:
        fresh_metrics_dir(self.settings.paths.metrics_dir)
        try:
            for stage in sorted({service.stage for service in self.services}):
                starting = [service for service in self.services if service.stage == stage]
                for service in starting:
                    service.start(self.settings.paths)
                for service in starting:
                    service.wait_ready()
        except BaseException:
            self.stop()
            raise

    def restart(self, name: str) -> None:
        """Stop one server and start it again (tests of crash recovery use this)."""
        service = self.service(name)
        service.stop()
        service.start(self.settings.paths)
        service.wait_ready()

    def stopped_services(self) -> list[str]:
        return [s.name for s in self.services if not s.running]

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
