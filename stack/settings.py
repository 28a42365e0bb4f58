"""Ports, paths and environment of the local stack, each from one environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENVS = PROJECT_ROOT / ".venv"
RASA_BIN = VENVS / "rasa" / "bin"
ACTIONS_BIN = VENVS / "actions" / "bin"
MODELS_DIR = PROJECT_ROOT / "models"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class StackSettings:
    """Where each server listens and where runtime data goes."""

    rasa_port: int
    action_port: int
    var_dir: Path

    @classmethod
    def from_env(cls) -> StackSettings:
        return cls(
            rasa_port=int(os.environ.get("RASA_PORT", 5005)),
            action_port=int(os.environ.get("ACTION_PORT", 5055)),
            var_dir=Path(os.environ.get("VAR_DIR", PROJECT_ROOT / "var")),
        )

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{HOST}:{self.action_port}"

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"
