"""Send pending requests from the outbox to customer service by SMTP.

Runs as its own process (``python -m data_requests.relay``, started by ``make run``) so that
a request confirmed just before the action server restarted is still sent. A
temporary failure (no connection, a 4xx reply) is retried with exponential backoff; a
permanent one (a 5xx reply) marks the request failed, where the requests CLI lists it
for a person to look at and re-queue. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib

from data_requests.mail import compose
from data_requests.outbox import (
    OutboxUnavailable,
    RequestStore,
    StoredRequest,
    open_outbox,
    utc_now,
)
from monitoring.logs import fields, use_json_lines
from monitoring.metrics import FAILED, RETRY, SENT, count_delivery
from settings import RequestSettings, SmtpSettings

log = logging.getLogger("data_requests.relay")


@dataclass(frozen=True)
class Outcome:
    reference: str
    status: str  # SENT, RETRY or FAILED
    error: str | None = None


def smtp_codes(error: Exception) -> list[int]:
    """The SMTP reply codes an aiosmtplib error carries (none for connection errors)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return [r.code for r in error.recipients]
    code = getattr(error, "code", None)
    return [code] if isinstance(code, int) and code >= 100 else []


def is_permanent(error: Exception) -> bool:
    """5xx replies are permanent; refused connections, timeouts and 4xx are not."""
    codes = smtp_codes(error)
    return bool(codes) and all(500 <= code < 600 for code in codes)


def backoff(attempts: int, settings: RequestSettings) -> timedelta:
    seconds = min(settings.backoff_base_s * 2**attempts, settings.backoff_max_s)
    return timedelta(seconds=seconds)


class Relay:
    """Moves requests from the outbox to the mailbox; one per process."""

    def __init__(self, outbox: RequestStore, smtp: SmtpSettings, settings: RequestSettings) -> None:
        self.outbox = outbox
        self.smtp = smtp
        self.settings = settings

    async def _send(self, request: StoredRequest) -> None:
        await aiosmtplib.send(
            compose(request, self.settings),
            hostname=self.smtp.host,
            port=self.smtp.port,
            username=self.smtp.username,
            password=self.smtp.password,
            start_tls=self.smtp.starttls,
            timeout=self.smtp.timeout_s,
        )

    async def deliver(self, request: StoredRequest, now: datetime | None = None) -> Outcome:
        try:
            await self._send(request)
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = f"{type(error).__name__}: {error}"
            if is_permanent(error):
                self.outbox.mark_failed(request, reason)
                count_delivery(FAILED)
                log.error(
                    "request %s failed permanently: %s",
                    request.reference,
                    reason,
                    extra=fields(reference=request.reference, outcome=FAILED),
                )
                return Outcome(request.reference, FAILED, reason)
            retry_at = (now or utc_now()) + backoff(request.attempts, self.settings)
            self.outbox.mark_retry(request, reason, retry_at)
            count_delivery(RETRY)
            log.warning(
                "request %s not sent yet (%s); retry at %s",
                request.reference,
                reason,
                retry_at.isoformat(timespec="seconds"),
                extra=fields(reference=request.reference, outcome=RETRY),
            )
            return Outcome(request.reference, RETRY, reason)
        self.outbox.mark_sent(request)
        count_delivery(SENT)
        log.info(
            "request %s sent to customer service",
            request.reference,
            extra=fields(reference=request.reference, outcome=SENT),
        )
        return Outcome(request.reference, SENT)

    async def run_once(self, now: datetime | None = None) -> list[Outcome]:
        """Try every request that is due ``now`` (by default, now)."""
        lease = timedelta(seconds=self.settings.lease_s)
        return [
            await self.deliver(request, now) for request in self.outbox.claim_due(now, lease=lease)
        ]

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Until ``stop``; an outbox server that is down is tried again next round."""
        while not stop.is_set():
            try:
                await self.run_once()
            except OutboxUnavailable as error:
                log.warning("outbox unavailable (%s); trying again shortly", error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.poll_s)


async def _main() -> None:
    settings = RequestSettings.from_env()
    relay = Relay(open_outbox(settings), SmtpSettings.from_env(), settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("relay sending to %s via %s:%s", settings.mailbox, relay.smtp.host, relay.smtp.port)
    await relay.run_forever(stop)


if __name__ == "__main__":
    use_json_lines(logging.INFO)
    asyncio.run(_main())
