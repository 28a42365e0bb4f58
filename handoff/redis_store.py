"""Handoffs in Redis: ``make cluster``, where the customer's socket, the Slack event and
the action may each be on a different server.

One hash per customer and one key from the thread back to the customer, both expiring
after ``LASTS``, so a handoff nobody ended does not linger.
"""

from __future__ import annotations

from datetime import datetime

import redis

from handoff.records import LASTS, Handoff

PREFIX = "jessops:handoff:"
KEEP_S = int(LASTS.total_seconds())
TIMEOUT_S = 2.0


def _sender_key(sender: str) -> str:
    return f"{PREFIX}sender:{sender}"


def _thread_key(thread_ts: str) -> str:
    return f"{PREFIX}thread:{thread_ts}"


def _handoff(sender: str, fields: dict[bytes, bytes]) -> Handoff | None:
    if not fields:
        return None
    return Handoff(
        sender,
        fields[b"thread_ts"].decode(),
        datetime.fromisoformat(fields[b"started_at"].decode()),
        fields.get(b"taken") == b"1",
    )


class RedisHandoffs:
    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
        )

    def start(self, handoff: Handoff) -> None:
        key = _sender_key(handoff.sender)
        fields = {
            "thread_ts": handoff.thread_ts,
            "started_at": handoff.started_at.isoformat(),
            "taken": int(handoff.taken),
        }
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            pipe.expire(key, KEEP_S)
            pipe.set(_thread_key(handoff.thread_ts), handoff.sender, ex=KEEP_S)
            pipe.execute()

    def by_sender(self, sender: str) -> Handoff | None:
        return _handoff(sender, self._redis.hgetall(_sender_key(sender)))

    def by_thread(self, thread_ts: str) -> Handoff | None:
        sender = self._redis.get(_thread_key(thread_ts))
        return self.by_sender(sender.decode()) if sender else None

    def take(self, sender: str) -> None:
        if self._redis.exists(_sender_key(sender)):
            self._redis.hset(_sender_key(sender), "taken", 1)

    def end(self, sender: str) -> Handoff | None:
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(_sender_key(sender))
            pipe.delete(_sender_key(sender))
            fields, deleted = pipe.execute()
        ended = _handoff(sender, fields) if deleted else None
        if ended:
            self._redis.delete(_thread_key(ended.thread_ts))
        return ended
