"""channels.limits and the limit settings, without Rasa (the e2e tests cover the wiring)."""

from __future__ import annotations

from channels.limits import MAX_TRACKED_SENDERS, RateLimiter
from settings import ChannelSettings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_sender_past_the_limit_waits_for_the_window_to_slide() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60, clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "other senders are not held up"
    clock.now = 59.9
    assert not limiter.allow("a")
    clock.now = 60.0
    assert limiter.allow("a")


def test_idle_senders_are_forgotten_so_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 1, clock)
    for i in range(MAX_TRACKED_SENDERS):
        limiter.allow(f"s{i}")
    clock.now = 5
    limiter.allow("late")
    assert limiter.allow("s0") and len(limiter._recent) <= 2


def test_limits_come_from_the_environment_with_defaults() -> None:
    defaults = ChannelSettings.from_env({})
    assert (defaults.max_message_chars, defaults.rate_limit_messages) == (2000, 20)
    assert defaults.rate_limit_window_s == 60
    custom = ChannelSettings.from_env(
        {"MAX_MESSAGE_CHARS": "50", "RATE_LIMIT_MESSAGES": "3", "RATE_LIMIT_WINDOW_SECONDS": "5"}
    )
    assert (custom.max_message_chars, custom.rate_limit_messages) == (50, 3)
    assert custom.rate_limit_window_s == 5
