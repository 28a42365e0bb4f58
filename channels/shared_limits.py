"""The rate limit and Slack's retry memory shared by every Rasa server, in Redis.

Under ``make cluster`` HAProxy spreads a sender's messages over the Rasa servers, and
Slack may deliver a retry to a different one. Each server counting alone would let a
sender send ``RATE_LIMIT_MESSAGES`` times the number of servers, and answer a Slack
retry twice. With ``REDIS_URL`` set (the cluster sets it) both live in Redis instead:

- the rate limit is a sliding window per sender, a sorted set of message times, checked
  and counted in one Lua script on Redis's clock (so servers' clocks need not agree);
- the retry memory is one ``SET NX`` key per Slack message, expiring after Slack's retry
  period.

Without ``REDIS_URL`` the in-process versions (``channels.limits``,
``channels.slack_messages``) are used, as under ``make run``. If Redis cannot be reached
a message is let through (logged): refusing every customer because a limit cannot be
counted would be worse than a burst. Each check is one blocking round trip to Redis on
loopback (well under a millisecond), made from the channel's handler as the in-process
check is. No Rasa import: tested without a Rasa server.
"""

from __future__ import annotations

import logging
import uuid

import redis

from channels.limits import RateLimiter
from channels.slack_messages import RecentKeys
from settings import ChannelSettings

logger = logging.getLogger(__name__)

KEY_PREFIX = "jessops:"
# Slack retries a delivery three times within about five minutes; an hour is ample.
REMEMBER_DELIVERY_S = 3600
REDIS_TIMEOUT_S = 2.0
# KEYS[1] the sender's window; ARGV: limit, window in ms, a unique member. Returns 1 if
# the message is allowed (and counted), 0 if not.
_SLIDING_WINDOW = """
local now = redis.call("TIME")
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
local limit, window_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now_ms - window_ms)
if redis.call("ZCARD", KEYS[1]) >= limit then
    return 0
end
redis.call("ZADD", KEYS[1], now_ms, ARGV[3])
redis.call("PEXPIRE", KEYS[1], window_ms)
return 1
"""


class RedisRateLimiter:
    """At most ``limit`` messages per sender in any ``window_s`` seconds, across servers."""

    def __init__(self, client: redis.Redis, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_ms = int(window_s * 1000)
        self._allow = client.register_script(_SLIDING_WINDOW)

    def allow(self, sender: str) -> bool:
        """Count a message from ``sender``; False (and not counted) past the limit."""
        key = f"{KEY_PREFIX}rate:{sender}"
        try:
            return bool(
                self._allow(keys=[key], args=[self.limit, self.window_ms, uuid.uuid4().hex])
            )
        except redis.RedisError as error:
            logger.warning("rate limit not checked, Redis unavailable: %s", type(error).__name__)
            return True


class RedisRecentKeys:
    """Keys already seen by any server (Slack messages answered), for an hour."""

    def __init__(self, client: redis.Redis, ttl_s: int = REMEMBER_DELIVERY_S) -> None:
        self._client = client
        self.ttl_s = ttl_s

    def first_time(self, key: str) -> bool:
        """Remember ``key``; True unless some server already remembered it."""
        try:
            return bool(self._client.set(f"{KEY_PREFIX}seen:{key}", 1, nx=True, ex=self.ttl_s))
        except redis.RedisError as error:
            logger.warning("delivery not checked, Redis unavailable: %s", type(error).__name__)
            return True


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )


def rate_limiter(settings: ChannelSettings) -> RateLimiter | RedisRateLimiter:
    """Shared in Redis when ``REDIS_URL`` is set, else this process's own."""
    if settings.redis_url:
        client = redis_client(settings.redis_url)
        return RedisRateLimiter(client, settings.rate_limit_messages, settings.rate_limit_window_s)
    return RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_s)


def delivery_memory(settings: ChannelSettings) -> RecentKeys | RedisRecentKeys:
    """Shared in Redis when ``REDIS_URL`` is set, else this process's own."""
    if settings.redis_url:
        return RedisRecentKeys(redis_client(settings.redis_url))
    return RecentKeys()
