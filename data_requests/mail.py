"""Every email the relay sends: the request to customer service, and to the customer the
code that proves their address and the receipt once customer service has the request.

Customer text only ever goes in a body and the JSON attachment. The only headers built
from customer input are the addresses, and only from an address that passed
``email-validator`` (``headerregistry.Address`` refuses a line break besides). Each
Message-ID is derived from the request, so a message sent twice after a crash is
recognisably the same message.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from data_requests.kinds import BY_NAME, SLOT_LABELS
from data_requests.outbox import UK, StoredRequest
from data_requests.validators import SKIPPED, check_email, given
from data_requests.verification import BY_EMAIL_CODE
from settings import RequestSettings

CONTACT = "cs@jessops.com or 0845 458 7005"


def message_id(request: StoredRequest, sender: str, purpose: str = "") -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    suffix = f".{purpose}" if purpose else ""
    return f"<{request.reference}.{request.submission_key[:16]}{suffix}@{domain}>"


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UK):%d %B %Y, %H:%M %Z}"


def verification_line(request: StoredRequest) -> str:
    """Whether the customer proved the address, or who vouched for them instead."""
    if request.verified_by == BY_EMAIL_CODE and request.verified_at:
        return f"Email address verified: yes, {_when(request.verified_at)}"
    if request.verified_by:
        return f"Email address verified: no code needed; submitted by {request.verified_by}"
    return "Email address verified: no (a marketing opt-out is passed on unverified)"


def as_record(request: StoredRequest) -> dict:
    """The machine-readable form of the request (the JSON attachment)."""
    return {
        "reference": request.reference,
        "type": request.kind,
        "received_at": request.received_at.isoformat(),
        "verified_at": request.verified_at.isoformat() if request.verified_at else None,
        "verified_by": request.verified_by,
        "due_on": request.due_on.isoformat(),
        "channel": request.channel,
        # A detail the customer skipped is null, not the words "not given".
        "customer": {slot: given(value) for slot, value in request.details.items()},
    }


def body(request: StoredRequest) -> str:
    kind = BY_NAME[request.kind]
    start = "verification" if request.verified_by == BY_EMAIL_CODE else "receipt"
    lines = [
        f"A customer asked the privacy assistant to {kind.third_person}.",
        "",
        f"Reference:   {request.reference}",
        f"Request:     {request.kind}",
        f"Received:    {_when(request.received_at)}",
        f"Respond by:  {request.due_on:%d %B %Y} (one calendar month from {start})",
        f"Channel:     {request.channel}",
        verification_line(request),
        "",
        "Customer details as given:",
    ]
    lines += [
        f"  {SLOT_LABELS[slot] + ':':<19}{given(request.details[slot]) or SKIPPED}"
        for slot in SLOT_LABELS
        if slot in request.details
    ]
    lines += ["", "The same details are attached as request.json.", ""]
    return "\n".join(lines)


def _message(
    request: StoredRequest, settings: RequestSettings, to: str, subject: str, purpose: str = ""
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[{request.reference}] {subject}"
    message["From"] = Address("Jessops privacy assistant", addr_spec=settings.sender)
    message["To"] = to
    message["Date"] = format_datetime(request.received_at)
    message["Message-ID"] = message_id(request, settings.sender, purpose)
    return message


def compose(request: StoredRequest, settings: RequestSettings) -> EmailMessage:
    """The request as customer service receives it."""
    message = _message(request, settings, settings.mailbox, f"Data request: {request.kind}")
    reply_to = check_email(request.details.get("email"))
    if reply_to.ok:
        message["Reply-To"] = reply_to.value
    message.set_content(body(request))
    message.add_attachment(
        json.dumps(as_record(request), indent=2, ensure_ascii=False).encode(),
        maintype="application",
        subtype="json",
        filename="request.json",
    )
    return message


def customer_address(request: StoredRequest) -> str | None:
    """The address the customer gave, if it is still one (closed requests keep none)."""
    checked = check_email(request.details.get("email"))
    return checked.value if checked.ok else None


def compose_code(request: StoredRequest, code: str, settings: RequestSettings) -> EmailMessage:
    """The code that proves the customer owns the address, and how to say no."""
    verification = settings.verification
    label = BY_NAME[request.kind].label
    return _to_customer(
        request,
        settings,
        "Confirm your request to Jessops",
        "code",
        [
            f"Someone, we hope you, asked the Jessops privacy assistant to {label},",
            "giving this email address.",
            "",
            f"Your code is: {code}",
            "",
            f"Type it in the chat to confirm the request. It is valid for "
            f"{verification.code_minutes:g} minutes.",
            "",
            f"Reference:  {request.reference}",
            "",
            "If you did not ask for this, you need do nothing: without the code nothing",
            f"is done, and the request and its details are deleted after "
            f"{verification.within_days:g} days.",
            'To cancel it now, say "cancel" in the chat. Never share this code with anyone.',
            "",
        ],
    )


def compose_receipt(request: StoredRequest, settings: RequestSettings) -> EmailMessage:
    """The customer's receipt: what customer service now has, and by when they answer."""
    label = BY_NAME[request.kind].label
    return _to_customer(
        request,
        settings,
        "We have your request",
        "receipt",
        [
            f"Jessops customer service has your request to {label}.",
            "",
            f"Reference:   {request.reference}",
            f"Received:    {_when(request.received_at)}",
            verification_line(request),
            f"Respond by:  {request.due_on:%d %B %Y}",
            "",
            "They must respond within one calendar month. If you hear nothing by then,",
            f"contact {CONTACT} and quote your reference.",
            "",
        ],
    )


def _to_customer(
    request: StoredRequest, settings: RequestSettings, subject: str, purpose: str, lines: list[str]
) -> EmailMessage:
    """A mail to the address the customer gave, its body the ``lines``."""
    to = customer_address(request) or ""
    message = _message(request, settings, to, subject, purpose)
    message.set_content("\n".join(lines))
    return message
