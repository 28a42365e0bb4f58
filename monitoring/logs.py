"""Logs an operator can query: one JSON object per line, tied to a turn by ids, not text.

Every line carries ``request_id`` (the id Rasa gives the customer's message, which the
action server sees too, so one turn's lines in both servers share it) and
``conversation`` (a hash of the sender id: lines of one conversation group together,
and the id itself, which a channel may have made from a name or an address, is never
written). Neither the message text nor any contact detail is a field; callers pass only
names, counts, references and timings in ``extra={"fields": {...}}``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
CONVERSATION: ContextVar[str | None] = ContextVar("conversation", default=None)
# Enough of the hash to tell conversations apart in a log, too little to be a lookup key.
CONVERSATION_HASH_CHARS = 16


def conversation_hash(sender_id: str | None) -> str | None:
    """The conversation's id as logs show it: a SHA-256 prefix of the sender id."""
    if not sender_id:
        return None
    return hashlib.sha256(sender_id.encode()).hexdigest()[:CONVERSATION_HASH_CHARS]


@contextmanager
def turn(request_id: str | None, sender_id: str | None) -> Iterator[None]:
    """Every line logged inside the block carries this turn's ids."""
    tokens = REQUEST_ID.set(request_id), CONVERSATION.set(conversation_hash(sender_id))
    try:
        yield
    finally:
        REQUEST_ID.reset(tokens[0])
        CONVERSATION.reset(tokens[1])


class JsonLines(logging.Formatter):
    """One JSON object per record. An exception is given by its type and where it was
    raised, not its message or traceback text, which may quote what the customer said."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "conversation": getattr(record, "conversation", CONVERSATION.get()),
            **getattr(record, "fields", {}),
        }
        if record.exc_info and record.exc_info[0]:
            entry["error"] = record.exc_info[0].__name__
            trace = record.exc_info[2]
            while trace and trace.tb_next:
                trace = trace.tb_next
            if trace:
                entry["raised_at"] = f"{trace.tb_frame.f_code.co_filename}:{trace.tb_lineno}"
        return json.dumps(entry, ensure_ascii=False, default=str)


_make_record = logging.getLogRecordFactory()


def stamped_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """A record carrying the turn's ids from the moment it is made, so a handler that
    formats it later, or in another thread, still writes the right ones."""
    record = _make_record(*args, **kwargs)
    record.request_id = REQUEST_ID.get()
    record.conversation = CONVERSATION.get()
    return record


logging.setLogRecordFactory(stamped_record)


def use_json_lines(level: str | int | None = None) -> None:
    """Make every handler already configured (Rasa's, Sanic's, basicConfig's) write JSON
    lines; with none, log to stderr. Called after the framework set its logging up."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    loggers = [root, *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(JsonLines())
    if level is not None:
        root.setLevel(level)


def fields(**values: object) -> dict[str, dict[str, object]]:
    """``extra=`` for a log call: names, counts, references and timings only."""
    return {"fields": values}
