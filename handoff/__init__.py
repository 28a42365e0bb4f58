"""A person from the support team in a customer's chat (issue 29, docs/handoff.md).

No Rasa here: when staff take chats (``hours``), where each handoff under way is kept
(``records`` and its SQLite and Redis stores), what the support thread is told
(``transcript``, ``messages``) and how it is posted (``slack``). The action server starts
a handoff (``actions/handoff.py``); the Rasa server's channels carry the messages both
ways while it lasts (``channels/handoff.py``).
"""

from __future__ import annotations

import sqlite3

import redis

from handoff.records import HandoffStore
from handoff.redis_store import RedisHandoffs
from handoff.sqlite import SqliteHandoffs
from settings import HandoffSettings

# What a store raises when it cannot be read or written now.
STORE_ERRORS = (redis.RedisError, sqlite3.Error, OSError)


def open_store(settings: HandoffSettings) -> HandoffStore:
    """Shared in Redis when ``REDIS_URL`` is set (every server of a cluster sees it), else
    the file ``HANDOFF_DB``."""
    if settings.redis_url:
        return RedisHandoffs(settings.redis_url)
    return SqliteHandoffs(settings.handoff_db)
