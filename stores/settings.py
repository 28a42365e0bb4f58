"""Retention settings, each from one environment variable; the defaults suit a laptop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONVERSATION_DAYS = 30.0
# Requests are the accountability log of what customers asked and when: two years.
DEFAULT_REQUEST_DAYS = 730.0


@dataclass(frozen=True)
class RetentionSettings:
    """Where conversations and requests are kept, and for how long."""

    tracker_db: Path
    outbox_db: Path
    conversation_days: float
    request_days: float

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> RetentionSettings:
        var = Path(environ.get("VAR_DIR") or PROJECT_ROOT / "var")
        return cls(
            tracker_db=Path(environ.get("TRACKER_DB") or var / "tracker.db"),
            outbox_db=Path(environ.get("OUTBOX_DB") or var / "outbox.db"),
            conversation_days=float(
                environ.get("CONVERSATION_RETENTION_DAYS") or DEFAULT_CONVERSATION_DAYS
            ),
            request_days=float(environ.get("REQUEST_RETENTION_DAYS") or DEFAULT_REQUEST_DAYS),
        )
