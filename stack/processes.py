"""Start the servers as child processes, wait until each answers, stop them cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from stack.settings import ACTIONS_BIN, HOST, MODELS_DIR, PROJECT_ROOT, RASA_BIN, StackSettings

STARTUP_TIMEOUT_S = 180
STOP_TIMEOUT_S = 15


class StackError(RuntimeError):
    """A server did not come up; the message names it and where its log is."""


@dataclass
class Service:
    """One server: how to start it and the URL that answers when it is ready."""

    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def start(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches us, not the children
        )

    def is_ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise StackError(
                    f"{self.name} exited with {self.process.returncode}; see {self.log_path}"
                )
            if self.is_ready():
                return
            time.sleep(0.5)
        raise StackError(
            f"{self.name} did not answer at {self.health_url} in {timeout:.0f} s; "
            f"see {self.log_path}"
        )

    def stop(self) -> None:
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def common_env(settings: StackSettings) -> dict[str, str]:
    """Environment all servers share: quiet, offline, no telemetry, plus the settings' own."""
    return {
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
        "VAR_DIR": str(settings.var_dir),
        **settings.env,
    }


def action_server(settings: StackSettings) -> Service:
    return Service(
        name="action-server",
        argv=[
            str(ACTIONS_BIN / "python"),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(settings.action_port),
        ],
        health_url=f"{settings.action_url}/health",
        env={**common_env(settings), "SANIC_HOST": HOST},
    )


def rasa_server(settings: StackSettings) -> Service:
    return Service(
        name="rasa-server",
        argv=[
            str(RASA_BIN / "rasa"),
            "run",
            "--model",
            str(MODELS_DIR),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
            "--interface",
            HOST,
            "--port",
            str(settings.rasa_port),
            # The shop page is served from another port; its widget's socket needs CORS.
            "--cors",
            *settings.web_origins,
        ],
        health_url=f"{settings.rasa_url}/webhooks/rest/",
        env={
            **common_env(settings),
            "ACTION_ENDPOINT_URL": f"{settings.action_url}/webhook",
            "TRACKER_DB": str(settings.tracker_db),
        },
    )


def web_server(settings: StackSettings) -> Service:
    return Service(
        name="web-server",
        argv=[
            str(ACTIONS_BIN / "python"),
            "-m",
            "stack.web",
            "--port",
            str(settings.web_port),
            "--socket-url",
            settings.rasa_url,
        ],
        health_url=settings.web_url,
        env=common_env(settings),
    )


class Stack:
    """The servers of one assistant, started together and stopped together."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.services = [action_server(settings), rasa_server(settings), web_server(settings)]

    def start(self) -> None:
        log_dir = self.settings.var_dir / "logs"
        try:
            for service in self.services:
                service.start(log_dir)
            for service in self.services:
                service.wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
