"""Every Prometheus metric of the assistant, defined once, for every process.

The servers of ``make run`` and ``make cluster`` are separate processes (two Python
versions); ``make run`` gives them one folder, ``PROMETHEUS_MULTIPROC_DIR``, in which
prometheus-client keeps each process's values, and the monitor
(``python -m data_requests.monitor``) adds them up and serves them at
``http://127.0.0.1:$METRICS_PORT/metrics``. Without that variable (a test calling code in
its own process) the values stay in the process's default registry.

No label carries message text or anything about a customer: labels take only values
from the closed sets below, and anything else becomes ``other``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

PREFIX = "jessops"
CHANNELS = frozenset({"rest", "slack", "socketio"})
# What a customer's turn was answered with (docs/operations.md says what each means).
QUOTE, DOES_NOT_SAY, SILENT = "quote", "does_not_say", "silent"
FALLBACK, ERROR = "fallback", "error"
REPLY_KINDS = frozenset({QUOTE, DOES_NOT_SAY, SILENT, FALLBACK, ERROR})
SENT, RETRY, FAILED = "sent", "retry", "failed"
RELAY_OUTCOMES = frozenset({SENT, RETRY, FAILED})
UP, DOWN = "up", "down"
RATINGS = frozenset({UP, DOWN})
# What became of a customer's asking for a person (docs/handoff.md).
STARTED, TAKEN, UNANSWERED = "started", "taken", "unanswered"
CLOSED, WIDGET_ONLY, UNAVAILABLE = "closed", "widget_only", "unavailable"
HANDOFF_OUTCOMES = frozenset({STARTED, TAKEN, UNANSWERED, CLOSED, WIDGET_ONLY, UNAVAILABLE})
OTHER = "other"
# A policy answer takes tens of milliseconds; a turn under load up to a few seconds.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

MESSAGES = Counter(f"{PREFIX}_messages", "Customer messages taken, by channel", ["channel"])
REPLIES = Counter(f"{PREFIX}_replies", "Turns answered, by kind of reply", ["kind"])
REQUESTS = Counter(f"{PREFIX}_requests_submitted", "Data requests stored, by kind", ["kind"])
RELAY = Counter(
    f"{PREFIX}_relay_deliveries", "Relay attempts to send a request, by outcome", ["outcome"]
)
FEEDBACK = Counter(f"{PREFIX}_feedback", "Customers' ratings of policy answers", ["rating"])
FEEDBACK_COMMENTS = Counter(
    f"{PREFIX}_feedback_comments", "What customers said they were looking for, after a thumbs down"
)
HANDOFFS = Counter(
    f"{PREFIX}_handoffs", "Customers asking for a person, by what became of it", ["outcome"]
)
POLICY_ANSWER_SECONDS = Histogram(
    f"{PREFIX}_policy_answer_seconds",
    "Time the action server took to answer a policy question",
    buckets=LATENCY_BUCKETS,
)
TURN_SECONDS = Histogram(
    f"{PREFIX}_turn_seconds",
    "Time from a customer's message reaching the Rasa server to its last reply, by channel",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)


def known(value: str | None, allowed: frozenset[str]) -> str:
    """``value`` if it is one of ``allowed``, else ``other``: a label never takes free text."""
    return value if value in allowed else OTHER


def count_message(channel: str | None) -> None:
    MESSAGES.labels(known(channel, CHANNELS)).inc()


def count_reply(kind: str) -> None:
    REPLIES.labels(known(kind, REPLY_KINDS)).inc()


def count_request(kind: str) -> None:
    """``kind`` is a request kind's name (``data_requests.kinds``), a closed set."""
    REQUESTS.labels(kind).inc()


def count_feedback(rating: str) -> None:
    FEEDBACK.labels(known(rating, RATINGS)).inc()


def count_feedback_comment() -> None:
    FEEDBACK_COMMENTS.inc()


def count_delivery(outcome: str) -> None:
    RELAY.labels(known(outcome, RELAY_OUTCOMES)).inc()


def count_handoff(outcome: str) -> None:
    HANDOFFS.labels(known(outcome, HANDOFF_OUTCOMES)).inc()


@contextmanager
def timed(histogram: Histogram) -> Iterator[None]:
    """Observe how long the block took, in seconds, even when it raises."""
    start = time.perf_counter()
    try:
        yield
    finally:
        histogram.observe(time.perf_counter() - start)
