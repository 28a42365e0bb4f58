"""The rate limit and Slack's retry memory shared through a real Redis, as two Rasa
servers of `make cluster` would share them (two instances, one Redis)."""

from __future__ import annotations

import time
import uuid

from channels.limits import RateLimiter
from channels.shared_limits import (
    RedisRateLimiter,
    RedisRecentKeys,
    delivery_memory,
    rate_limiter,
    redis_client,
)
from channels.slack_messages import RecentKeys
from settings import ChannelSettings
from stack.databases import RedisServer
from stack.ports import free_port
from tests.support.rasa_interpreter import run_in_rasa

WINDOW_S = 0.5


def sender() -> str:
    return f"sender-{uuid.uuid4().hex[:8]}"


def test_a_sender_gets_the_limit_once_across_servers_not_once_per_server(
    redis_server: RedisServer,
) -> None:
    first, second = (
        RedisRateLimiter(redis_client(redis_server.url), 3, WINDOW_S) for _ in range(2)
    )
    who = sender()
    allowed = [limiter.allow(who) for limiter in (first, second, first, second, first)]
    assert allowed == [True, True, True, False, False]
    assert second.allow(sender()), "other senders are not held up"
    time.sleep(WINDOW_S + 0.1)
    assert first.allow(who), "the window slides"


def test_a_slack_retry_reaching_another_server_is_not_answered_twice(
    redis_server: RedisServer,
) -> None:
    first, second = (RedisRecentKeys(redis_client(redis_server.url)) for _ in range(2))
    key = f"C123/{time.time()}"
    assert first.first_time(key)
    assert not second.first_time(key) and not first.first_time(key)


def test_redis_is_used_only_when_redis_url_is_set(redis_server: RedisServer) -> None:
    shared = ChannelSettings.from_env({"REDIS_URL": redis_server.url})
    alone = ChannelSettings.from_env({"REDIS_URL": ""})
    assert isinstance(rate_limiter(shared), RedisRateLimiter)
    assert isinstance(delivery_memory(shared), RedisRecentKeys)
    assert isinstance(rate_limiter(alone), RateLimiter)
    assert isinstance(delivery_memory(alone), RecentKeys)


def test_with_redis_down_messages_are_let_through() -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0")
    assert RedisRateLimiter(client, 1, WINDOW_S).allow(sender())
    assert RedisRecentKeys(client).first_time("C1/1") and RedisRecentKeys(client).first_time("C1/1")


IN_RASA = """
import json
from channels.guard import MessageGuard
from channels.slack import SupportSlackInput
from settings import ChannelSettings

settings = ChannelSettings.from_env()
slack = SupportSlackInput(settings)
print(json.dumps([type(MessageGuard(settings).limiter).__name__, type(slack._delivered).__name__]))
"""


def test_the_rasa_servers_channels_use_redis_under_the_cluster(redis_server: RedisServer) -> None:
    env = {"REDIS_URL": redis_server.url, "SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "y"}
    assert run_in_rasa(IN_RASA, env) == ["RedisRateLimiter", "RedisRecentKeys"]
