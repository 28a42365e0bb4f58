"""Ports, paths and environment of the local stack, each from one environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENVS = PROJECT_ROOT / ".venv"
RASA_BIN = VENVS / "rasa" / "bin"
ACTIONS_BIN = VENVS / "actions" / "bin"
MODELS_DIR = PROJECT_ROOT / "models"
HOST = "127.0.0.1"
DEFAULT_WEB_PORT = 8080


@dataclass(frozen=True)
class StackSettings:
    """Where each server listens, where runtime data goes, and extra environment.

    ``env`` is passed to every server on top of this process's environment (tests use
    it to point a stack at its own SMTP server, or start one with channel secrets).
    """

    rasa_port: int
    action_port: int
    mail_sink_port: int
    var_dir: Path
    web_port: int = DEFAULT_WEB_PORT
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> StackSettings:
        return cls(
            rasa_port=int(os.environ.get("RASA_PORT", 5005)),
            action_port=int(os.environ.get("ACTION_PORT", 5055)),
            mail_sink_port=int(os.environ.get("MAIL_SINK_PORT", 2525)),
            web_port=int(os.environ.get("WEB_PORT", DEFAULT_WEB_PORT)),
            var_dir=Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var")),
        )

    def setting(self, name: str) -> str | None:
        """A variable from ``env``, else from this process's environment."""
        return self.env.get(name, os.environ.get(name))

    @property
    def uses_mail_sink(self) -> bool:
        """Without a configured mail server, requests go to the local sink."""
        return not self.setting("SMTP_HOST")

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{HOST}:{self.action_port}"

    @property
    def web_url(self) -> str:
        """The demo shop page with the chat widget."""
        return f"http://{HOST}:{self.web_port}/"

    @property
    def web_origins(self) -> list[str]:
        """Origins the shop page may be opened from; Rasa's socket accepts them (CORS)."""
        return [f"http://{host}:{self.web_port}" for host in (HOST, "localhost")]

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    @property
    def outbox_db(self) -> Path:
        return self.var_dir / "outbox.db"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"
