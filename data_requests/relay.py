"""Send pending requests from the outbox to customer service by SMTP.

Runs as its own process (``python -m data_requests.relay``, started by ``make run``) so that
a request confirmed just before the action server restarted is still sent. It also
mails customers their verification codes and receipts, with the same retries, and
closes requests left unverified past ``VERIFY_WITHIN_DAYS``. A
temporary failure (no connection, a 4xx reply) is retried with exponential backoff; a
permanent one (a 5xx reply) marks the request failed, where the requests CLI lists it
for a person to look at and re-queue. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TypeVar

import aiosmtplib

from data_requests.mail import compose, compose_code, compose_receipt, customer_address
from data_requests.outbox import (
    CustomerMail,
    OutboxUnavailable,
    RequestStore,
    StoredRequest,
    open_outbox,
    utc_now,
)
from data_requests.outbox.records import RECEIPT_MAIL
from data_requests.verification import close_expired, issue_code
from monitoring.logs import fields, use_json_lines
from monitoring.metrics import FAILED, RETRY, SENT, count_delivery
from settings import RequestSettings, SmtpSettings

log = logging.getLogger("data_requests.relay")
PER_ROUND = 100  # items sent in one round before the relay looks at the clock again
Item = TypeVar("Item", StoredRequest, CustomerMail)


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
    """Moves requests from the outbox to customer service, and codes and receipts to
    customers; closes requests left unverified. One per process."""

    def __init__(self, outbox: RequestStore, smtp: SmtpSettings, settings: RequestSettings) -> None:
        self.outbox = outbox
        self.smtp = smtp
        self.settings = settings

    async def _send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.smtp.host,
            port=self.smtp.port,
            username=self.smtp.username,
            password=self.smtp.password,
            start_tls=self.smtp.starttls,
            timeout=self.smtp.timeout_s,
        )

    async def _attempt(self, message: EmailMessage) -> tuple[str, str | None]:
        """Send ``message``: SENT, or RETRY / FAILED with the reason."""
        try:
            await self._send(message)
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = f"{type(error).__name__}: {error}"
            return (FAILED if is_permanent(error) else RETRY), reason
        return SENT, None

    async def deliver(self, request: StoredRequest, now: datetime | None = None) -> Outcome:
        status, reason = await self._attempt(compose(request, self.settings))
        count_delivery(status)
        extra = fields(reference=request.reference, outcome=status)
        if status == FAILED:
            self.outbox.mark_failed(request, reason)
            log.error("request %s failed permanently: %s", request.reference, reason, extra=extra)
        elif status == RETRY:
            retry_at = (now or utc_now()) + backoff(request.attempts, self.settings)
            self.outbox.mark_retry(request, reason, retry_at)
            log.warning(
                "request %s not sent yet (%s); retry at %s",
                request.reference,
                reason,
                retry_at.isoformat(timespec="seconds"),
                extra=extra,
            )
        else:
            self.outbox.mark_sent(request)
            log.info("request %s sent to customer service", request.reference, extra=extra)
        return Outcome(request.reference, status, reason)

    def _customer_message(self, mail: CustomerMail) -> EmailMessage | None:
        """The mail to write, or None when there is nothing to send any more (the
        request was closed, or no longer awaits a code). A code is made only now, so it
        exists in plain text only in this process and the customer's inbox."""
        request = self.outbox.get(mail.reference)
        if request is None or customer_address(request) is None:
            return None
        if mail.purpose == RECEIPT_MAIL:
            return compose_receipt(request, self.settings)
        code = issue_code(self.outbox, self.settings.verification, request.reference)
        return compose_code(request, code, self.settings) if code else None

    async def deliver_to_customer(self, mail: CustomerMail, now: datetime | None = None) -> Outcome:
        message = self._customer_message(mail)
        if message is None:
            self.outbox.mark_mail_failed(mail, "nothing to send: the request moved on")
            return Outcome(mail.reference, FAILED, "moved on")
        status, reason = await self._attempt(message)
        extra = fields(reference=mail.reference, outcome=status)
        if status == FAILED:
            self.outbox.mark_mail_failed(mail, reason)
            log.error("%s mail of %s refused: %s", mail.purpose, mail.reference, reason)
        elif status == RETRY:
            retry_at = (now or utc_now()) + backoff(mail.attempts, self.settings)
            self.outbox.mark_mail_retry(mail, reason, retry_at)
            log.warning("%s mail of %s not sent yet (%s)", mail.purpose, mail.reference, reason)
        else:
            self.outbox.mark_mail_sent(mail)
            log.info("%s mail of %s sent", mail.purpose, mail.reference, extra=extra)
        return Outcome(mail.reference, status, reason)

    async def send_customer_mails(self, now: datetime | None = None) -> list[Outcome]:
        """Send the codes and receipts due ``now`` (by default, now)."""
        return await self._one_at_a_time(self.outbox.claim_mails, self.deliver_to_customer, now)

    async def send_requests(self, now: datetime | None = None) -> list[Outcome]:
        """Send the requests due ``now`` to customer service."""
        return await self._one_at_a_time(self.outbox.claim_due, self.deliver, now)

    async def _one_at_a_time(
        self,
        claim: Callable[..., list[Item]],
        send: Callable[[Item, datetime | None], Awaitable[Outcome]],
        now: datetime | None,
    ) -> list[Outcome]:
        """Claim and send one item at a time, at most ``PER_ROUND``: each claim's lease
        covers one send, so a slow mail server never lets the lease run out on an item
        still waiting its turn in a batch, for another relay to send it again (measured:
        three relays, 20 a batch, a 2 s lease, a busy machine: one message sent twice)."""
        lease = timedelta(seconds=self.settings.lease_s)
        outcomes = []
        for _ in range(PER_ROUND):
            claimed = claim(now, limit=1, lease=lease)
            if not claimed:
                break
            outcomes.append(await send(claimed[0], now))
        return outcomes

    async def run_once(self, now: datetime | None = None) -> list[Outcome]:
        """One round: close requests left unverified too long, then send what is due."""
        close_expired(self.outbox, self.settings.verification, now)
        return await self.send_customer_mails(now) + await self.send_requests(now)

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
