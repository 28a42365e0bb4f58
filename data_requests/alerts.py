"""Tell the support channel when a request needs a person, once per cause.

Two causes: a request that failed permanently (the mail server refused it), and one
still pending longer than ``ALERT_PENDING_MINUTES`` (the mail server or the relay is
down). The notice names the reference and what to do, never the customer. Each notice
is written to the request's audit trail (``alerted``, with its cause), which is how the
same cause is not announced twice, even after the monitor restarts: a request that fails
again after being re-queued, or waits again after that, is a new cause.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from data_requests.notices import post_to_support
from data_requests.outbox import ALERTED, FAILED, AuditEvent, RequestStore, utc_now
from settings import ChannelSettings

log = logging.getLogger(__name__)

FAILED_CAUSE, STUCK_CAUSE = "failed", "pending too long"
WHAT_TO_DO = {
    FAILED_CAUSE: (
        "the mail server refused it. See the reason with `make requests ARGS='show {ref}'`, "
        "fix it, then `make requests ARGS='requeue {ref}'`."
    ),
    STUCK_CAUSE: (
        "it has not been sent for {minutes:.0f} minutes. Check that the relay is running and "
        "the mail server is reachable (docs/operations.md, runbook: relay failing)."
    ),
}


@dataclass(frozen=True)
class Alert:
    """One request that needs a person, and why (a cause of :data:`WHAT_TO_DO`)."""

    reference: str
    cause: str
    since: datetime


def alert_text(alert: Alert, threshold: timedelta) -> str:
    """The notice: the reference and what to do; nothing the customer told us."""
    minutes = threshold.total_seconds() / 60
    advice = WHAT_TO_DO[alert.cause].format(ref=alert.reference, minutes=minutes)
    return f"Data request {alert.reference} needs attention: {advice}"


def announced(trail: list[AuditEvent], cause: str, since: datetime) -> bool:
    """Whether an alert for ``cause`` went out since the cause arose."""
    return any(e.event == ALERTED and e.detail == cause and e.at >= since for e in trail)


def last_failure(trail: list[AuditEvent]) -> datetime | None:
    return max((e.at for e in trail if e.event == FAILED), default=None)


def due_alerts(store: RequestStore, threshold: timedelta, now: datetime) -> list[Alert]:
    """Requests that need a person and whose cause was not announced yet, oldest first."""
    candidates = [
        Alert(reference, STUCK_CAUSE, since)
        for reference, since in store.pending_since().items()
        if now - since >= threshold
    ]
    for request in store.list(FAILED):
        since = last_failure(store.history(request.reference)) or request.received_at
        candidates.append(Alert(request.reference, FAILED_CAUSE, since))
    return sorted(
        (a for a in candidates if not announced(store.history(a.reference), a.cause, a.since)),
        key=lambda alert: alert.since,
    )


def send_alerts(store: RequestStore, threshold: timedelta, now: datetime | None = None) -> int:
    """Announce every due alert; how many were announced. With Slack off the log line is
    the alert; one Slack did not take is tried again next round."""
    slack_on = ChannelSettings.from_env().slack_notices_enabled
    announced_now = 0
    for alert in due_alerts(store, threshold, now or utc_now()):
        text = alert_text(alert, threshold)
        log.error("%s", text)
        if post_to_support(text, alert.reference) or not slack_on:
            announced_now += 1
            store.record(alert.reference, ALERTED, alert.cause)
    return announced_now
