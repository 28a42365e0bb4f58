"""The monitor: one process that serves the stack's metrics and health, and sends alerts.

``python -m data_requests.monitor`` (started by ``make run`` and ``make cluster``):

- ``GET /metrics``: every server's counters and histograms, added up from
  ``PROMETHEUS_MULTIPROC_DIR``, plus the outbox's state read at scrape time (pending,
  failed and sent counts, the age of the oldest pending request). One address for the
  whole stack, whatever number of replicas ``make cluster`` runs, and the outbox counted
  once, not once per relay;
- ``GET /health/live`` (the process answers) and ``GET /health/ready`` (the outbox is
  reachable);
- ``GET /review``: the weekly review's page (``review``), the same as ``make review``
  draws, for whoever sends ``Authorization: Bearer <MONITOR_TOKEN>``: it holds customers'
  questions, redacted but still theirs. Without ``MONITOR_TOKEN`` a random token is made
  at start and kept in ``var/monitor.token`` (mode 600) for the operator to read;
- every ``MONITOR_POLL_SECONDS``, the alerts of :mod:`data_requests.alerts`.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import signal
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from data_requests.alerts import send_alerts
from data_requests.outbox import PENDING, OutboxUnavailable, RequestStore, opened_once, utc_now
from monitoring.logs import use_json_lines
from review.page import as_html
from review.period import review_of
from settings import MonitorSettings, RequestSettings, ReviewSettings

log = logging.getLogger("data_requests.monitor")

StoreFactory = Callable[[], RequestStore]
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
LIVE_PATH, READY_PATH, METRICS_PATH = "/health/live", "/health/ready", "/metrics"
REVIEW_PATH = "/review"
Page = Callable[[], bytes]
# What either store raises when it cannot be read; the monitor keeps serving through them.
OUTBOX_ERRORS = (sqlite3.Error, OSError, OutboxUnavailable)


class OutboxCollector:
    """The outbox's state as gauges, read from the store at each scrape."""

    def __init__(self, store: StoreFactory) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("jessops_outbox_up", "1 if the outbox could be read")
        try:
            store = self.store()
            counts, since = store.counts(), store.pending_since()
        except OUTBOX_ERRORS as error:
            log.warning("outbox unreadable for the metrics: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        requests = GaugeMetricFamily(
            "jessops_outbox_requests",
            "Requests in the outbox, by kind and status (awaiting_verification is not stuck)",
            labels=["kind", "status"],
        )
        for (kind, status), count in sorted(counts.items()):
            requests.add_metric([kind, status], count)
        yield requests
        oldest = min(since.values(), default=None)
        age = (utc_now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "jessops_outbox_oldest_pending_seconds",
            f"How long the oldest {PENDING} request has waited to be sent (0: none waiting)",
            value=age,
        )


def registry(store: StoreFactory) -> CollectorRegistry:
    """Every process's metrics when they share a folder, else this process's, and the outbox."""
    if os.environ.get(MULTIPROCESS_DIR):
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
    else:
        combined = REGISTRY
    combined.register(OutboxCollector(store))
    return combined


def outbox_reachable(store: StoreFactory) -> bool:
    try:
        store().status_counts()
    except OUTBOX_ERRORS:
        return False
    return True


def monitor_token(settings: MonitorSettings) -> str:
    """``MONITOR_TOKEN``, else the one kept in the token file (made once, mode 600)."""
    if settings.token:
        return settings.token
    path = settings.token_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(24))
    return path.read_text().strip()


def review_page() -> bytes:
    """The review of the last ``REVIEW_DAYS``, read at each request."""
    return as_html(review_of(ReviewSettings.from_env())).encode()


def handler(
    metrics: CollectorRegistry, store: StoreFactory, token: str = "", review: Page = review_page
) -> type[BaseHTTPRequestHandler]:
    """Serves the paths above; ``/review`` only with ``token`` (none: never)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == REVIEW_PATH:
                self.review()
            elif self.path == METRICS_PATH:
                self.reply(HTTPStatus.OK, generate_latest(metrics), CONTENT_TYPE_LATEST)
            elif self.path == LIVE_PATH:
                self.reply(HTTPStatus.OK, b"live\n")
            elif self.path == READY_PATH:
                ready = outbox_reachable(store)
                status = HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE
                self.reply(status, b"ready\n" if ready else b"outbox unreachable\n")
            else:
                self.reply(HTTPStatus.NOT_FOUND, b"not found\n")

        def review(self) -> None:
            given = self.headers.get("Authorization", "")
            if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                self.reply(HTTPStatus.UNAUTHORIZED, b"the monitor's token is needed\n")
                return
            try:
                page = review()
            except Exception as error:  # either database, either store: the monitor stays up
                log.warning("review unreadable: %s", type(error).__name__)
                self.reply(HTTPStatus.SERVICE_UNAVAILABLE, b"review unavailable\n")
                return
            self.reply(HTTPStatus.OK, page, "text/html; charset=utf-8")

        def reply(self, status: HTTPStatus, body: bytes, kind: str = "text/plain") -> None:
            self.send_response(status)
            if status == HTTPStatus.UNAUTHORIZED:
                self.send_header("WWW-Authenticate", "Bearer")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass  # a scrape every few seconds is not an event

    return Handler


def watch(store: StoreFactory, settings: MonitorSettings, stop: threading.Event) -> None:
    """Send the alerts that are due, every ``poll_s``, until ``stop``."""
    threshold = timedelta(minutes=settings.alert_pending_minutes)
    while not stop.is_set():
        try:
            send_alerts(store(), threshold)
        except OUTBOX_ERRORS as error:
            log.warning("alerts not checked: %s", type(error).__name__)
        stop.wait(settings.poll_s)


def main() -> None:
    settings = MonitorSettings.from_env()
    store = opened_once(RequestSettings.from_env())

    token = monitor_token(settings)
    server = ThreadingHTTPServer(
        (settings.host, settings.metrics_port), handler(registry(store), store, token)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("monitor: metrics at %s", settings.metrics_url)
    try:
        watch(store, settings, stop)
    finally:
        server.shutdown()


if __name__ == "__main__":
    use_json_lines(logging.INFO)
    main()
